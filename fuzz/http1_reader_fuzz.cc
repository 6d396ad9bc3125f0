// libFuzzer target for the admin listener's HTTP/1.1 request reader
// (transport/http1_reader, over libhttp-parser): arbitrary bytes fed whole
// and in pieces of fuzzer-chosen sizes, with small limits so that every
// bound is reached.
//
// Invariants:
//  - the same bytes give the same status and the same requests however they
//    are split (pipelining and partial reads change nothing);
//  - the status is 0 or one of 400, 413, 431, 505, and once it is not 0
//    every later feed returns it and adds no request;
//  - no request exceeds the limits: at most max_requests requests, each
//    target within max_header_size, each body within max_body_size, and
//    only the last request may lack keep-alive;
//  - finish() after the input returns 0 or 400 (or the error already met).
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "transport/http1_reader.h"

namespace {

using pronto::detail::Http1Reader;
using pronto::detail::Http1Request;

constexpr Http1Reader::Limits kLimits{.max_header_size = 512, .max_body_size = 256, .max_requests = 8};

void require(bool ok) {
  if (!ok) std::abort();
}

struct Outcome {
  int status = 0;
  int finish = 0;
  std::vector<Http1Request> requests;
};

bool same(const Http1Request& a, const Http1Request& b) {
  return a.method == b.method && a.target == b.target && a.headers == b.headers && a.body == b.body &&
         a.http_major == b.http_major && a.http_minor == b.http_minor && a.keep_alive == b.keep_alive;
}

void check_status(int s) { require(s == 0 || s == 400 || s == 413 || s == 431 || s == 505); }

Outcome run(std::string_view bytes, const std::vector<std::size_t>& cuts) {
  Http1Reader reader(kLimits);
  Outcome o;
  std::size_t at = 0;
  for (std::size_t i = 0; i <= cuts.size() && at <= bytes.size(); ++i) {
    const std::size_t n = i < cuts.size() ? std::min(cuts[i], bytes.size() - at) : bytes.size() - at;
    const std::size_t before = o.requests.size();
    const int s = reader.feed(bytes.substr(at, n), o.requests);
    check_status(s);
    if (o.status != 0) {
      require(s == o.status);
      require(o.requests.size() == before);
    }
    o.status = s;
    at += n;
    if (at == bytes.size()) break;
  }
  o.finish = reader.finish(o.requests);
  require(o.finish == 0 || o.finish == 400 || o.finish == o.status);
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider fdp(data, size);
  std::vector<std::size_t> cuts;
  const std::size_t pieces = fdp.ConsumeIntegralInRange<std::size_t>(0, 16);
  for (std::size_t i = 0; i < pieces; ++i) cuts.push_back(fdp.ConsumeIntegralInRange<std::size_t>(0, 64));
  const std::string bytes = fdp.ConsumeRemainingBytesAsString();

  const Outcome whole = run(bytes, {});
  const Outcome split = run(bytes, cuts);
  // Input that is both malformed and over the head limit may get either
  // answer, depending on where the reads end: the parser reports a bad byte
  // when it reaches it, and the head size is counted as pieces arrive, so a
  // read that ends before the bad byte can cross the limit first (431), and
  // one read with both sees the bad byte first (400). Found by this target;
  // both are errors that close the connection, and nothing before differs.
  const bool either_error = (whole.status == 400 && split.status == 431) ||
                            (whole.status == 431 && split.status == 400);
  require(whole.status == split.status || either_error);
  require(whole.requests.size() == split.requests.size());
  for (std::size_t i = 0; i < whole.requests.size(); ++i) require(same(whole.requests[i], split.requests[i]));
  // The EOF verdict depends only on where the input ended, not how it came.
  if (whole.status == 0 && split.status == 0) require(whole.finish == split.finish);

  require(whole.requests.size() <= kLimits.max_requests);
  for (std::size_t i = 0; i < whole.requests.size(); ++i) {
    const Http1Request& r = whole.requests[i];
    require(r.target.size() <= kLimits.max_header_size);
    require(r.body.size() <= kLimits.max_body_size);
    require(r.http_major == 1);
    if (i + 1 < whole.requests.size()) require(r.keep_alive);
  }
  return 0;
}

// libFuzzer target for the header-value codecs: grpc-timeout, grpc-message
// percent-encoding, base64 of -bin metadata, grpc-status, metadata rules.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "wire/metadata_rules.h"
#include "wire/percent.h"
#include "wire/status_codec.h"
#include "wire/timeout.h"

namespace {

namespace wire = pronto::wire;
using std::chrono::nanoseconds;

void check(bool cond) {
  if (!cond) std::abort();
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool matches_timeout_grammar(std::string_view s) {
  if (s.size() < 2 || s.size() > 9) return false;
  for (std::size_t i = 0; i + 1 < s.size(); ++i) {
    if (!is_digit(s[i])) return false;
  }
  return std::string_view("HMSmun").find(s.back()) != std::string_view::npos;
}

void fuzz_timeout(std::string_view in) {
  auto parsed = wire::parse_timeout(in);
  check(parsed.has_value() == matches_timeout_grammar(in));
  if (parsed.has_value()) {
    check(parsed->count() >= 0);
    const std::string again = wire::format_timeout(*parsed);
    auto back = wire::parse_timeout(again);
    check(back.has_value() && (*parsed).count() <= back->count());
  } else {
    check(parsed.status().code() == pronto::StatusCode::internal);
  }
  // Format an arbitrary duration: well-formed and never shorter.
  std::int64_t ns = 0;
  std::memcpy(&ns, in.data(), std::min(in.size(), sizeof(ns)));
  const std::string s = wire::format_timeout(nanoseconds(ns));
  check(matches_timeout_grammar(s));
  auto back = wire::parse_timeout(s);
  check(back.has_value());
  check(back->count() >= std::max<std::int64_t>(ns, 1));
}

void fuzz_percent(std::string_view in) {
  const std::string enc = wire::percent_encode(in);
  for (char c : enc) check(c >= 0x20 && c <= 0x7E);
  check(wire::percent_decode(enc) == in);
  const std::string dec = wire::percent_decode(in);  // never fails
  check(dec.size() <= in.size());
}

void fuzz_base64(std::string_view in) {
  const std::string enc = wire::base64_encode(in);
  check(enc.find('=') == std::string::npos);
  check(enc.size() == (in.size() * 4 + 2) / 3);
  auto dec = wire::base64_decode(enc);
  check(dec.has_value() && *dec == in);
  // Padded form decodes too.
  std::string padded = enc;
  while (padded.size() % 4 != 0) padded.push_back('=');
  auto dec_padded = wire::base64_decode(padded);
  check(dec_padded.has_value() && *dec_padded == in);

  // Arbitrary text: if accepted, its size is consistent and it re-encodes.
  if (auto any = wire::base64_decode(in)) {
    std::size_t body = in.size();
    while (body > 0 && in[body - 1] == '=') --body;
    check(any->size() == body * 3 / 4);
    check(wire::base64_decode(wire::base64_encode(*any)) == *any);
  }
}

void fuzz_metadata(std::string_view in) {
  const bool valid = wire::is_valid_key(in);
  if (valid) check(!in.empty() && in.front() != ':');
  if (wire::is_reserved_key(in) || (!in.empty() && in.front() == ':')) check(wire::is_protocol_header(in));
  (void)wire::is_binary_key(in);
  (void)wire::is_valid_ascii_value(in);
  std::size_t total = 0;
  for (std::string_view piece : wire::split_comma_values(in)) {
    check(piece.data() >= in.data() && piece.data() + piece.size() <= in.data() + in.size());
    check(piece.find(',') == std::string_view::npos);
    total += piece.size();
  }
  check(total <= in.size());
}

void fuzz_status(std::string_view in) {
  if (auto code = wire::parse_status_code(in)) {
    check(wire::format_status_code(*code) == in);
  }
  int http = 0;
  std::memcpy(&http, in.data(), std::min(in.size(), sizeof(http)));
  const auto mapped = static_cast<int>(wire::status_from_http(http));
  check(mapped >= 0 && mapped <= 16);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  fuzz_timeout(in);
  fuzz_percent(in);
  fuzz_base64(in);
  fuzz_metadata(in);
  fuzz_status(in);
  return 0;
}

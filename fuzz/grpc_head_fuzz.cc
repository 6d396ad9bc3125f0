// libFuzzer target for the gRPC <-> HTTP/2 head mapping of the call layer
// (call/grpc_head, call/metadata_fields, wire/status_codec,
// wire/metadata_rules, Metadata::validate_for_send): arbitrary name/value
// pairs parsed as request headers (RequestHeadReader), response headers and
// trailers (ResponseReader).
//
// Invariants:
//  - add_received_metadata keeps only legal metadata (validate_for_send OK),
//    and append_metadata of what it kept parses back to the same entries;
//  - a status read from trailers (StatusReader) survives append_status and
//    a second read unchanged, and so does any Status built from the input;
//  - user Metadata that passes validate_for_send round-trips through
//    append_metadata / add_received_metadata;
//  - the encoding/timeout/status header values parse without crashing;
//  - what RequestHeadReader accepts, build_request_head writes back so that
//    a second reader gets the same encoding, metadata and (no longer)
//    timeout;
//  - a response read by ResponseReader, rebuilt with build_response_head +
//    build_trailers as a trailers-only block, reads back to the same status.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "call/grpc_head.h"
#include "pronto/metadata.h"
#include "wire/compression.h"
#include "wire/metadata_rules.h"
#include "wire/status_codec.h"
#include "wire/timeout.h"

namespace {

using pronto::Metadata;
using pronto::Status;
using pronto::StatusCode;
namespace call = pronto::call;
namespace h2 = pronto::h2;
namespace wire = pronto::wire;

void check(bool cond) {
  if (!cond) std::abort();
}

// Parses a block's fields back as received metadata (what the peer does).
Metadata read_back(const h2::HeaderBlock& block, call::StatusReader* status) {
  Metadata md;
  for (std::size_t i = 0; i < block.size(); ++i) {
    if (status && status->take(block.name(i), block.value(i))) continue;
    Status st = call::add_received_metadata(md, block.name(i), block.value(i));
    check(st.ok());
  }
  return md;
}

bool same(const Metadata& a, const Metadata& b) { return a.entries() == b.entries(); }

void round_trip_status(const Status& status, const Metadata& trailing) {
  h2::HeaderBlock block;
  call::append_status(block, status, trailing);
  call::StatusReader reader;
  Metadata md = read_back(block, &reader);
  check(reader.has_status());
  Status expected = status;
  if (static_cast<unsigned>(status.code()) > 16)
    expected = Status(StatusCode::unknown, status.message(), status.details());
  check(reader.status() == expected);
  check(same(md, trailing));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  std::vector<std::pair<std::string, std::string>> fields;
  while (in.remaining_bytes() > 0 && fields.size() < 64) {
    std::string name = in.ConsumeRandomLengthString(64);
    std::string value = in.ConsumeRandomLengthString(256);
    fields.emplace_back(std::move(name), std::move(value));
  }

  // 1. As received request/response headers: metadata kept is legal and
  // round-trips.
  Metadata received;
  call::StatusReader reader;
  for (const auto& [name, value] : fields) {
    const std::size_t before = received.size();
    Status st = call::add_received_metadata(received, name, value);
    if (!st.ok()) {
      check(st.code() == StatusCode::internal);
      // A failed -bin value may have added some of its pieces; nothing else.
      continue;
    }
    const bool is_meta = !name.empty() && name.front() != ':' && !wire::is_protocol_header(name);
    if (!is_meta) check(received.size() == before);
    if (is_meta && !wire::is_binary_key(name)) check(received.size() == before + 1);
    // As trailers: the status fields.
    (void)reader.take(name, value);
    // The header values the call layers parse.
    (void)wire::parse_encoding(value);
    (void)wire::accepted_encodings(value);
    (void)wire::accepts(value, pronto::Compression::gzip);
    (void)wire::parse_timeout(value);
    (void)wire::parse_status_code(value);
  }
  check(received.validate_for_send().ok());
  {
    h2::HeaderBlock block;
    call::append_metadata(block, received);
    check(same(read_back(block, nullptr), received));
  }

  // 2. A status read from trailers survives a second trip.
  if (reader.has_status()) round_trip_status(reader.status(), received);

  // 3. Any status built from the input, with the received metadata.
  if (!fields.empty()) {
    const auto code = static_cast<StatusCode>(fields[0].first.empty() ? 0 : std::uint8_t(fields[0].first[0]));
    round_trip_status(Status(code, fields[0].second, fields.size() > 1 ? fields[1].second : ""), received);
  }

  // 4. User metadata from the raw pairs: if it validates, it round-trips.
  Metadata user;
  for (const auto& [name, value] : fields) user.add(name, value);
  if (user.validate_for_send().ok()) {
    h2::HeaderBlock block;
    call::append_metadata(block, user);
    check(same(read_back(block, nullptr), user));
  }

  // 5. As a request head: what the server accepts, a client writes back the
  // same way.
  {
    call::RequestHeadReader head;
    Metadata md;
    for (const auto& [name, value] : fields) (void)head.take(name, value, md);
    (void)head.http_refusal();
    if (head.error().ok()) {
      check(md.validate_for_send().ok() || md.contains("user-agent"));
      md.erase("user-agent");
      call::RequestHead out;
      out.scheme = "http";
      out.path = "/p.S/M";
      out.authority = head.authority();
      out.timeout = head.timeout();
      out.encoding = head.encoding();
      out.metadata = &md;
      h2::HeaderBlock block;
      call::build_request_head(out, block);
      call::RequestHeadReader again;
      Metadata md2;
      bool saw_path = false;
      for (std::size_t i = 0; i < block.size(); ++i)
        saw_path |= again.take(block.name(i), block.value(i), md2) == call::RequestHeadReader::Field::path;
      check(saw_path && again.http_refusal() == 0 && again.error().ok());
      check(again.encoding() == head.encoding());
      check(same(md2, md));
      check(again.timeout().has_value() == head.timeout().has_value());
      // grpc-timeout is written rounded up (and 0 as 1n): never shorter.
      if (head.timeout()) check(*again.timeout() >= *head.timeout());
    }
  }

  // 6. As a response: headers then trailers, and trailers-only.
  {
    call::ResponseReader response;
    const std::size_t half = fields.size() / 2;
    for (std::size_t i = 0; i < half; ++i) response.take(fields[i].first, fields[i].second);
    std::optional<Status> settled = response.end_headers(fields.size() % 2 == 1);
    for (std::size_t i = half; i < fields.size(); ++i) response.take(fields[i].first, fields[i].second);
    Status final_status = settled ? *settled : response.end_trailers();
    check(response.trailing_metadata().validate_for_send().ok());
    h2::HeaderBlock block;
    call::build_response_head(pronto::Compression::identity, nullptr, block);
    call::build_trailers(final_status, response.trailing_metadata(), block);
    call::ResponseReader again;
    for (std::size_t i = 0; i < block.size(); ++i) again.take(block.name(i), block.value(i));
    std::optional<Status> reread = again.end_headers(true);
    check(reread.has_value());
    Status expected = final_status;
    if (static_cast<unsigned>(expected.code()) > 16)
      expected = Status(StatusCode::unknown, expected.message(), expected.details());
    check(*reread == expected);
    check(same(again.trailing_metadata(), response.trailing_metadata()));
  }
  return 0;
}

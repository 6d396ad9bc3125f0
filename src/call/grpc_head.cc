#include "call/grpc_head.h"

#include "wire/compression.h"
#include "wire/status_codec.h"
#include "wire/timeout.h"

namespace pronto::call {

bool is_grpc_content_type(std::string_view value) noexcept {
  constexpr std::string_view kGrpc = "application/grpc";
  if (!value.starts_with(kGrpc)) return false;
  return value.size() == kGrpc.size() || value[kGrpc.size()] == '+' || value[kGrpc.size()] == ';';
}

// ---- request head -----------------------------------------------------------

void build_request_head(const RequestHead& head, HeaderBlock& out) {
  out.add_static(":method", "POST");
  out.add_static(":scheme", head.scheme);  // a literal (see RequestHead)
  out.add(":path", head.path);
  out.add(":authority", head.authority);
  out.add_static("content-type", "application/grpc");
  out.add_static("te", "trailers");
  out.add_static("grpc-accept-encoding", wire::kAcceptEncoding);
  if (head.encoding != Compression::identity) {
    out.add_static("grpc-encoding", wire::encoding_name(head.encoding));
  }
  if (!head.user_agent.empty()) out.add("user-agent", head.user_agent);
  if (head.timeout) out.add_owned("grpc-timeout", wire::format_timeout(*head.timeout));
  if (head.metadata) append_metadata(out, *head.metadata);
}

RequestHeadReader::Field RequestHeadReader::take(std::string_view name, std::string_view value,
                                                 Metadata& metadata) {
  if (!name.empty() && name.front() == ':') {
    if (name == ":path") return Field::path;
    if (name == ":method") {
      post_ = value == "POST";
    } else if (name == ":authority") {
      authority_ = std::string(value);
    }
    return Field::other;
  }
  if (name == "content-type") {
    grpc_content_ = is_grpc_content_type(value);
  } else if (name == "te") {
    // te: trailers is implied by HTTP/2 for gRPC; nothing to keep.
  } else if (name == "grpc-timeout") {
    auto timeout = wire::parse_timeout(value);
    if (timeout) {
      timeout_ = *timeout;
    } else {
      set_error(Status::internal("malformed grpc-timeout '" + std::string(value) + "'"));
    }
  } else if (name == "grpc-encoding") {
    if (auto encoding = wire::parse_encoding(value)) {
      encoding_ = *encoding;
    } else {
      // Answered with grpc-accept-encoding, as doc/compression.md asks.
      set_error(Status::unimplemented("unsupported grpc-encoding '" + std::string(value) + "'"));
    }
  } else if (name == "grpc-accept-encoding") {
    accepted_ = wire::accepted_encodings(value);
  } else if (name == "user-agent") {
    metadata.add("user-agent", std::string(value));
  } else if (Status st = add_received_metadata(metadata, name, value); !st.ok()) {
    set_error(std::move(st));
  }
  return Field::other;
}

int RequestHeadReader::http_refusal() const noexcept {
  if (!post_) return 405;
  if (!grpc_content_) return 415;
  return 0;
}

// ---- response head and trailers ---------------------------------------------

Compression negotiate_response_encoding(Compression wanted, unsigned accepted) noexcept {
  if (wanted != Compression::identity && (accepted & wire::encoding_bit(wanted))) return wanted;
  return Compression::identity;
}

void build_response_head(Compression encoding, const Metadata* initial, HeaderBlock& out) {
  out.add_static(":status", "200");
  out.add_static("content-type", "application/grpc");
  out.add_static("grpc-accept-encoding", wire::kAcceptEncoding);
  if (encoding != Compression::identity) out.add_static("grpc-encoding", wire::encoding_name(encoding));
  if (initial) append_metadata(out, *initial);
}

void build_trailers(const Status& status, const Metadata& trailing, HeaderBlock& out) {
  append_status(out, status, trailing);
}

void build_http_refusal(int http_status, HeaderBlock& out) { out.add_owned(":status", std::to_string(http_status)); }

void ResponseReader::take(std::string_view name, std::string_view value) {
  if (!headers_done_) {
    if (name == ":status") {
      // nghttp2 checks :status is three digits; anything else reads as 0.
      int code = 0;
      for (char c : value) code = c >= '0' && c <= '9' && code < 1000 ? code * 10 + (c - '0') : 1000;
      http_status_ = code >= 1000 ? 0 : code;
      return;
    }
    if (name == "content-type") {
      grpc_content_ = is_grpc_content_type(value);
      if (!grpc_content_) bad_content_type_ = std::string(value);
      return;
    }
    if (name == "grpc-encoding") {
      if (auto encoding = wire::parse_encoding(value)) {
        encoding_ = *encoding;
      } else {
        bad_encoding_ = std::string(value);
      }
      return;
    }
    if (name == "grpc-accept-encoding") return;
  }
  if (status_.take(name, value)) return;
  // Malformed metadata from a server is dropped rather than failing the call.
  (void)add_received_metadata(headers_done_ ? trailing_ : initial_, name, value);
}

std::optional<Status> ResponseReader::end_headers(bool end_stream) {
  headers_done_ = true;
  if (end_stream) {
    // Trailers-only: the block carried the status; its metadata is
    // trailing metadata.
    trailing_ = std::move(initial_);
    initial_.clear();
    return final_status();
  }
  if (http_status_ != 200) {
    return Status(wire::status_from_http(http_status_),
                  "HTTP status " + std::to_string(http_status_) + " without grpc-status");
  }
  if (!bad_encoding_.empty()) {
    return Status::internal("response grpc-encoding '" + bad_encoding_ + "' is not supported");
  }
  if (!grpc_content_) {
    return Status::unknown("response content-type '" + bad_content_type_ + "' is not application/grpc");
  }
  return std::nullopt;
}

Status ResponseReader::final_status() const {
  // PROTOCOL-HTTP2.md: grpc-status decides; without it, the HTTP status.
  if (status_.has_status()) return status_.status();
  if (http_status_ != 200) {
    return Status(wire::status_from_http(http_status_),
                  "HTTP status " + std::to_string(http_status_) + " without grpc-status");
  }
  return Status::internal("response ended without grpc-status");
}

}  // namespace pronto::call

#include "call/metadata_fields.h"

#include "wire/metadata_rules.h"
#include "wire/percent.h"
#include "wire/status_codec.h"

namespace pronto::call {

void append_metadata(HeaderBlock& out, const Metadata& metadata) {
  for (const auto& [key, value] : metadata) {
    if (wire::is_binary_key(key)) {
      out.add_owned(key, wire::base64_encode(value));
    } else {
      out.add(key, value);
    }
  }
}

Status add_received_metadata(Metadata& metadata, std::string_view name, std::string_view value) {
  if (name.empty() || name.front() == ':' || wire::is_protocol_header(name)) return {};
  if (!wire::is_valid_key(name)) return Status::internal("invalid metadata key '" + std::string(name) + "'");
  if (wire::is_binary_key(name)) {
    for (auto piece : wire::split_comma_values(value)) {
      auto decoded = wire::base64_decode(piece);
      if (!decoded) return Status::internal("metadata '" + std::string(name) + "' is not valid base64");
      metadata.add(std::string(name), std::move(*decoded));
    }
    return {};
  }
  if (!wire::is_valid_ascii_value(value)) {
    return Status::internal("metadata '" + std::string(name) + "' has a non-printable value");
  }
  metadata.add(std::string(name), std::string(value));
  return {};
}

void append_status(HeaderBlock& out, const Status& status, const Metadata& trailing) {
  out.add_static("grpc-status", wire::format_status_code(status.code()));  // a static string
  if (!status.message().empty()) out.add_owned("grpc-message", wire::percent_encode(status.message()));
  if (!status.details().empty()) out.add_owned("grpc-status-details-bin", wire::base64_encode(status.details()));
  append_metadata(out, trailing);
}

bool StatusReader::take(std::string_view name, std::string_view value) {
  if (name == "grpc-status") {
    has_code_ = true;
    auto code = wire::parse_status_code(value);
    bad_code_ = !code;
    code_ = code.value_or(StatusCode::unknown);
    return true;
  }
  if (name == "grpc-message") {
    message_ = wire::percent_decode(value);
    return true;
  }
  if (name == "grpc-status-details-bin") {
    details_ = wire::base64_decode(value).value_or(std::string());
    return true;
  }
  return false;
}

Status StatusReader::status() const {
  if (bad_code_) return Status::unknown("malformed grpc-status; message: " + message_);
  return Status(code_, message_, details_);
}

}  // namespace pronto::call

#include "pronto/status.h"

namespace pronto {

std::string_view status_code_name(StatusCode code) noexcept {
  switch (code) {
    case StatusCode::ok: return "OK";
    case StatusCode::cancelled: return "CANCELLED";
    case StatusCode::unknown: return "UNKNOWN";
    case StatusCode::invalid_argument: return "INVALID_ARGUMENT";
    case StatusCode::deadline_exceeded: return "DEADLINE_EXCEEDED";
    case StatusCode::not_found: return "NOT_FOUND";
    case StatusCode::already_exists: return "ALREADY_EXISTS";
    case StatusCode::permission_denied: return "PERMISSION_DENIED";
    case StatusCode::resource_exhausted: return "RESOURCE_EXHAUSTED";
    case StatusCode::failed_precondition: return "FAILED_PRECONDITION";
    case StatusCode::aborted: return "ABORTED";
    case StatusCode::out_of_range: return "OUT_OF_RANGE";
    case StatusCode::unimplemented: return "UNIMPLEMENTED";
    case StatusCode::internal: return "INTERNAL";
    case StatusCode::unavailable: return "UNAVAILABLE";
    case StatusCode::data_loss: return "DATA_LOSS";
    case StatusCode::unauthenticated: return "UNAUTHENTICATED";
  }
  return "UNKNOWN_CODE";
}

std::string Status::to_string() const {
  std::string s(status_code_name(code_));
  if (!message_.empty()) {
    s += ": ";
    s += message_;
  }
  return s;
}

}  // namespace pronto

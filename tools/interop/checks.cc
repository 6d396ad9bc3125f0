// tools/interop/checks.cc — see checks.h.
#include "checks.h"

#include <cstdio>
#include <vector>

namespace pronto_interop {

std::string escape(std::string_view in) {
  std::string out;
  for (unsigned char c : in) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\\' || c == '"') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string describe(const pronto::Status& status) {
  return "status " + std::to_string(static_cast<int>(status.code())) + " " +
         std::string(pronto::status_code_name(status.code())) + " \"" + escape(status.message()) + "\"";
}

void check(bool ok, const std::string& what) {
  if (!ok) throw CaseFailure{what};
}

void check_ok(const pronto::Status& status, const std::string& what) {
  check(status.ok(), what + ": expected OK, got " + describe(status));
}

void check_code(const pronto::Status& status, pronto::StatusCode code, const std::string& what) {
  check(status.code() == code,
        what + ": expected " + std::string(pronto::status_code_name(code)) + ", got " + describe(status));
}

void check_echoed_status(const pronto::Status& status, const std::string& message, const std::string& what) {
  check_code(status, pronto::StatusCode::unknown, what);
  check(status.message() == message,
        what + ": message \"" + escape(status.message()) + "\", expected \"" + escape(message) + "\"");
}

void check_zeros(const std::string& body, int size, const std::string& what) {
  check(body.size() == static_cast<std::size_t>(size),
        what + ": payload size " + std::to_string(body.size()) + ", expected " + std::to_string(size));
  check(body.find_first_not_of('\0') == std::string::npos, what + ": payload is not all zeros");
}

void check_metadata(const pronto::Metadata& metadata, const std::string& key, const std::string& want,
                    const std::string& what) {
  std::vector<std::string_view> got = metadata.get_all(key);
  check(got.size() == 1, what + ": expected one \"" + key + "\" entry, got " + std::to_string(got.size()));
  check(got[0] == want,
        what + ": \"" + key + "\" is \"" + escape(got[0]) + "\", expected \"" + escape(want) + "\"");
}

pronto::CallOptions rpc_options(pronto::ClientContext* context) {
  pronto::CallOptions options;
  options.timeout = kRpcTimeout;
  options.context = context;
  return options;
}

}  // namespace pronto_interop

// Tiny command-line flag parser shared by the grpc++ interop reference peers.
//
// The interop suite passes flags as `--name=value` (booleans may also be given as a bare
// `--name`, meaning true). Only names present in the defaults map are accepted, so a typo
// fails loudly instead of silently running with a default.
#pragma once

#include <charconv>
#include <map>
#include <string>
#include <string_view>

namespace interop {

using FlagMap = std::map<std::string, std::string>;

// Parses argv[1..] into `flags` (pre-filled with every known name and its default).
// Returns false and sets `error` on an unknown or malformed argument.
inline bool ParseFlags(int argc, char** argv, FlagMap& flags, std::string& error) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.substr(0, 2) != "--") {
      error = "unexpected argument: " + std::string(arg);
      return false;
    }
    arg.remove_prefix(2);
    std::string name, value = "true";
    if (auto eq = arg.find('='); eq != std::string_view::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    } else {
      name = arg;
    }
    auto it = flags.find(name);
    if (it == flags.end()) {
      error = "unknown flag: --" + name;
      return false;
    }
    it->second = value;
  }
  return true;
}

// "true"/"1" or "false"/"0"; anything else is an error.
inline bool ParseBool(const std::string& text, bool& out) {
  if (text == "true" || text == "1") {
    out = true;
  } else if (text == "false" || text == "0") {
    out = false;
  } else {
    return false;
  }
  return true;
}

// A whole decimal integer in [lo, hi]; anything else is an error.
inline bool ParseInt(const std::string& text, int lo, int hi, int& out) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return !text.empty() && ec == std::errc() && ptr == end && out >= lo && out <= hi;
}

}  // namespace interop

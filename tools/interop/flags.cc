// tools/interop/flags.cc — see flags.h.
#include "flags.h"

#include <charconv>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace pronto_interop {

bool Flags::parse(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.substr(0, 2) != "--") {
      error_ = "unexpected argument: " + std::string(arg);
      return false;
    }
    arg.remove_prefix(2);
    std::string name(arg), value = "true";
    if (auto eq = arg.find('='); eq != std::string_view::npos) {
      name = std::string(arg.substr(0, eq));
      value = std::string(arg.substr(eq + 1));
    }
    auto it = values_.find(name);
    if (it == values_.end()) {
      error_ = "unknown flag: --" + name;
      return false;
    }
    it->second = std::move(value);
  }
  return true;
}

std::optional<bool> Flags::boolean(const std::string& name) {
  const std::string& text = get(name);
  if (text == "true" || text == "1") return true;
  if (text == "false" || text == "0") return false;
  error_ = "--" + name + " must be true or false";
  return std::nullopt;
}

std::optional<int> Flags::integer(const std::string& name, int lo, int hi) {
  const std::string& text = get(name);
  int value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || value < lo || value > hi) {
    error_ = "--" + name + "=N (" + std::to_string(lo) + ".." + std::to_string(hi) + ") is required";
    return std::nullopt;
  }
  return value;
}

int usage_error(std::string_view program, std::string_view error, std::string_view usage) {
  std::fprintf(stderr, "%.*s: %.*s\nusage: %.*s\n", static_cast<int>(program.size()), program.data(),
               static_cast<int>(error.size()), error.data(), static_cast<int>(usage.size()), usage.data());
  return 2;
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return std::move(out).str();
}

}  // namespace pronto_interop

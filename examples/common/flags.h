// common/flags.h — the examples' tiny command-line parser: --name=value
// flags only, every flag optional with a default.
//
// Ownership: a Flags value owns copies of the arguments.
// Threading: main thread only.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

namespace examples {

class Flags {
 public:
  // Exits with a usage message on an argument that is not --name=value.
  Flags(int argc, char** argv, std::string usage) : usage_(std::move(usage)) {
    for (int i = 1; i < argc; ++i) {
      std::string_view arg = argv[i];
      auto eq = arg.find('=');
      if (arg == "--help" || arg == "-h") die("");
      if (arg.substr(0, 2) != "--" || eq == std::string_view::npos) die("bad argument: " + std::string(arg));
      values_[std::string(arg.substr(2, eq - 2))] = std::string(arg.substr(eq + 1));
    }
  }

  std::string str(const std::string& name, std::string fallback) {
    auto it = values_.find(name);
    if (it == values_.end()) return fallback;
    std::string v = std::move(it->second);
    values_.erase(it);
    return v;
  }
  int integer(const std::string& name, int fallback) {
    std::string v = str(name, std::to_string(fallback));
    char* end = nullptr;
    long n = std::strtol(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || n < 0 || n > 1'000'000) die("--" + name + " wants a number, got " + v);
    return static_cast<int>(n);
  }
  // Call after reading every flag: exits on flags nobody asked for.
  void check_all_used() {
    if (!values_.empty()) die("unknown flag --" + values_.begin()->first);
  }

 private:
  [[noreturn]] void die(const std::string& error) {
    if (!error.empty()) std::fprintf(stderr, "%s\n", error.c_str());
    std::fprintf(error.empty() ? stdout : stderr, "usage: %s\n", usage_.c_str());
    std::exit(error.empty() ? 0 : 2);
  }

  std::string usage_;
  std::map<std::string, std::string> values_;
};

}  // namespace examples

// tools/interop/flags.h — the command-line flags of pronto's interop peers.
//
// The interop suite passes flags as `--name=value`; a bare `--name` means
// "true". Only names registered with their defaults are accepted, so a typo
// is a usage error instead of a silently ignored flag. The rules are those of
// the reference peers (tests/interop/interop_flags.h and interop_flags.py).
//
// Ownership: a plain value. Threading: one thread.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace pronto_interop {

class Flags {
 public:
  // `defaults` names every accepted flag with its default value.
  explicit Flags(std::map<std::string, std::string> defaults) : values_(std::move(defaults)) {}

  // Parses argv[1..]. False (and error() says why) on an argument that is not
  // `--name[=value]` or names an unknown flag.
  bool parse(int argc, char** argv);

  // The value of a registered flag (its default unless given).
  const std::string& get(const std::string& name) const { return values_.at(name); }
  // "true"/"1" or "false"/"0"; nullopt (and error() set) otherwise.
  std::optional<bool> boolean(const std::string& name);
  // A whole decimal integer in [lo, hi]; nullopt (and error() set) otherwise.
  std::optional<int> integer(const std::string& name, int lo, int hi);

  const std::string& error() const noexcept { return error_; }

 private:
  std::map<std::string, std::string> values_;
  std::string error_;
};

// Prints "<program>: <error>" and the usage line to stderr; returns 2, the
// exit status of a usage error.
int usage_error(std::string_view program, std::string_view error, std::string_view usage);

// The whole file at `path`, or nullopt when it cannot be read.
std::optional<std::string> read_file(const std::string& path);

}  // namespace pronto_interop

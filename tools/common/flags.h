// tools/common/flags.h — the one command-line flag parser of pronto's
// programs: the examples, tools/ (pronto-bench, the interop peers), bench/
// and the test peers, the ones built on the official grpc++ included. So it
// is header-only and uses the standard library only (no pronto).
//
//   cli::Flags flags("helloworld-server", "Serves helloworld.Greeter.");
//   int port = 50051;
//   flags.integer("port", &port, 0, 65535, "port to listen on; 0 picks a free one");
//   flags.parse_or_exit(argc, argv);
//
// A flag writes its value into the variable it was registered with; what
// that variable holds at registration is the default (shown by --help).
//
// Syntax:
//   --name=value, or --name value (the next argument is the value);
//   `-` and `_` are the same in names (--chunk-kib = --chunk_kib);
//   a boolean flag alone means true, --no-name means false, and
//   --name=true|false|1|0|yes|no;
//   a flag given twice: the last value wins, except list flags, which
//   collect every value;
//   -h, -help, --help: help_requested() (parse_or_exit prints help() and
//   exits 0);
//   anything else that does not start with `--` is an error (no program
//   takes positional arguments).
// Usage errors (unknown flag, missing value, malformed or out-of-range
// value, missing required flag): parse() returns the message;
// parse_or_exit() and fail() print "<program>: <message>" and the usage line
// to stderr and exit 2.
//
// Registration names may carry the placeholder --help shows for the value:
// "target=HOST:PORT". Ownership: Flags keeps pointers to the registered
// variables, which must outlive parse(). Threading: one thread.
#pragma once

#include <algorithm>
#include <charconv>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

namespace cli {

// The whole of `text` as a T (decimal); nullopt on anything else.
template <class T>
std::optional<T> parse_number(std::string_view text) {
  T value{};
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

// true/1/yes or false/0/no; nullopt otherwise.
inline std::optional<bool> parse_bool(std::string_view text) {
  if (text == "true" || text == "1" || text == "yes") return true;
  if (text == "false" || text == "0" || text == "no") return false;
  return std::nullopt;
}

// "10s", "250ms", "1m30s", "2h", "1.5s", "100us", "42ns", "0"; a bare number
// is seconds. nullopt when malformed, negative or over 1e9 s (a typo).
inline std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text) {
  static constexpr std::pair<std::string_view, double> kUnits[] = {
      {"h", 3600}, {"m", 60}, {"s", 1}, {"ms", 1e-3}, {"us", 1e-6}, {"\xC2\xB5s", 1e-6}, {"ns", 1e-9}};
  constexpr std::string_view kDigits = "0123456789.";
  if (text.empty()) return std::nullopt;
  double seconds = 0;
  if (text.find_first_not_of(kDigits) == std::string_view::npos) {  // a bare number: seconds
    auto value = parse_number<double>(text);
    if (!value) return std::nullopt;
    seconds = *value;
    text = {};
  }
  while (!text.empty()) {  // NUMBER UNIT, repeated
    std::size_t n = text.find_first_not_of(kDigits);
    if (n == 0 || n == std::string_view::npos) return std::nullopt;  // no number, or no unit
    auto value = parse_number<double>(text.substr(0, n));
    text.remove_prefix(n);
    std::string_view unit = text.substr(0, text.find_first_of(kDigits));
    text.remove_prefix(unit.size());
    auto it =
        std::find_if(std::begin(kUnits), std::end(kUnits), [&](const auto& u) { return u.first == unit; });
    if (!value || it == std::end(kUnits)) return std::nullopt;
    seconds += *value * it->second;
  }
  if (seconds > 1e9) return std::nullopt;
  return std::chrono::nanoseconds(static_cast<std::int64_t>(seconds * 1e9 + 0.5));
}

// The shortest of "2h", "90s", "250ms", ... that is exact; "0" for zero.
inline std::string format_duration(std::chrono::nanoseconds d) {
  static constexpr std::pair<const char*, std::int64_t> kUnits[] = {{"h", 3'600'000'000'000},
                                                                    {"m", 60'000'000'000},
                                                                    {"s", 1'000'000'000},
                                                                    {"ms", 1'000'000},
                                                                    {"us", 1'000}};
  const std::int64_t ns = d.count();
  if (ns == 0) return "0";
  for (const auto& [unit, size] : kUnits) {
    if (ns % size == 0) return std::to_string(ns / size) + unit;
  }
  return std::to_string(ns) + "ns";
}

class Flags {
 public:
  // Stores a flag's value; returns "" or what is wrong with it (a whole
  // message, naming the flag).
  using Setter = std::function<std::string(const std::string& value)>;

  // `about` opens --help, after the usage line. `synopsis` is what the
  // usage line shows after the program name; empty: made from the flags.
  explicit Flags(std::string program, std::string about = "", std::string synopsis = "")
      : program_(std::move(program)), about_(std::move(about)), synopsis_(std::move(synopsis)) {}

  Flags& string(std::string_view name, std::string* out, std::string help) {
    return add(name, "VALUE", std::move(help), quoted(*out), false, [out](const std::string& v) {
      *out = v;
      return std::string();
    });
  }

  // A whole decimal number in [lo, hi].
  template <std::integral T>
  Flags& integer(std::string_view name, T* out, T lo, T hi, std::string help) {
    const std::string display = display_name(name);
    return add(name, "N", std::move(help), std::to_string(*out), false,
               [out, lo, hi, display](const std::string& v) -> std::string {
                 auto n = parse_number<T>(v);
                 if (n && *n >= lo && *n <= hi) {
                   *out = *n;
                   return "";
                 }
                 return "--" + display + " must be a whole number " + range(lo, hi) + ", not '" + v + "'";
               });
  }

  // A decimal number (1.5, 2, 1e3) in [lo, hi].
  Flags& number(std::string_view name, double* out, double lo, double hi, std::string help) {
    const std::string display = display_name(name);
    return add(name, "X", std::move(help), shortest(*out), false,
               [out, lo, hi, display](const std::string& v) -> std::string {
                 auto n = parse_number<double>(v);
                 if (n && *n >= lo && *n <= hi) {
                   *out = *n;
                   return "";
                 }
                 return "--" + display + " must be a number " + range(lo, hi) + ", not '" + v + "'";
               });
  }

  Flags& boolean(std::string_view name, bool* out, std::string help) {
    const std::string display = display_name(name);
    return add(name, "", std::move(help), *out ? "true" : "false", true,
               [out, display](const std::string& v) -> std::string {
                 auto b = parse_bool(v);
                 if (!b) return "--" + display + " takes true or false, not '" + v + "'";
                 *out = *b;
                 return "";
               });
  }

  // A duration as parse_duration() reads it.
  Flags& duration(std::string_view name, std::chrono::nanoseconds* out, std::string help) {
    const std::string display = display_name(name);
    return add(name, "D", std::move(help), format_duration(*out), false,
               [out, display](const std::string& v) -> std::string {
                 auto d = parse_duration(v);
                 if (!d)
                   return "--" + display + " must be a duration like 10s, 500ms or 1m30s, not '" + v + "'";
                 *out = *d;
                 return "";
               });
  }

  // Repeatable: every value, in order, appended to *out.
  Flags& list(std::string_view name, std::vector<std::string>* out, std::string help) {
    return add(name, "VALUE", std::move(help) + " (repeatable)", "", false, [out](const std::string& v) {
      out->push_back(v);
      return std::string();
    });
  }

  // Anything else: `set` checks and stores each value given.
  Flags& custom(std::string_view name, Setter set, std::string help, std::string default_text = "") {
    return add(name, "VALUE", std::move(help), std::move(default_text), false, std::move(set));
  }

  // The flag registered last must be given (a usage error otherwise).
  Flags& required() {
    if (!flags_.empty()) flags_.back().required = true;
    return *this;
  }

  // A heading for the flags registered after it, in --help.
  Flags& section(std::string heading) {
    sections_.emplace_back(flags_.size(), std::move(heading));
    return *this;
  }

  // Parses `args` (the arguments after the program name); "" or the usage
  // error. Stops at -h/--help (help_requested()).
  std::string parse(const std::vector<std::string>& args) {
    for (std::size_t i = 0; i < args.size(); ++i) {
      const std::string& arg = args[i];
      if (arg == "-h" || arg == "-help" || arg == "--help") {
        help_ = true;
        return "";
      }
      if (arg.size() < 3 || arg.compare(0, 2, "--") != 0) {
        return "unexpected argument '" + arg + "' (flags are --name=value)";
      }
      const std::size_t eq = arg.find('=');
      const std::string typed = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
      const std::string key = normalize(typed);
      Flag* flag = find(key);
      std::optional<std::string> value;
      if (eq != std::string::npos) value = arg.substr(eq + 1);
      if (!flag && key.compare(0, 3, "no_") == 0) {  // --no-name: a boolean flag, false
        Flag* negated = find(key.substr(3));
        if (negated && negated->boolean) {
          if (value) return "--" + typed + " takes no value";
          flag = negated;
          value = "false";
        }
      }
      if (!flag) return "unknown flag --" + typed;
      if (!value) {
        if (flag->boolean) {
          value = "true";
        } else if (i + 1 < args.size()) {
          value = args[++i];
        } else {
          return "--" + flag->name + " needs a value";
        }
      }
      if (std::string error = flag->set(*value); !error.empty()) return error;
      flag->given = true;
    }
    for (const Flag& flag : flags_) {
      if (flag.required && !flag.given) return "--" + flag.name + " is required";
    }
    return "";
  }

  // The same for main's arguments (argv[0] is the program, skipped).
  std::string parse(int argc, const char* const* argv) {
    return parse(std::vector<std::string>(argv + std::min(argc, 1), argv + argc));
  }

  // parse(), then: --help prints help() to stdout and exits 0; a usage
  // error is fail().
  void parse_or_exit(int argc, const char* const* argv) {
    if (std::string error = parse(argc, argv); !error.empty()) fail(error);
    if (help_) {
      std::fputs(help().c_str(), stdout);
      std::exit(0);
    }
  }

  // A usage error found by the program itself (flags that do not go
  // together, an unreadable file): "<program>: <error>" and the usage line
  // on stderr, exit status 2.
  [[noreturn]] void fail(const std::string& error) const {
    std::fprintf(stderr, "%s: %s\n%sRun '%s --help' for the flags.\n", program_.c_str(), error.c_str(),
                 usage().c_str(), program_.c_str());
    std::exit(2);
  }

  bool help_requested() const noexcept { return help_; }

  // Whether the flag was on the command line (its variable may hold a
  // default otherwise).
  bool given(std::string_view name) const {
    const std::string key = normalize(name);
    return std::any_of(flags_.begin(), flags_.end(), [&](const Flag& f) { return f.key == key && f.given; });
  }

  // "usage: <program> <synopsis>\n".
  std::string usage() const {
    std::string line = "usage: " + program_;
    if (!synopsis_.empty()) return line + " " + synopsis_ + "\n";
    for (const Flag& flag : flags_) {
      const std::string spelled = flag.boolean ? "--" + flag.name : "--" + flag.name + "=" + flag.placeholder;
      line += flag.required ? " " + spelled : " [" + spelled + "]";
    }
    return line + "\n";
  }

  // The usage line, `about`, then every flag with its help and default.
  std::string help() const {
    std::string out = usage();
    if (!about_.empty()) out += "\n" + about_ + (about_.back() == '\n' ? "" : "\n");
    std::size_t next_section = 0;
    for (std::size_t i = 0; i <= flags_.size(); ++i) {
      for (; next_section < sections_.size() && sections_[next_section].first == i; ++next_section) {
        out += "\n" + sections_[next_section].second + "\n";
      }
      if (i == 0 && (sections_.empty() || sections_[0].first != 0)) out += "\n";
      if (i == flags_.size()) break;
      const Flag& flag = flags_[i];
      std::string text = flag.help;
      if (flag.required) {
        text += " (required)";
      } else if (!flag.default_text.empty()) {
        text += " (default: " + flag.default_text + ")";
      }
      out += column("--" + flag.name + (flag.boolean ? "" : "=" + flag.placeholder), text);
    }
    out += column("--help", "print this help and exit");
    return out;
  }

 private:
  struct Flag {
    std::string name;  // as registered, without the placeholder
    std::string key;   // normalized
    std::string placeholder;
    std::string help;
    std::string default_text;
    bool boolean = false;
    bool required = false;
    bool given = false;
    Setter set;
  };

  Flags& add(std::string_view name, std::string placeholder, std::string help, std::string default_text,
             bool boolean, Setter set) {
    if (auto eq = name.find('='); eq != std::string_view::npos) {
      placeholder = std::string(name.substr(eq + 1));
      name = name.substr(0, eq);
    }
    std::string key = normalize(name);
    if (find(key)) {  // a programming error; fail loudly at once
      std::fprintf(stderr, "%s: flag --%s registered twice\n", program_.c_str(), std::string(name).c_str());
      std::abort();
    }
    flags_.push_back(Flag{std::string(name), std::move(key), std::move(placeholder), std::move(help),
                          std::move(default_text), boolean, false, false, std::move(set)});
    return *this;
  }

  Flag* find(const std::string& key) {
    auto it = std::find_if(flags_.begin(), flags_.end(), [&](const Flag& f) { return f.key == key; });
    return it == flags_.end() ? nullptr : &*it;
  }

  static std::string normalize(std::string_view name) {
    std::string key(name);
    std::replace(key.begin(), key.end(), '-', '_');
    return key;
  }

  static std::string display_name(std::string_view name) {
    return std::string(name.substr(0, name.find('=')));
  }

  static std::string quoted(const std::string& s) { return s.empty() ? "" : "\"" + s + "\""; }

  static std::string shortest(double x) {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x);
    return ec == std::errc() ? std::string(buf, end) : std::to_string(x);
  }

  template <class T>
  static std::string range(T lo, T hi) {
    auto text = [](T x) {
      if constexpr (std::is_floating_point_v<T>) {
        return shortest(x);
      } else {
        return std::to_string(x);
      }
    };
    if (hi >= std::numeric_limits<T>::max()) return "of at least " + text(lo);  // also +inf
    return "in " + text(lo) + ".." + text(hi);
  }

  // "  --name=V          text", the text from column 26 (on the next line
  // when the flag is longer), its own lines indented the same.
  static std::string column(const std::string& spelled, const std::string& text) {
    constexpr std::size_t kColumn = 26;
    std::string out = "  " + spelled;
    out +=
        out.size() + 1 < kColumn ? std::string(kColumn - out.size(), ' ') : "\n" + std::string(kColumn, ' ');
    for (char c : text) {
      out += c;
      if (c == '\n') out += std::string(kColumn, ' ');
    }
    return out + "\n";
  }

  std::string program_;
  std::string about_;
  std::string synopsis_;
  std::vector<Flag> flags_;
  std::vector<std::pair<std::size_t, std::string>> sections_;  // (index of the first flag, heading)
  bool help_ = false;
};

}  // namespace cli

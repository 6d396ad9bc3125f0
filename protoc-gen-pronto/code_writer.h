// protoc-gen-pronto/code_writer.h — CodeWriter, a line-oriented text builder
// that indents and wraps long declarations and calls the way clang-format
// (the repository's Google-based style, 110 columns) lays them out, so
// generated files read like hand-formatted code.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pronto::gen {

// One C++ declaration, definition or call in the making:
// `type head(args...)tail`, e.g. type "int", head "Foo::bar", args
// {"int a", "int b"}, tail " const"; `type` is empty for calls and
// statements (head "return f").
struct CallShape {
  std::string type;
  std::string head;
  std::vector<std::string> args;
  std::string tail;
};

// Builds generated source text. Not thread-safe; one writer per file.
class CodeWriter {
 public:
  static constexpr size_t column_limit = 110;

  // Appends `text` on its own line at the current indentation (no
  // indentation for an empty line).
  void line(std::string_view text);
  // Appends a line at one column left of the current indentation, as
  // access specifiers sit ("public:").
  void access(std::string_view specifier);
  // Appends one "// ..." line per entry (entries hold the text after "//").
  void comment_lines(const std::vector<std::string>& lines);
  void blank() { text_ += '\n'; }
  void indent() { indent_ += 2; }
  void outdent() { indent_ -= 2; }

  // Appends `shape`, on one line when it fits, else wrapped.
  void wrapped(const CallShape& shape);

  // Appends `lhs = rhs;`, breaking after '=' when it does not fit.
  void assignment(std::string_view lhs, std::string_view rhs);

  // Appends a function definition whose body is the single statement
  // `body` (e.g. head "return f", tail ";"): on one line when it all fits,
  // else the signature, the indented body and "}". `signature.tail` is what
  // follows ')' (" const", "").
  void function(const CallShape& signature, const CallShape& body);

  // Appends a constructor definition `signature : init { body }`; the
  // initializer moves to its own line when the first line is too long.
  void constructor(const CallShape& signature, std::string_view init, const std::vector<CallShape>& body);

  const std::string& text() const noexcept { return text_; }

 private:
  std::string pad() const { return std::string(indent_, ' '); }

  std::string text_;
  size_t indent_ = 0;
};

}  // namespace pronto::gen

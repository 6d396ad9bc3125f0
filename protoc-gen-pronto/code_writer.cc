// protoc-gen-pronto/code_writer.cc — CodeWriter: indentation and
// clang-format-like wrapping.
#include "code_writer.h"

#include <optional>
#include <string_view>

namespace pronto::gen {
namespace {

using Lines = std::vector<std::string>;

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += ", ";
    out += parts[i];
  }
  return out;
}

bool fits(const std::string& line) { return line.size() <= CodeWriter::column_limit; }
bool fits(const Lines& lines) {
  for (const std::string& l : lines) {
    if (!fits(l)) return false;
  }
  return true;
}

std::string trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return std::string(s);
}

Lines pack(const std::string& open, size_t cont, bool open_alone, const std::vector<std::string>& args,
           const std::string& close, bool split);

// pad + text + suffix with the first template argument list of `text`
// broken the way clang-format breaks a long "f<A, B>": after the commas and
// aligned after '<'; or, with `allow_broken`, after '<' and four columns
// in. nullopt when neither fits (or text has no template arguments).
std::optional<Lines> template_layout(const std::string& pad, const std::string& text,
                                     const std::string& suffix, bool allow_broken) {
  size_t lt = text.find('<');
  if (lt == std::string::npos) return std::nullopt;
  std::vector<std::string> targs;
  size_t start = lt + 1;
  int depth = 0;
  for (size_t i = lt + 1; i < text.size(); ++i) {
    if (text[i] == '<') {
      ++depth;
    } else if (text[i] == '>' && depth > 0) {
      --depth;
    } else if ((text[i] == ',' || text[i] == '>') && depth == 0) {
      targs.push_back(trim(std::string_view(text).substr(start, i - start)));
      start = i + 1;
      if (text[i] == '>') break;
    }
  }
  if (targs.empty()) return std::nullopt;
  std::string open = pad + text.substr(0, lt + 1);
  std::string close = ">" + text.substr(start) + suffix;
  if (targs.size() > 1) {
    Lines aligned = pack(open, open.size(), false, targs, close, false);
    if (fits(aligned)) return aligned;
  }
  if (!allow_broken) return std::nullopt;
  Lines broken = pack(open, pad.size() + 4, true, targs, close, false);
  if (fits(broken)) return broken;
  // "A<B<C>>": break after the next '<' in instead.
  std::string cont(pad.size() + 4, ' ');
  for (size_t next = text.find('<', lt + 1); next != std::string::npos; next = text.find('<', next + 1)) {
    Lines deeper{pad + text.substr(0, next + 1), cont + text.substr(next + 1) + suffix};
    if (fits(deeper)) return deeper;
  }
  return std::nullopt;
}

// A parameter broken up as clang-format does when it does not fit: before
// its name, or inside its type's template arguments (keeping the name on the
// last line if it fits there). It starts after `prefix`; a name on a line of
// its own goes four columns past `cont`. With `same_line` the parameter
// continues a line holding other parameters: only an aligned template split
// that fits with the name is accepted (else nullopt). The last line leaves
// room for `end_size` more columns.
std::optional<Lines> split_param(const std::string& prefix, size_t cont, const std::string& param,
                                 size_t end_size, bool same_line) {
  size_t end = param.find(" = ");
  size_t at = param.rfind(' ', end == std::string::npos ? std::string::npos : end - 1);
  if (at == std::string::npos || at == 0) return std::nullopt;
  std::string type = param.substr(0, at);
  std::string name = param.substr(at + 1);
  // A commented-out name is a comment to clang-format: not indented.
  std::string name_line = std::string(cont, ' ') + (name.starts_with("/*") ? "" : "    ") + name;
  if (!same_line && fits(prefix + type)) return Lines{prefix + type, name_line};
  // Rather on a fresh line than split, when the type fits there.
  if (same_line && fits(std::string(cont, ' ') + type)) return std::nullopt;
  std::optional<Lines> lines = template_layout(prefix, type, "", !same_line);
  if (!lines) return same_line ? std::nullopt : std::optional<Lines>(Lines{prefix + type, name_line});
  if (fits(lines->back() + " " + name + std::string(end_size, ' '))) {
    lines->back() += " " + name;
  } else if (same_line) {
    return std::nullopt;
  } else {
    lines->push_back(name_line);
  }
  return lines;
}

// True for a line holding one token after its indentation.
bool single_token(const std::string& line) {
  size_t start = line.find_first_not_of(' ');
  return start != std::string::npos && line.find(' ', start) == std::string::npos;
}

// Bin-packs `args` after `open` (the text up to and including '('), each
// further line starting at column `cont`; `close` ends the last line. With
// `open_alone` the first argument starts on a new line too. With `split`, an
// argument too long for the space left is broken up (split_param); nothing
// follows a name that had to go on a line of its own.
Lines pack(const std::string& open, size_t cont, bool open_alone, const std::vector<std::string>& args,
           const std::string& close, bool split) {
  Lines lines;
  std::string pad(cont, ' ');
  std::string current = open_alone ? pad : open;
  if (open_alone) lines.push_back(open);
  bool name_alone = false;  // current holds just a parameter's name
  auto append = [&](Lines parts) {
    name_alone = parts.size() > 1 && single_token(parts.back());
    current = std::move(parts.back());
    parts.pop_back();
    lines.insert(lines.end(), parts.begin(), parts.end());
  };
  for (size_t i = 0; i < args.size(); ++i) {
    size_t end_size = i + 1 == args.size() ? close.size() : 1;
    if (i > 0) {
      std::string candidate = current + ", " + args[i];
      if (!name_alone && fits(candidate + std::string(end_size, ' '))) {
        current = std::move(candidate);
        continue;
      }
      name_alone = false;
      if (split) {
        if (std::optional<Lines> parts = split_param(current + ", ", cont, args[i], end_size, true)) {
          append(std::move(*parts));
          continue;
        }
      }
      lines.push_back(current + ",");
      current = pad;
    }
    std::optional<Lines> parts;
    if (split && current == pad && !fits(pad + args[i] + std::string(end_size, ' '))) {
      parts = split_param(pad, cont, args[i], end_size, false);
    }
    if (parts) {
      append(std::move(*parts));
    } else {
      current += args[i];
    }
  }
  lines.push_back(current + close);
  return lines;
}

// `open(args)close` wrapped: aligned after '(' or broken after '(' and
// indented four columns past `indent`. A declaration's parameters stay
// aligned whenever they fit; a call's arguments when that takes no more
// lines. (Roughly how clang-format's penalties work out for the lengths
// generated code has; very long names can come out differently.)
Lines paren_layout(const std::string& open, size_t indent, const std::vector<std::string>& args,
                   const std::string& close, bool split, bool declaration) {
  Lines aligned = pack(open, open.size(), false, args, close, split);
  Lines broken = pack(open, indent + 4, true, args, close, split);
  // Breaking after a template's '<' weighs like two more lines; once
  // parameters must be broken up, a tie goes to the broken form.
  auto cost = [](const Lines& lines) {
    size_t cost = lines.size();
    for (const std::string& l : lines) cost += l.ends_with("<") ? 2 : 0;
    return cost;
  };
  if (!fits(aligned)) return broken;
  if (!fits(broken)) return aligned;
  if (split) return cost(aligned) < cost(broken) ? aligned : broken;
  return declaration || aligned.size() <= broken.size() ? aligned : broken;
}

std::string one_line(const CallShape& shape) {
  std::string text = shape.type.empty() ? "" : shape.type + " ";
  return text + shape.head + "(" + join(shape.args) + ")" + shape.tail;
}

// The lines of `shape` at `indent`, trying in turn: one line; wrapped
// after '('; "f() const" with const on the next line; the return type on a
// line of its own; a call's template arguments broken; parameters broken up
// (split_param), first without and then with the return type on its own.
Lines layout(const CallShape& shape, size_t indent, bool split, bool declaration) {
  std::string pad(indent, ' ');
  Lines single{pad + one_line(shape)};
  if (fits(single)) return single;
  std::string lead = shape.type.empty() ? "" : shape.type + " ";
  std::string open = pad + lead + shape.head + "(";
  std::string close = ")" + shape.tail;
  if (!shape.args.empty()) {
    Lines wrapped = paren_layout(open, indent, shape.args, close, false, declaration);
    if (fits(wrapped)) return wrapped;
  } else if (shape.tail.starts_with(" const") && fits(open + ")")) {
    return {open + ")", pad + "    " + shape.tail.substr(1)};
  }
  Lines type_lines;
  if (!shape.type.empty()) {
    type_lines = {pad + shape.type};
    if (!fits(type_lines[0])) type_lines = template_layout(pad, shape.type, "", true).value_or(type_lines);
    Lines own_line = type_lines;
    for (std::string& l : layout({"", shape.head, shape.args, shape.tail}, indent, false, true)) {
      own_line.push_back(std::move(l));
    }
    if (fits(own_line)) return own_line;
  } else if (!declaration && !fits(open)) {
    // A call whose name and template arguments alone overflow.
    if (std::optional<Lines> head = template_layout(pad, shape.head, "(", true)) {
      // After "f<A,\n B>(" the arguments stay aligned after '(' if that takes
      // at most two lines (clang-format's penalties).
      std::string last = std::move(head->back());
      head->pop_back();
      Lines args = pack(last, last.size(), false, shape.args, close, split);
      if (!fits(args) || args.size() > 2) {
        args = paren_layout(last, indent, shape.args, close, split, false);
      }
      for (std::string& l : args) head->push_back(std::move(l));
      if (fits(*head)) return *head;
    }
  }
  if (shape.args.empty()) return single;
  Lines split_here = paren_layout(open, indent, shape.args, close, split, declaration);
  if (fits(split_here) || type_lines.empty() || !split) return split_here;
  Lines own_line = type_lines;
  for (std::string& l : layout({"", shape.head, shape.args, shape.tail}, indent, true, true)) {
    own_line.push_back(std::move(l));
  }
  return fits(own_line) ? own_line : split_here;
}

}  // namespace

void CodeWriter::line(std::string_view text) {
  if (!text.empty()) text_ += pad();
  text_ += text;
  text_ += '\n';
}

void CodeWriter::access(std::string_view specifier) {
  text_ += std::string(indent_ - 1, ' ');
  text_ += specifier;
  text_ += '\n';
}

void CodeWriter::comment_lines(const std::vector<std::string>& lines) {
  for (const std::string& l : lines) line("//" + l);
}

void CodeWriter::wrapped(const CallShape& shape) {
  for (const std::string& l : layout(shape, indent_, true, !shape.type.empty())) {
    text_ += l;
    text_ += '\n';
  }
}

void CodeWriter::assignment(std::string_view lhs, std::string_view rhs) {
  std::string single = std::string(lhs) + " = " + std::string(rhs) + ";";
  if (fits(pad() + single)) {
    line(single);
    return;
  }
  line(std::string(lhs) + " =");
  line("    " + std::string(rhs) + ";");
}

void CodeWriter::function(const CallShape& signature, const CallShape& body) {
  std::string single = pad() + one_line(signature) + " { " + one_line(body) + " }";
  if (fits(single)) {
    line(single.substr(indent_));
    return;
  }
  wrapped({signature.type, signature.head, signature.args, signature.tail + " {"});
  indent();
  wrapped(body);
  outdent();
  line("}");
}

void CodeWriter::constructor(const CallShape& signature, std::string_view init,
                             const std::vector<CallShape>& body) {
  std::string first = one_line(signature) + " : " + std::string(init) + " {";
  if (body.empty()) first += "}";
  if (body.size() == 1) {
    std::string single = pad() + first + " " + one_line(body[0]) + " }";
    if (fits(single)) {
      line(single.substr(indent_));
      return;
    }
  }
  if (fits(pad() + first)) {
    line(first);
  } else {
    wrapped(signature);
    indent();
    indent();
    line(": " + std::string(init) + (body.empty() ? " {}" : " {"));
    outdent();
    outdent();
  }
  if (body.empty()) return;
  indent();
  for (const CallShape& statement : body) wrapped(statement);
  outdent();
  line("}");
}

}  // namespace pronto::gen

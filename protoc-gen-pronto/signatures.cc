// protoc-gen-pronto/signatures.cc — member shapes per rpc kind.
#include "signatures.h"

#include <utility>
#include <vector>

namespace pronto::gen {
namespace {

bool sends_one_request(const MethodModel& m) {
  return m.kind == MethodKind::unary || m.kind == MethodKind::server_streaming;
}
bool returns_one_response(const MethodModel& m) {
  return m.kind == MethodKind::unary || m.kind == MethodKind::client_streaming;
}

// "Q, R": the template arguments of the two-type stream classes and calls.
std::string both_types(const MethodModel& m) { return m.request + ", " + m.response; }

// Handler parameters after the ServerContext, as {type, name}.
std::vector<std::pair<std::string, std::string>> handler_params(const MethodModel& m) {
  switch (m.kind) {
    case MethodKind::unary:
      return {{"const " + m.request + "&", "request"}};
    case MethodKind::server_streaming:
      return {{"const " + m.request + "&", "request"},
              {"::pronto::ServerWriter<" + m.response + ">&", "writer"}};
    case MethodKind::client_streaming:
      return {{"::pronto::ServerReader<" + m.request + ">&", "reader"}};
    case MethodKind::bidi_streaming:
      return {{"::pronto::ServerStream<" + both_types(m) + ">&", "stream"}};
  }
  return {};
}

std::vector<std::string> stub_params(const MethodModel& m, bool with_default) {
  std::vector<std::string> params;
  if (sends_one_request(m)) params.push_back("const " + m.request + "& request");
  params.push_back(with_default ? "::pronto::CallOptions options = {}" : "::pronto::CallOptions options");
  return params;
}

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

}  // namespace

std::string handler_return_type(const MethodModel& m) {
  if (returns_one_response(m)) return "::pronto::Task<::pronto::Result<" + m.response + ">>";
  return "::pronto::Task<::pronto::Status>";
}

std::string stub_return_type(const MethodModel& m, StubForm form) {
  bool blocking = form == StubForm::blocking;
  switch (m.kind) {
    case MethodKind::unary:
      return blocking ? "::pronto::Result<" + m.response + ">"
                      : "::pronto::Task<::pronto::Result<" + m.response + ">>";
    case MethodKind::server_streaming:
      return (blocking ? "::pronto::BlockingReader<" : "::pronto::ClientReader<") + m.response + ">";
    case MethodKind::client_streaming:
      return (blocking ? "::pronto::BlockingWriter<" : "::pronto::ClientWriter<") + both_types(m) + ">";
    case MethodKind::bidi_streaming:
      return (blocking ? "::pronto::BlockingStream<" : "::pronto::ClientStream<") + both_types(m) + ">";
  }
  return {};
}

CallShape handler_declaration(const MethodModel& m) {
  CallShape shape{"virtual " + handler_return_type(m), m.name, {"::pronto::ServerContext& ctx"}, ";"};
  for (const auto& [type, name] : handler_params(m)) shape.args.push_back(type + " " + name);
  return shape;
}

CallShape handler_definition(const MethodModel& m, std::string_view scope) {
  CallShape shape{
      handler_return_type(m), std::string(scope) + "::" + m.name, {"::pronto::ServerContext& /*ctx*/"}, ""};
  for (const auto& [type, name] : handler_params(m)) shape.args.push_back(type + " /*" + name + "*/");
  return shape;
}

CallShape handler_default_body(const MethodModel& m) {
  return {"", "co_return unimplemented_method", {quoted(m.name)}, ";"};
}

CallShape handler_registration(const MethodModel& m) {
  static constexpr const char* adders[] = {"add_unary", "add_server_streaming", "add_client_streaming",
                                           "add_bidi_streaming"};
  return {"", adders[static_cast<int>(m.kind)], {quoted(m.name), "&Service::" + m.name}, ";"};
}

CallShape stub_declaration(const MethodModel& m, StubForm form) {
  return {stub_return_type(m, form), m.name, stub_params(m, true), " const;"};
}

CallShape stub_definition(const MethodModel& m, StubForm form, std::string_view scope) {
  return {stub_return_type(m, form), std::string(scope) + "::" + m.name, stub_params(m, false), " const"};
}

CallShape stub_body(const MethodModel& m, StubForm form) {
  std::vector<std::string> args{"channel_", quoted(m.path)};
  if (sends_one_request(m)) args.push_back("request");
  args.push_back("std::move(options)");
  if (form == StubForm::async) {
    switch (m.kind) {
      case MethodKind::unary:
        return {"", "return ::pronto::unary_call<" + m.response + ">", args, ";"};
      case MethodKind::server_streaming:
        return {"", "return ::pronto::server_streaming_call<" + m.response + ">", args, ";"};
      case MethodKind::client_streaming:
        return {"", "return ::pronto::client_streaming_call<" + both_types(m) + ">", args, ";"};
      case MethodKind::bidi_streaming:
        return {"", "return ::pronto::bidi_streaming_call<" + both_types(m) + ">", args, ";"};
    }
  }
  if (m.kind == MethodKind::unary) {
    return {"", "return ::pronto::blocking_unary_call<" + m.response + ">", args, ";"};
  }
  // The blocking streaming forms wrap the async call object.
  std::string async_call =
      "async()." + m.name + "(" + (sends_one_request(m) ? "request, " : "") + "std::move(options))";
  return {"", "return " + stub_return_type(m, form), {async_call}, ";"};
}

}  // namespace pronto::gen

// protoc-gen-pronto/signatures.h — the C++ shape of each generated member
// for one rpc: the server handler, the blocking stub method and the async
// stub method, as declarations (header) and definitions (source), plus
// their bodies. The types follow docs/codegen.md.
#pragma once

#include <string>
#include <string_view>

#include "code_writer.h"
#include "model.h"

namespace pronto::gen {

// Which client-side form of a method.
enum class StubForm { blocking, async };

// `virtual Task<...> Name(ServerContext& ctx, ...);` inside the Service class.
CallShape handler_declaration(const MethodModel& method);
// `Task<...> <scope>::Name(ServerContext& /*ctx*/, ...)` for the default body;
// `scope` is e.g. "Thing::Service".
CallShape handler_definition(const MethodModel& method, std::string_view scope);
// `co_return unimplemented_method("Name");`
CallShape handler_default_body(const MethodModel& method);
// `add_unary("Name", &Service::Name);` (or add_server_streaming, ...).
CallShape handler_registration(const MethodModel& method);

// `Result<R> Name(const Q& request, CallOptions options = {}) const;`
CallShape stub_declaration(const MethodModel& method, StubForm form);
// `Result<R> <scope>::Name(const Q& request, CallOptions options) const`.
CallShape stub_definition(const MethodModel& method, StubForm form, std::string_view scope);
// The single return statement of a stub method.
CallShape stub_body(const MethodModel& method, StubForm form);

// "::pronto::Result<::a::b::Item>" etc.: the return type of each form.
std::string handler_return_type(const MethodModel& method);
std::string stub_return_type(const MethodModel& method, StubForm form);

}  // namespace pronto::gen

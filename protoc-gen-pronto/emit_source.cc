// protoc-gen-pronto/emit_source.cc — writes X.pronto.cc.
#include <vector>

#include "code_writer.h"
#include "emit.h"
#include "signatures.h"

namespace pronto::gen {
namespace {

const char* const kChannelParam = "std::shared_ptr<::pronto::Channel> channel";
const char* const kChannelInit = "channel_(std::move(channel))";

void emit_server_side(CodeWriter& w, const FileModel& file, const ServiceModel& service) {
  std::string scope = service.name + "::Service";
  // The file's descriptor first (server reflection answers from it), then the methods.
  std::vector<CallShape> registrations;
  if (!file.descriptor_table.empty()) {
    registrations.push_back(
        {"", "::google::protobuf::internal::AssignDescriptors", {"&::" + file.descriptor_table}, ";"});
  }
  registrations.push_back({"", "set_file_descriptor", {file.file_descriptor}, ";"});
  for (const MethodModel& method : service.methods) registrations.push_back(handler_registration(method));
  w.constructor({"", scope + "::Service", {}, ""}, "::pronto::Service(std::string(service_full_name))",
                registrations);
  for (const MethodModel& method : service.methods) {
    w.blank();
    w.function(handler_definition(method, scope), handler_default_body(method));
  }
}

void emit_client_side(CodeWriter& w, const ServiceModel& service) {
  std::string stub = service.name + "::Stub";
  std::string async = stub + "::Async";
  w.constructor({"", stub + "::Stub", {kChannelParam}, ""}, kChannelInit, {});
  w.blank();
  w.function({async, stub + "::async", {}, " const"}, {"", "return Async", {"channel_"}, ";"});
  for (const MethodModel& method : service.methods) {
    w.blank();
    w.function(stub_definition(method, StubForm::blocking, stub), stub_body(method, StubForm::blocking));
  }
  w.blank();
  w.constructor({"", async + "::Async", {kChannelParam}, ""}, kChannelInit, {});
  for (const MethodModel& method : service.methods) {
    w.blank();
    w.function(stub_definition(method, StubForm::async, async), stub_body(method, StubForm::async));
  }
}

}  // namespace

std::string emit_source(const FileModel& file) {
  CodeWriter w;
  w.line(banner(file));
  w.line("#include \"" + file.base_path + ".pronto.h\"");
  if (file.services.empty()) return w.text();
  w.blank();
  w.line("#include <memory>");
  w.line("#include <string>");
  w.line("#include <utility>");
  w.blank();
  if (!file.cpp_namespace.empty()) {
    w.line("namespace " + file.cpp_namespace + " {");
    w.blank();
  }
  for (size_t i = 0; i < file.services.size(); ++i) {
    if (i > 0) w.blank();
    w.line("// " + file.services[i].full_name);
    w.blank();
    emit_server_side(w, file, file.services[i]);
    w.blank();
    emit_client_side(w, file.services[i]);
  }
  if (!file.cpp_namespace.empty()) {
    w.blank();
    w.line("}  // namespace " + file.cpp_namespace);
  }
  return w.text();
}

}  // namespace pronto::gen

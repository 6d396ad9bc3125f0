// tools/bench/request_source.cc — see request_source.h.
#include "request_source.h"

#include <google/protobuf/compiler/importer.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/util/json_util.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>

namespace pronto_bench {

namespace {

namespace fs = std::filesystem;
namespace gp = google::protobuf;
using pronto::Status;

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return std::move(out).str();
}

std::string absolute(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::absolute(path, ec);
  return (ec ? fs::path(path) : p).lexically_normal().string();
}

class CollectErrors final : public gp::compiler::MultiFileErrorCollector {
 public:
  void AddError(const std::string& file, int line, int column, const std::string& message) override {
    if (!text_.empty()) text_ += "\n";
    text_ += file + ":" + std::to_string(line + 1) + ":" + std::to_string(column + 1) + ": " + message;
  }
  const std::string& text() const noexcept { return text_; }

 private:
  std::string text_;
};

// The parsed --proto and everything it imports, kept alive together.
struct LoadedProto {
  gp::compiler::DiskSourceTree tree;
  CollectErrors errors;
  std::unique_ptr<gp::compiler::Importer> importer;
  const gp::FileDescriptor* file = nullptr;
};

Status load_proto(const BenchOptions& o, LoadedProto& out) {
  for (const auto& dir : o.import_paths) out.tree.MapPath("", absolute(dir));
  const std::string proto = absolute(o.proto);
  std::string virtual_file, shadowing;
  auto found = out.tree.DiskFileToVirtualFile(proto, &virtual_file, &shadowing);
  if (found == gp::compiler::DiskSourceTree::NO_MAPPING) {
    // Not under any --import_path: its own directory is the root.
    out.tree.MapPath("", fs::path(proto).parent_path().string());
    found = out.tree.DiskFileToVirtualFile(proto, &virtual_file, &shadowing);
  }
  if (found == gp::compiler::DiskSourceTree::CANNOT_OPEN)
    return Status::not_found("cannot read --proto " + o.proto);
  if (found == gp::compiler::DiskSourceTree::SHADOWED) {
    return Status::invalid_argument("--proto " + o.proto + " is shadowed by " + shadowing +
                                    " (an earlier --import_path has a file of the same name)");
  }
  if (found != gp::compiler::DiskSourceTree::SUCCESS) {
    return Status::invalid_argument("cannot map --proto " + o.proto + " into the import paths");
  }
  // The well-known types (google/protobuf/*.proto), after the user's paths.
  out.tree.MapPath("", PRONTO_BENCH_PROTOBUF_INCLUDE);
  out.importer = std::make_unique<gp::compiler::Importer>(&out.tree, &out.errors);
  out.file = out.importer->Import(virtual_file);
  if (!out.file) return Status::invalid_argument("cannot parse --proto:\n" + out.errors.text());
  return {};
}

std::string names_of_services(const gp::FileDescriptor& file) {
  std::string names;
  for (int i = 0; i < file.service_count(); ++i) names += (i ? ", " : "") + file.service(i)->full_name();
  return names.empty() ? "none" : names;
}

std::string names_of_methods(const gp::ServiceDescriptor& service) {
  std::string names;
  for (int i = 0; i < service.method_count(); ++i) names += (i ? ", " : "") + service.method(i)->name();
  return names.empty() ? "none" : names;
}

pronto::Result<const gp::MethodDescriptor*> find_method(const BenchOptions& o, const LoadedProto& proto) {
  const gp::ServiceDescriptor* service = proto.importer->pool()->FindServiceByName(o.service);
  if (!service) {
    return Status::invalid_argument("service " + o.service + " is not declared in " + o.proto +
                                    " (services: " + names_of_services(*proto.file) + ")");
  }
  const gp::MethodDescriptor* method = service->FindMethodByName(o.method);
  if (!method) {
    return Status::invalid_argument("service " + o.service + " has no method " + o.method +
                                    " (methods: " + names_of_methods(*service) + ")");
  }
  if (method->client_streaming()) {
    return Status::unimplemented(o.call_name() + " is " +
                                 (method->server_streaming() ? "bidirectional" : "client") +
                                 " streaming; pronto-bench drives unary and server-streaming methods");
  }
  return method;
}

}  // namespace

const char* call_kind_name(CallKind kind) noexcept {
  return kind == CallKind::server_streaming ? "server streaming" : "unary";
}

pronto::Result<RequestSpec> build_request(const BenchOptions& o) {
  RequestSpec spec;
  spec.path = o.path();

  if (!o.binary_file.empty()) {
    auto bytes = read_file(o.binary_file);
    if (!bytes) return Status::not_found("cannot read --binary_file " + o.binary_file);
    spec.bytes = std::move(*bytes);
  }
  if (o.proto.empty()) return spec;  // raw bytes (or an empty message), unary

  LoadedProto proto;
  if (Status st = load_proto(o, proto); !st.ok()) return st;
  auto method = find_method(o, proto);
  if (!method) return method.status();
  const gp::Descriptor* input = (*method)->input_type();
  spec.kind = (*method)->server_streaming() ? CallKind::server_streaming : CallKind::unary;
  spec.input_type = input->full_name();
  spec.output_type = (*method)->output_type()->full_name();

  gp::DynamicMessageFactory factory(proto.importer->pool());
  std::unique_ptr<gp::Message> message(factory.GetPrototype(input)->New());
  if (!o.binary_file.empty()) {
    // Raw bytes with a proto: check they are a valid request.
    if (!message->ParseFromString(spec.bytes)) {
      return Status::invalid_argument("--binary_file " + o.binary_file + " does not parse as " +
                                      spec.input_type);
    }
    return spec;
  }
  if (o.data) {
    std::string json = *o.data;
    if (!json.empty() && json.front() == '@') {
      auto text = read_file(json.substr(1));
      if (!text) return Status::not_found("cannot read --data file " + json.substr(1));
      json = std::move(*text);
    }
    auto st = gp::util::JsonStringToMessage(json, message.get());
    if (!st.ok()) {
      return Status::invalid_argument("--data is not a valid " + spec.input_type +
                                      " in JSON: " + std::string(st.message()));
    }
  }
  if (!message->SerializeToString(&spec.bytes)) {
    return Status::invalid_argument("--data does not serialize (missing required fields?)");
  }
  return spec;
}

}  // namespace pronto_bench

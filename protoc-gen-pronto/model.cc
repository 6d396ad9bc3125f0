// protoc-gen-pronto/model.cc — builds a FileModel from protoc's descriptors.
#include "model.h"

#include <google/protobuf/compiler/cpp/names.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>

#include <string_view>

namespace pronto::gen {
namespace {

namespace pb = google::protobuf;

// protoc's own C++ name for a message, e.g. "::a::b::Outer_Inner" (nested
// types are flattened with '_', keywords get protoc's suffix).
std::string cpp_type(const pb::Descriptor& message) {
  return pb::compiler::cpp::QualifiedClassName(&message);
}

MethodKind kind_of(const pb::MethodDescriptor& method) {
  if (method.client_streaming()) {
    return method.server_streaming() ? MethodKind::bidi_streaming : MethodKind::client_streaming;
  }
  return method.server_streaming() ? MethodKind::server_streaming : MethodKind::unary;
}

// Splits a leading comment as protoc reports it (" Does X.\n More.\n") into
// lines without trailing blanks; drops a trailing empty line.
template <class Desc>
std::vector<std::string> comments_of(const Desc& desc) {
  pb::SourceLocation location;
  std::vector<std::string> lines;
  if (!desc.GetSourceLocation(&location)) return lines;
  std::string_view text = location.leading_comments;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) {
      line.remove_suffix(1);
    }
    lines.emplace_back(line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

MethodModel build_method(const pb::MethodDescriptor& method, const std::string& service_full_name) {
  MethodModel m;
  m.name = method.name();
  m.path = "/" + service_full_name + "/" + method.name();
  m.request = cpp_type(*method.input_type());
  m.response = cpp_type(*method.output_type());
  m.kind = kind_of(method);
  m.comments = comments_of(method);
  return m;
}

ServiceModel build_service(const pb::ServiceDescriptor& service) {
  ServiceModel s;
  s.name = service.name();
  s.full_name = service.full_name();
  s.comments = comments_of(service);
  for (int i = 0; i < service.method_count(); ++i) {
    s.methods.push_back(build_method(*service.method(i), s.full_name));
  }
  return s;
}

// The name protoc's C++ generator gives a file's descriptor table, declared
// in its .pb.h: "descriptor_table_" and the file name with every character
// other than [A-Za-z0-9_] as '_' and its hex code ("a/b.proto" ->
// "descriptor_table_a_2fb_2eproto").
std::string descriptor_table_name(const std::string& file_name) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string name = "descriptor_table_";
  for (unsigned char c : file_name) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_') {
      name += static_cast<char>(c);
    } else {
      name += '_';
      if (c >= 16) name += hex[c >> 4];
      name += hex[c & 15];
    }
  }
  return name;
}

// How generated code reaches the file's descriptor (FileModel::file_descriptor).
std::string file_descriptor_expression(const pb::FileDescriptor& file) {
  if (file.options().optimize_for() == pb::FileOptions::LITE_RUNTIME) return "nullptr";
  if (file.message_type_count() > 0) return cpp_type(*file.message_type(0)) + "::descriptor()->file()";
  if (file.enum_type_count() > 0) {
    return pb::compiler::cpp::QualifiedClassName(file.enum_type(0)) + "_descriptor()->file()";
  }
  return "::google::protobuf::DescriptorPool::generated_pool()->FindFileByName(\"" + file.name() + "\")";
}

}  // namespace

std::string package_to_namespace(const std::string& package) {
  std::string ns;
  for (char c : package) {
    if (c == '.') {
      ns += "::";
    } else {
      ns += c;
    }
  }
  return ns;
}

std::string strip_proto_extension(const std::string& path) {
  for (std::string_view ext : {".protodevel", ".proto"}) {
    if (path.size() > ext.size() && path.compare(path.size() - ext.size(), ext.size(), ext) == 0) {
      return path.substr(0, path.size() - ext.size());
    }
  }
  return path;
}

FileModel build_file_model(const pb::FileDescriptor& file) {
  FileModel f;
  f.proto_path = file.name();
  f.base_path = strip_proto_extension(file.name());
  f.cpp_namespace = package_to_namespace(file.package());
  f.file_descriptor = file_descriptor_expression(file);
  if (f.file_descriptor.find("FindFileByName") != std::string::npos) {
    f.descriptor_table = descriptor_table_name(file.name());
  }
  for (int i = 0; i < file.service_count(); ++i) {
    f.services.push_back(build_service(*file.service(i)));
  }
  return f;
}

}  // namespace pronto::gen

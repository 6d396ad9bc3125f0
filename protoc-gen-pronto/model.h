// protoc-gen-pronto/model.h — what the generator knows about one .proto file:
// its services and methods with every C++ name already resolved, so the
// emitters only print.
#pragma once

#include <string>
#include <vector>

namespace google::protobuf {
class FileDescriptor;
}  // namespace google::protobuf

namespace pronto::gen {

// The four gRPC call shapes, named like pronto::RpcKind.
enum class MethodKind { unary, server_streaming, client_streaming, bidi_streaming };

// One rpc of a service.
struct MethodModel {
  std::string name;      // "Get", as spelled in the .proto
  std::string path;      // "/a.b.Thing/Get"
  std::string request;   // fully qualified C++ type, "::a::b::GetRequest"
  std::string response;  // fully qualified C++ type, "::a::b::Item_Part"
  MethodKind kind = MethodKind::unary;
  std::vector<std::string> comments;  // leading .proto comment, one entry a line
};

// One service of a file.
struct ServiceModel {
  std::string name;       // "Thing"
  std::string full_name;  // "a.b.Thing"
  std::vector<MethodModel> methods;
  std::vector<std::string> comments;
};

// One .proto file.
struct FileModel {
  std::string proto_path;     // "a/b/thing.proto", relative to its import dir
  std::string base_path;      // "a/b/thing"; outputs are base_path + ".pronto.h/.cc"
  std::string cpp_namespace;  // "a::b"; empty without a package
  std::vector<ServiceModel> services;
  // A C++ expression for the file's `const google::protobuf::FileDescriptor*`
  // in the generated pool (through a type of the file, which also links its
  // .pb.cc in); "nullptr" for a lite-runtime file, which has none.
  std::string file_descriptor;
  // For a file with no message or enum of its own: the name of the
  // descriptor table its .pb.h declares, which the generated code loads
  // before `file_descriptor` (which also makes the linker keep the .pb.cc
  // out of a static library); empty otherwise.
  std::string descriptor_table;
};

// Resolves every name the generated code needs from `file`'s descriptors.
FileModel build_file_model(const google::protobuf::FileDescriptor& file);

// "a.b" -> "a::b"; "" stays "".
std::string package_to_namespace(const std::string& package);

// "a/b/thing.proto" -> "a/b/thing" (also strips ".protodevel").
std::string strip_proto_extension(const std::string& path);

}  // namespace pronto::gen

// services/reflection_index.h — what server reflection answers from: the
// .proto files of a server's services and their transitive imports, indexed
// by file name, by symbol, and extensions by the type they extend.
//
// Ownership: the index holds pointers into protobuf's generated pool (which
// lives as long as the process) and owns the serialized FileDescriptorProtos.
// Threading: built once, before the server starts; read-only afterwards, so
// every event loop may read it at once without a lock.
// Lifetime: shared by the v1 and v1alpha reflection services
// (std::shared_ptr<const ReflectionIndex>).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "pronto/service.h"

namespace google::protobuf {
class FieldDescriptor;
}  // namespace google::protobuf

namespace pronto::detail {

class ReflectionIndex {
 public:
  using FileDescriptor = google::protobuf::FileDescriptor;
  using FieldDescriptor = google::protobuf::FieldDescriptor;

  // Indexes `services` (in registration order) and every file their
  // descriptors import, directly or not. A service without a descriptor
  // (Service::file_descriptor() null) is listed by name only.
  explicit ReflectionIndex(const std::vector<const Service*>& services);

  // Full names of the services, in registration order.
  const std::vector<std::string>& service_names() const noexcept { return service_names_; }
  // Null when no indexed file has that name.
  const FileDescriptor* file_by_name(std::string_view name) const;
  // The file declaring a fully qualified symbol: service, method
  // ("pkg.Svc.Method"), message, nested message, field, oneof, enum, enum
  // value (scoped as protobuf scopes it: "pkg.VALUE" or "pkg.Msg.VALUE"),
  // extension. Null when unknown.
  const FileDescriptor* file_containing_symbol(std::string_view symbol) const;
  // Whether `type` is a message of an indexed file.
  bool has_message_type(std::string_view type) const;
  // The extension of message `type` with `number`; null when unknown.
  const FieldDescriptor* extension(std::string_view type, int number) const;
  // The extension numbers of message `type`, ascending (empty when it has
  // none or is unknown: check has_message_type()).
  std::vector<int> extension_numbers(std::string_view type) const;

  // The serialized FileDescriptorProtos of `file` and of its transitive
  // imports, as grpc++ orders them: the file first, then each import
  // (depth first, in declaration order); a file already in `seen` is skipped
  // (a response carries each file once). Appends to `out`.
  void append_file_with_imports(const FileDescriptor* file, std::unordered_set<const FileDescriptor*>& seen,
                                std::vector<const std::string*>& out) const;

 private:
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  template <class V>
  using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

  void add_file(const FileDescriptor* file);
  void add_symbol(const std::string& name, const FileDescriptor* file);

  std::vector<std::string> service_names_;
  StringMap<const FileDescriptor*> files_;
  StringMap<const FileDescriptor*> symbols_;
  // message type full name -> (field number -> extension)
  StringMap<std::map<int, const FieldDescriptor*>> extensions_;
  std::unordered_map<const FileDescriptor*, std::string> serialized_;
};

}  // namespace pronto::detail

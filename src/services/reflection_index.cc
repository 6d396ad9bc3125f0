#include "services/reflection_index.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>

namespace pronto::detail {
namespace {

namespace pb = google::protobuf;

// Calls add(name, file) for every symbol that `message` declares, itself
// included, and ext(field) for each extension declared in its scope.
template <class AddSymbol, class AddExtension>
void walk_message(const pb::Descriptor& message, AddSymbol& add, AddExtension& ext) {
  add(message.full_name());
  for (int i = 0; i < message.field_count(); ++i) add(message.field(i)->full_name());
  for (int i = 0; i < message.oneof_decl_count(); ++i) add(message.oneof_decl(i)->full_name());
  for (int i = 0; i < message.extension_count(); ++i) ext(*message.extension(i));
  for (int i = 0; i < message.enum_type_count(); ++i) {
    const pb::EnumDescriptor& e = *message.enum_type(i);
    add(e.full_name());
    for (int j = 0; j < e.value_count(); ++j) add(e.value(j)->full_name());
  }
  for (int i = 0; i < message.nested_type_count(); ++i) walk_message(*message.nested_type(i), add, ext);
}

}  // namespace

ReflectionIndex::ReflectionIndex(const std::vector<const Service*>& services) {
  for (const Service* service : services) {
    service_names_.push_back(service->name());
    if (service->file_descriptor() != nullptr) add_file(service->file_descriptor());
  }
}

void ReflectionIndex::add_symbol(const std::string& name, const FileDescriptor* file) {
  symbols_.emplace(name, file);  // protobuf forbids duplicates within a pool
}

void ReflectionIndex::add_file(const FileDescriptor* file) {
  if (!files_.emplace(file->name(), file).second) return;
  pb::FileDescriptorProto proto;
  file->CopyTo(&proto);
  proto.SerializeToString(&serialized_[file]);

  auto add = [&](const std::string& name) { add_symbol(name, file); };
  auto ext = [&](const FieldDescriptor& field) {
    add(field.full_name());
    extensions_[field.containing_type()->full_name()].emplace(field.number(), &field);
  };
  for (int i = 0; i < file->service_count(); ++i) {
    const pb::ServiceDescriptor& service = *file->service(i);
    add(service.full_name());
    for (int j = 0; j < service.method_count(); ++j) add(service.method(j)->full_name());
  }
  for (int i = 0; i < file->message_type_count(); ++i) walk_message(*file->message_type(i), add, ext);
  for (int i = 0; i < file->enum_type_count(); ++i) {
    const pb::EnumDescriptor& e = *file->enum_type(i);
    add(e.full_name());
    for (int j = 0; j < e.value_count(); ++j) add(e.value(j)->full_name());
  }
  for (int i = 0; i < file->extension_count(); ++i) ext(*file->extension(i));
  for (int i = 0; i < file->dependency_count(); ++i) add_file(file->dependency(i));
}

const pb::FileDescriptor* ReflectionIndex::file_by_name(std::string_view name) const {
  auto it = files_.find(name);
  return it == files_.end() ? nullptr : it->second;
}

const pb::FileDescriptor* ReflectionIndex::file_containing_symbol(std::string_view symbol) const {
  auto it = symbols_.find(symbol);
  return it == symbols_.end() ? nullptr : it->second;
}

bool ReflectionIndex::has_message_type(std::string_view type) const {
  auto it = symbols_.find(type);
  return it != symbols_.end() && it->second->pool()->FindMessageTypeByName(std::string(type)) != nullptr;
}

const pb::FieldDescriptor* ReflectionIndex::extension(std::string_view type, int number) const {
  auto it = extensions_.find(type);
  if (it == extensions_.end()) return nullptr;
  auto field = it->second.find(number);
  return field == it->second.end() ? nullptr : field->second;
}

std::vector<int> ReflectionIndex::extension_numbers(std::string_view type) const {
  std::vector<int> numbers;
  auto it = extensions_.find(type);
  if (it == extensions_.end()) return numbers;
  for (const auto& [number, field] : it->second) numbers.push_back(number);
  return numbers;
}

void ReflectionIndex::append_file_with_imports(const FileDescriptor* file,
                                               std::unordered_set<const FileDescriptor*>& seen,
                                               std::vector<const std::string*>& out) const {
  if (!seen.insert(file).second) return;
  auto it = serialized_.find(file);
  if (it == serialized_.end()) return;  // not indexed (cannot happen for indexed files' imports)
  out.push_back(&it->second);
  for (int i = 0; i < file->dependency_count(); ++i) append_file_with_imports(file->dependency(i), seen, out);
}

}  // namespace pronto::detail

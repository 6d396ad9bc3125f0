// protoc-gen-pronto/generator.cc — ProntoGenerator: model, emit, write.
#include "generator.h"

#include <google/protobuf/compiler/code_generator.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/zero_copy_stream.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "emit.h"
#include "model.h"

namespace pronto::gen {
namespace {

// Writes `text` to the output file `name` through protoc's context.
bool write_file(google::protobuf::compiler::GeneratorContext& context, const std::string& name,
                const std::string& text, std::string* error) {
  std::unique_ptr<google::protobuf::io::ZeroCopyOutputStream> out(context.Open(name));
  const char* data = text.data();
  size_t left = text.size();
  while (left > 0) {
    void* buffer = nullptr;
    int size = 0;
    if (!out->Next(&buffer, &size)) {
      *error = "protoc-gen-pronto: failed to write " + name;
      return false;
    }
    size_t n = std::min(left, static_cast<size_t>(size));
    std::memcpy(buffer, data, n);
    data += n;
    left -= n;
    if (n < static_cast<size_t>(size)) out->BackUp(static_cast<int>(static_cast<size_t>(size) - n));
  }
  return true;
}

}  // namespace

bool ProntoGenerator::Generate(const google::protobuf::FileDescriptor* file, const std::string& parameter,
                               google::protobuf::compiler::GeneratorContext* context,
                               std::string* error) const {
  if (!parameter.empty()) {
    *error = "protoc-gen-pronto takes no parameters, got \"" + parameter + "\"";
    return false;
  }
  FileModel model = build_file_model(*file);
  return write_file(*context, model.base_path + ".pronto.h", emit_header(model), error) &&
         write_file(*context, model.base_path + ".pronto.cc", emit_source(model), error);
}

}  // namespace pronto::gen

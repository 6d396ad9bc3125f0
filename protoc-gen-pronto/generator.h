// protoc-gen-pronto/generator.h — ProntoGenerator, the protoc CodeGenerator
// that writes X.pronto.h and X.pronto.cc for every X.proto it is given.
#pragma once

#include <google/protobuf/compiler/code_generator.h>

#include <cstdint>
#include <string>

namespace pronto::gen {

// The plugin's entry point for protoc: one Generate() call per .proto file.
// Takes no parameters (--pronto_out=DIR or --pronto_out=:DIR).
class ProntoGenerator : public google::protobuf::compiler::CodeGenerator {
 public:
  bool Generate(const google::protobuf::FileDescriptor* file, const std::string& parameter,
                google::protobuf::compiler::GeneratorContext* context, std::string* error) const override;

  // proto3 `optional` fields only concern message code, which protoc's C++
  // generator writes; services are unaffected.
  uint64_t GetSupportedFeatures() const override { return FEATURE_PROTO3_OPTIONAL; }
};

}  // namespace pronto::gen

// protoc-gen-pronto/main.cc — the protoc plugin binary. protoc runs it for
// --pronto_out=DIR (found on PATH, or via --plugin=protoc-gen-pronto=PATH).
#include <google/protobuf/compiler/plugin.h>

#include "generator.h"

int main(int argc, char* argv[]) {
  pronto::gen::ProntoGenerator generator;
  return google::protobuf::compiler::PluginMain(argc, argv, &generator);
}

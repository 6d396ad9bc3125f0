// protoc-gen-pronto/emit.h — turns a FileModel into the text of the two
// generated files, X.pronto.h (declarations) and X.pronto.cc (definitions).
#pragma once

#include <string>

#include "model.h"

namespace pronto::gen {

// X.pronto.h: per service a class holding Service (server base) and Stub
// (client, with Stub::Async). A file without services gets a header that
// only includes X.pb.h, so including X.pronto.h is always valid.
std::string emit_header(const FileModel& file);

// X.pronto.cc: Service registration, default (UNIMPLEMENTED) handler bodies,
// stub methods. Only includes X.pronto.h for a file without services.
std::string emit_source(const FileModel& file);

// The comment banner both files start with.
std::string banner(const FileModel& file);

}  // namespace pronto::gen

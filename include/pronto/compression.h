// pronto/compression.h — message compression algorithms (grpc/grpc
// doc/compression.md). Plain values; any thread.
#pragma once

namespace pronto {

enum class Compression { identity, deflate, gzip };

}  // namespace pronto

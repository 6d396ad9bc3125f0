// A small service for the connection fuzzers: every call kind, driven by the
// request bytes, with no sleeps and no blocking work (a handler only ever
// waits for messages, for flow control, or for its own cancellation).
//
// Messages are raw bytes (no protobuf): Msg serializes through
// Codec::append (the zero-copy path protobuf messages take), PlainMsg
// through Codec::serialize. A message starting with 0xFF does not parse.
#pragma once

#include <string>
#include <string_view>

#include "pronto/pronto.h"

namespace pronto_fuzz {

struct Msg {
  std::string bytes;
};
struct PlainMsg {
  std::string bytes;
};

inline constexpr std::string_view kServiceName = "fuzz.Fuzz";

class FuzzService final : public pronto::Service {
 public:
  FuzzService();

  pronto::Task<pronto::Result<Msg>> Unary(pronto::ServerContext& ctx, const Msg& req);
  pronto::Task<pronto::Status> ServerStream(pronto::ServerContext& ctx, const Msg& req,
                                            pronto::ServerWriter<Msg>& out);
  pronto::Task<pronto::Result<PlainMsg>> ClientStream(pronto::ServerContext& ctx,
                                                      pronto::ServerReader<Msg>& in);
  pronto::Task<pronto::Status> Bidi(pronto::ServerContext& ctx, pronto::ServerStream<Msg, PlainMsg>& stream);
};

// Rejects calls carrying "fuzz-reject" metadata; adds response metadata.
class FuzzInterceptor final : public pronto::ServerInterceptor {
 public:
  pronto::Status on_start(pronto::ServerContext& ctx) override;
  void on_finish(pronto::ServerContext& ctx, const pronto::Status& status) override;
};

}  // namespace pronto_fuzz

template <>
struct pronto::Codec<pronto_fuzz::Msg> {
  static bool serialize(const pronto_fuzz::Msg& m, std::string& out) {
    out = m.bytes;
    return true;
  }
  static bool append(const pronto_fuzz::Msg& m, std::string& out) {
    out.append(m.bytes);
    return true;
  }
  static bool parse(std::string_view bytes, pronto_fuzz::Msg& m) {
    if (!bytes.empty() && static_cast<unsigned char>(bytes[0]) == 0xFF) return false;
    m.bytes.assign(bytes);
    return true;
  }
};

template <>
struct pronto::Codec<pronto_fuzz::PlainMsg> {
  static bool serialize(const pronto_fuzz::PlainMsg& m, std::string& out) {
    out = m.bytes;
    return true;
  }
  static bool parse(std::string_view bytes, pronto_fuzz::PlainMsg& m) {
    if (!bytes.empty() && static_cast<unsigned char>(bytes[0]) == 0xFF) return false;
    m.bytes.assign(bytes);
    return true;
  }
};

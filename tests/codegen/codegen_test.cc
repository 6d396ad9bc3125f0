// tests/codegen/codegen_test.cc — compiles the code protoc-gen-pronto writes
// for tests/codegen/protos (through pronto_generate) and checks what the
// generated Service classes register and do: handlers run against an
// in-memory CallCore whose operations complete at once, so every Task here
// finishes inside one resume() with no event loop.
#include <gtest/gtest.h>

#include <deque>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "a/b/thing.pronto.h"
#include "c/d/relay.pronto.h"
#include "c/d/store.pronto.h"
#include "common/types.pronto.h"
#include "nopkg.pronto.h"
#include "wrap/long_names.pronto.h"

namespace {

using a::b::Thing;
using pronto::RpcKind;
using pronto::StatusCode;

// A ServerContext with no server behind it; these handlers never ask it for
// cancellation, sleeps or the blocking pool.
class FakeContext : public pronto::ServerContext {
 public:
  FakeContext() : pronto::ServerContext(nullptr) {}
};

// A CallCore that serves queued request messages, then end-of-stream, and
// records every response message; all operations complete synchronously.
class FakeCore : public pronto::detail::CallCore {
 public:
  template <class M>
  void push(const M& message) {
    requests_.push_back(message.SerializeAsString());
  }
  template <class M>
  std::vector<M> responses() const {
    std::vector<M> out;
    for (const std::string& bytes : writes_) {
      out.emplace_back();
      EXPECT_TRUE(out.back().ParseFromString(bytes));
    }
    return out;
  }

  bool start_read(pronto::detail::ReadOp& op) override {
    if (requests_.empty()) {
      op.message.reset();
    } else {
      op.message = std::move(requests_.front());
      requests_.pop_front();
    }
    return true;
  }
  bool start_write(pronto::detail::WriteOp& op) override {
    // The bytes after the room a serializer may leave for the frame prefix.
    writes_.push_back(op.prefix_reserved ? op.message.substr(pronto::detail::kFramePrefixSize)
                                         : std::move(op.message));
    op.ok = true;
    return true;
  }
  void fail(pronto::Status status) override { ADD_FAILURE() << "call failed: " << status.message(); }

 private:
  std::deque<std::string> requests_;
  std::vector<std::string> writes_;
};

// Runs a Task that never suspends and returns its result.
template <class T>
T run_now(pronto::Task<T> task) {
  auto handle = task.handle();
  handle.resume();
  EXPECT_TRUE(handle.done());
  return handle.promise().take();
}

// Overrides two of a.b.Thing's four methods; Watch and Upload keep the
// generated UNIMPLEMENTED bodies.
class ThingImpl : public Thing::Service {
 public:
  pronto::Task<pronto::Result<a::b::Item>> Get(pronto::ServerContext& ctx,
                                               const a::b::GetRequest& request) override {
    a::b::Item item;
    item.set_id(request.id());
    co_return item;
  }
  pronto::Task<pronto::Status> Chat(pronto::ServerContext& ctx,
                                    pronto::ServerStream<a::b::Item_Part, a::b::Item_Part>& stream) override {
    while (auto part = co_await stream.read()) {
      part->set_name(part->name() + "!");
      pronto::Status st = co_await stream.write(*part);
      if (!st.ok()) co_return st;
    }
    co_return pronto::Status{};
  }
};

const pronto::Service::Method& find_method(const pronto::Service& service, const std::string& path) {
  for (const auto& m : service.methods()) {
    if (m.path == path) return m;
  }
  throw std::runtime_error("no method " + path);
}

TEST(Codegen, ProtobufWritesSerializeBehindRoomForTheFramePrefix) {
  FakeCore core;
  a::b::GetRequest request;
  request.set_id(std::string(1000, 'i'));
  auto write = pronto::detail::make_write<pronto::Codec<a::b::GetRequest>>(&core, request);
  EXPECT_TRUE(write.serialized);
  EXPECT_TRUE(write.op.prefix_reserved);
  EXPECT_EQ(write.op.message.substr(0, pronto::detail::kFramePrefixSize),
            std::string(pronto::detail::kFramePrefixSize, '\0'));
  EXPECT_EQ(write.op.message.substr(pronto::detail::kFramePrefixSize), request.SerializeAsString());
}

// A codec without append(): messages are handed over bare.
struct SerializeOnlyCodec {
  static bool serialize(const a::b::GetRequest& m, std::string& out) { return m.SerializeToString(&out); }
};

TEST(Codegen, CodecWithoutAppendHandsOverTheBarePayload) {
  FakeCore core;
  a::b::GetRequest request;
  request.set_id("7");
  auto write = pronto::detail::make_write<SerializeOnlyCodec>(&core, request);
  EXPECT_TRUE(write.serialized);
  EXPECT_FALSE(write.op.prefix_reserved);
  EXPECT_EQ(write.op.message, request.SerializeAsString());
}

TEST(Codegen, ThingRegistersEveryKind) {
  ThingImpl service;
  EXPECT_EQ(Thing::service_full_name, "a.b.Thing");
  EXPECT_EQ(service.name(), "a.b.Thing");
  ASSERT_EQ(service.methods().size(), 4u);
  const std::pair<const char*, RpcKind> expected[] = {{"/a.b.Thing/Get", RpcKind::unary},
                                                      {"/a.b.Thing/Watch", RpcKind::server_streaming},
                                                      {"/a.b.Thing/Upload", RpcKind::client_streaming},
                                                      {"/a.b.Thing/Chat", RpcKind::bidi_streaming}};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(service.methods()[i].path, expected[i].first);
    EXPECT_EQ(service.methods()[i].kind, expected[i].second) << expected[i].first;
  }
}

TEST(Codegen, OverriddenUnaryRunsThroughRegistration) {
  ThingImpl service;
  FakeContext ctx;
  FakeCore core;
  a::b::GetRequest request;
  request.set_id("42");
  core.push(request);
  pronto::Status status = run_now(find_method(service, "/a.b.Thing/Get").handler(ctx, core));
  EXPECT_TRUE(status.ok()) << status.message();
  auto replies = core.responses<a::b::Item>();
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].id(), "42");
}

TEST(Codegen, OverriddenBidiRunsThroughRegistration) {
  ThingImpl service;
  FakeContext ctx;
  FakeCore core;
  a::b::Item_Part part;
  part.set_name("x");
  core.push(part);
  part.set_name("y");
  core.push(part);
  pronto::Status status = run_now(find_method(service, "/a.b.Thing/Chat").handler(ctx, core));
  EXPECT_TRUE(status.ok()) << status.message();
  auto replies = core.responses<a::b::Item_Part>();
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[0].name(), "x!");
  EXPECT_EQ(replies[1].name(), "y!");
}

TEST(Codegen, DefaultBodiesAnswerUnimplemented) {
  ThingImpl service;
  FakeContext ctx;
  {
    FakeCore core;
    core.push(a::b::Filter{});
    pronto::Status status = run_now(find_method(service, "/a.b.Thing/Watch").handler(ctx, core));
    EXPECT_EQ(status.code(), StatusCode::unimplemented);
    EXPECT_EQ(status.message(), "Method not implemented: Watch");
    EXPECT_TRUE(core.responses<a::b::Item_Part>().empty());
  }
  {
    // Called directly, the default client-streaming body yields a Result
    // holding the UNIMPLEMENTED status.
    FakeCore core;
    pronto::ServerReader<a::b::Item_Part_Detail> reader(core);
    pronto::Result<a::b::Item> result = run_now(service.Upload(ctx, reader));
    EXPECT_FALSE(result.ok());
    EXPECT_EQ(result.status().code(), StatusCode::unimplemented);
    EXPECT_EQ(result.status().message(), "Method not implemented: Upload");
  }
}

TEST(Codegen, TwoServicesWithImportedTypes) {
  c::d::Store::Service store;
  c::d::Admin::Service admin;
  EXPECT_EQ(store.name(), "c.d.Store");
  EXPECT_EQ(admin.name(), "c.d.Admin");
  EXPECT_EQ(find_method(store, "/c.d.Store/Fetch").kind, RpcKind::unary);
  EXPECT_EQ(find_method(store, "/c.d.Store/StreamAll").kind, RpcKind::server_streaming);
  EXPECT_EQ(find_method(admin, "/c.d.Admin/Reset").kind, RpcKind::unary);
  EXPECT_EQ(find_method(admin, "/c.d.Admin/Import").kind, RpcKind::client_streaming);
  EXPECT_EQ(find_method(admin, "/c.d.Admin/Sync").kind, RpcKind::bidi_streaming);

  FakeContext ctx;
  FakeCore core;
  core.push(a::b::GetRequest{});
  pronto::Status status = run_now(find_method(store, "/c.d.Store/Fetch").handler(ctx, core));
  EXPECT_EQ(status.code(), StatusCode::unimplemented);
}

TEST(Codegen, ServiceWithoutPackage) {
  Echo::Service echo;
  EXPECT_EQ(echo.name(), "Echo");
  ASSERT_EQ(echo.methods().size(), 2u);
  EXPECT_EQ(echo.methods()[0].path, "/Echo/Say");
  EXPECT_EQ(echo.methods()[1].path, "/Echo/Stream");
  EXPECT_EQ(echo.methods()[1].kind, RpcKind::bidi_streaming);
}

TEST(Codegen, LongNamesStillRegisterEveryMethod) {
  inventory_management::v1::WarehouseInventoryManagementService::Service service;
  ASSERT_EQ(service.methods().size(), 4u);
  EXPECT_EQ(service.methods()[3].path,
            "/inventory_management.v1.WarehouseInventoryManagementService/SynchronizeStockQuantities");
  EXPECT_EQ(service.methods()[3].kind, RpcKind::bidi_streaming);
}

// Server reflection answers from Service::file_descriptor(): the file that
// declares the service, whether the file has messages of its own or not.
TEST(Codegen, ServicesKnowTheDescriptorOfTheirFile) {
  Thing::Service thing;
  c::d::Admin::Service admin;
  c::d::Relay::Service relay;
  Echo::Service echo;
  ASSERT_NE(thing.file_descriptor(), nullptr);
  EXPECT_EQ(thing.file_descriptor()->name(), "a/b/thing.proto");
  EXPECT_NE(thing.file_descriptor()->FindServiceByName("Thing"), nullptr);
  ASSERT_NE(admin.file_descriptor(), nullptr);
  EXPECT_EQ(admin.file_descriptor()->name(), "c/d/store.proto");
  ASSERT_NE(relay.file_descriptor(), nullptr);  // no message of its own: found by name
  EXPECT_EQ(relay.file_descriptor()->name(), "c/d/relay.proto");
  EXPECT_EQ(relay.file_descriptor()->service(0)->full_name(), "c.d.Relay");
  ASSERT_NE(echo.file_descriptor(), nullptr);
  EXPECT_EQ(echo.file_descriptor()->name(), "nopkg.proto");
}

TEST(Codegen, FileWithoutServicesStillHasItsMessages) {
  common::Page page;  // common/types.pronto.h includes common/types.pb.h
  page.set_size(3);
  EXPECT_EQ(page.size(), 3);
}

// The stub API's shape, checked at compile time (calling it needs a
// channel, which the end-to-end tests cover).
using Req = const a::b::GetRequest&;
static_assert(std::is_copy_constructible_v<Thing::Stub>);
static_assert(std::is_same_v<decltype(std::declval<const Thing::Stub&>().Get(std::declval<Req>())),
                             pronto::Result<a::b::Item>>);
static_assert(std::is_same_v<decltype(std::declval<const Thing::Stub&>().Watch(a::b::Filter{})),
                             pronto::BlockingReader<a::b::Item_Part>>);
static_assert(std::is_same_v<decltype(std::declval<const Thing::Stub&>().Upload()),
                             pronto::BlockingWriter<a::b::Item_Part_Detail, a::b::Item>>);
static_assert(std::is_same_v<decltype(std::declval<const Thing::Stub&>().Chat(pronto::CallOptions{})),
                             pronto::BlockingStream<a::b::Item_Part, a::b::Item_Part>>);
static_assert(std::is_same_v<decltype(std::declval<const Thing::Stub&>().async()), Thing::Stub::Async>);
static_assert(std::is_same_v<decltype(std::declval<const Thing::Stub::Async&>().Get(std::declval<Req>())),
                             pronto::Task<pronto::Result<a::b::Item>>>);
static_assert(std::is_same_v<decltype(std::declval<const Thing::Stub::Async&>().Watch(a::b::Filter{})),
                             pronto::ClientReader<a::b::Item_Part>>);
static_assert(std::is_same_v<decltype(std::declval<const Thing::Stub::Async&>().Upload()),
                             pronto::ClientWriter<a::b::Item_Part_Detail, a::b::Item>>);
static_assert(std::is_same_v<decltype(std::declval<const Thing::Stub::Async&>().Chat()),
                             pronto::ClientStream<a::b::Item_Part, a::b::Item_Part>>);
static_assert(std::is_same_v<decltype(std::declval<const c::d::Admin::Stub&>().Reset(
                                 std::declval<const google::protobuf::Empty&>())),
                             pronto::Result<google::protobuf::Empty>>);

}  // namespace

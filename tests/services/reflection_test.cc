// Server reflection (services/reflection_service.h) over an in-process
// channel: every request kind of grpc.reflection.v1 and v1alpha, symbols of
// every sort, extensions, errors on a stream that goes on, malformed
// requests, many requests on one stream.
#include <google/protobuf/descriptor.pb.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "e2e/echo_service.h"
#include "grpc/reflection/v1/reflection.pb.h"
#include "grpc/reflection/v1alpha/reflection.pb.h"
#include "pronto/pronto.h"
#include "refl/shop.pronto.h"

namespace {

namespace v1 = grpc::reflection::v1;
namespace v1alpha = grpc::reflection::v1alpha;
using google::protobuf::FileDescriptorProto;

class ShopService final : public refl::Shop::Service {};

// Raw request bytes, to send what does not parse.
struct RawBytes {
  std::string data;
};

class ReflectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.add_service(echo_).add_service(shop_);
    channel_ = server_.in_process_channel();
    ASSERT_TRUE(server_.start().ok());
  }

  template <class Req = v1::ServerReflectionRequest, class Resp = v1::ServerReflectionResponse>
  std::vector<Resp> ask_all(const std::vector<Req>& requests, std::string_view path = kV1Path) {
    pronto::BlockingStream<Req, Resp> stream(pronto::bidi_streaming_call<Req, Resp>(channel_, path));
    std::vector<Resp> out;
    for (const Req& r : requests) {
      EXPECT_TRUE(stream.write(r).ok());
      auto resp = stream.read();  // one answer per request, before the next one goes
      if (!resp) break;
      out.push_back(std::move(*resp));
    }
    stream.writes_done();
    EXPECT_FALSE(stream.read().has_value());
    pronto::Status st = stream.finish();
    EXPECT_TRUE(st.ok()) << st.to_string();
    return out;
  }
  v1::ServerReflectionResponse ask(const v1::ServerReflectionRequest& request) {
    auto all = ask_all({request});
    return all.empty() ? v1::ServerReflectionResponse{} : all.front();
  }

  static std::vector<std::string> file_names(const v1::ServerReflectionResponse& resp) {
    std::vector<std::string> names;
    for (const std::string& bytes : resp.file_descriptor_response().file_descriptor_proto()) {
      FileDescriptorProto proto;
      EXPECT_TRUE(proto.ParseFromString(bytes));
      names.push_back(proto.name());
    }
    return names;
  }
  static v1::ServerReflectionRequest symbol(std::string name) {
    v1::ServerReflectionRequest r;
    r.set_file_containing_symbol(std::move(name));
    return r;
  }

  static constexpr std::string_view kV1Path = "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo";
  static constexpr std::string_view kV1alphaPath =
      "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo";

  pronto::test::EchoService echo_;
  ShopService shop_;
  pronto::Server server_{pronto::ServerOptions{.event_loops = 1, .reflection_service = true}};
  std::shared_ptr<pronto::Channel> channel_;
};

}  // namespace

template <>
struct pronto::Codec<RawBytes> {
  static bool serialize(const RawBytes& m, std::string& out) {
    out = m.data;
    return true;
  }
  static bool parse(std::string_view bytes, RawBytes& m) {
    m.data.assign(bytes);
    return true;
  }
};

TEST_F(ReflectionTest, ListServicesNamesEveryServiceIncludingHealthAndReflectionItself) {
  v1::ServerReflectionRequest r;
  r.set_host("example");
  r.set_list_services("");
  auto resp = ask(r);
  EXPECT_EQ(resp.valid_host(), "example");
  EXPECT_EQ(resp.original_request().list_services(), "");
  std::set<std::string> names;
  for (const auto& s : resp.list_services_response().service()) names.insert(s.name());
  EXPECT_EQ(names, (std::set<std::string>{"pronto.test.Echo", "refl.Shop", "grpc.health.v1.Health",
                                          "grpc.reflection.v1.ServerReflection",
                                          "grpc.reflection.v1alpha.ServerReflection"}));
}

TEST_F(ReflectionTest, FileByFilenameSendsTheFileFirstThenEachTransitiveImportOnce) {
  v1::ServerReflectionRequest r;
  r.set_file_by_filename("refl/shop.proto");
  auto names = file_names(ask(r));
  // grpc++'s order: the file, then its imports depth first (ext.proto's
  // base.proto was already sent: once only).
  EXPECT_EQ(names, (std::vector<std::string>{"refl/shop.proto", "google/protobuf/empty.proto",
                                             "refl/base.proto", "refl/ext.proto"}));
}

TEST_F(ReflectionTest, FileDescriptorProtosAreTheCompiledFiles) {
  v1::ServerReflectionRequest r;
  r.set_file_by_filename("refl/shop.proto");
  auto resp = ask(r);
  ASSERT_GE(resp.file_descriptor_response().file_descriptor_proto_size(), 1);
  FileDescriptorProto got;
  ASSERT_TRUE(got.ParseFromString(resp.file_descriptor_response().file_descriptor_proto(0)));
  FileDescriptorProto want;
  refl::Order::descriptor()->file()->CopyTo(&want);
  EXPECT_EQ(got.SerializeAsString(), want.SerializeAsString());
  EXPECT_EQ(got.service(0).method(1).name(), "Chat");
  EXPECT_TRUE(got.service(0).method(1).client_streaming());
}

TEST_F(ReflectionTest, FileContainingSymbolFindsEverySortOfSymbol) {
  struct Case {
    const char* symbol;
    const char* file;
  };
  const Case cases[] = {
      {"refl.Shop", "refl/shop.proto"},                          // service
      {"refl.Shop.Chat", "refl/shop.proto"},                     // method
      {"refl.Order", "refl/shop.proto"},                         // message
      {"refl.Order.Line", "refl/shop.proto"},                    // nested message
      {"refl.Order.Line.quantity", "refl/shop.proto"},           // field of a nested message
      {"refl.Order.card", "refl/shop.proto"},                    // field in a oneof
      {"refl.Order.payment", "refl/shop.proto"},                 // oneof
      {"refl.Base.Inner.Kind", "refl/base.proto"},               // nested enum, in an import
      {"refl.Base.Inner.KIND_B", "refl/base.proto"},             // its value (protobuf scoping)
      {"refl.Color", "refl/base.proto"},                         // enum
      {"refl.COLOR_BLUE", "refl/base.proto"},                    // enum value
      {"refl.weight", "refl/ext.proto"},                         // file-scope extension
      {"refl.Holder.label", "refl/ext.proto"},                   // nested extension
      {"google.protobuf.Empty", "google/protobuf/empty.proto"},  // well-known import
      {"pronto.test.Echo.Bidi", "echo.proto"},
      {"grpc.reflection.v1alpha.ServerReflection", "grpc/reflection/v1alpha/reflection.proto"},
  };
  std::vector<v1::ServerReflectionRequest> requests;
  for (const Case& c : cases) requests.push_back(symbol(c.symbol));
  auto responses = ask_all(requests);  // all on one stream
  ASSERT_EQ(responses.size(), std::size(cases));
  for (std::size_t i = 0; i < responses.size(); ++i) {
    SCOPED_TRACE(cases[i].symbol);
    EXPECT_EQ(responses[i].original_request().file_containing_symbol(), cases[i].symbol);
    auto names = file_names(responses[i]);
    ASSERT_FALSE(names.empty()) << responses[i].error_response().error_message();
    EXPECT_EQ(names.front(), cases[i].file);
  }
}

TEST_F(ReflectionTest, ExtensionsByNumberAndAllNumbersOfAType) {
  v1::ServerReflectionRequest by_number;
  by_number.mutable_file_containing_extension()->set_containing_type("refl.Base");
  by_number.mutable_file_containing_extension()->set_extension_number(101);
  v1::ServerReflectionRequest numbers;
  numbers.set_all_extension_numbers_of_type("refl.Base");
  v1::ServerReflectionRequest none;
  none.set_all_extension_numbers_of_type("refl.Order");
  auto responses = ask_all({by_number, numbers, none});
  ASSERT_EQ(responses.size(), 3u);
  EXPECT_EQ(file_names(responses[0]), (std::vector<std::string>{"refl/ext.proto", "refl/base.proto"}));
  EXPECT_EQ(responses[1].all_extension_numbers_response().base_type_name(), "refl.Base");
  EXPECT_EQ(std::vector<int>(responses[1].all_extension_numbers_response().extension_number().begin(),
                             responses[1].all_extension_numbers_response().extension_number().end()),
            (std::vector<int>{100, 101}));
  EXPECT_TRUE(responses[2].has_all_extension_numbers_response());
  EXPECT_EQ(responses[2].all_extension_numbers_response().extension_number_size(), 0);
}

TEST_F(ReflectionTest, UnknownNamesGiveNotFoundAndTheStreamGoesOn) {
  v1::ServerReflectionRequest unknown_file;
  unknown_file.set_file_by_filename("nope.proto");
  v1::ServerReflectionRequest unknown_type;
  unknown_type.set_all_extension_numbers_of_type("refl.Nope");
  v1::ServerReflectionRequest unknown_ext_type;
  unknown_ext_type.mutable_file_containing_extension()->set_containing_type("refl.Nope");
  unknown_ext_type.mutable_file_containing_extension()->set_extension_number(100);
  v1::ServerReflectionRequest unknown_ext;
  unknown_ext.mutable_file_containing_extension()->set_containing_type("refl.Base");
  unknown_ext.mutable_file_containing_extension()->set_extension_number(150);
  v1::ServerReflectionRequest empty;  // no request set at all
  auto responses = ask_all({symbol("refl.Nope"), unknown_file, unknown_type, unknown_ext_type, unknown_ext,
                            // a field name is not a type
                            [] {
                              v1::ServerReflectionRequest r;
                              r.set_all_extension_numbers_of_type("refl.Order.card");
                              return r;
                            }(),
                            empty, symbol("refl.Shop")});
  ASSERT_EQ(responses.size(), 8u);
  const char* messages[] = {"Symbol not found.", "File not found.",      "Type not found.",
                            "Type not found.",   "Extension not found.", "Type not found."};
  for (int i = 0; i < 6; ++i) {
    SCOPED_TRACE(i);
    ASSERT_TRUE(responses[i].has_error_response());
    EXPECT_EQ(responses[i].error_response().error_code(), static_cast<int>(pronto::StatusCode::not_found));
    EXPECT_EQ(responses[i].error_response().error_message(), messages[i]);
  }
  EXPECT_EQ(responses[6].error_response().error_code(), static_cast<int>(pronto::StatusCode::unimplemented));
  EXPECT_EQ(file_names(responses[7]).front(), "refl/shop.proto");  // still answering
}

TEST_F(ReflectionTest, MalformedRequestBytesEndTheCallWithInternal) {
  pronto::BlockingStream<RawBytes, RawBytes> stream(
      pronto::bidi_streaming_call<RawBytes, RawBytes>(channel_, kV1Path));
  v1::ServerReflectionRequest ok;
  ok.set_list_services("");
  ASSERT_TRUE(stream.write({ok.SerializeAsString()}).ok());
  ASSERT_TRUE(stream.read().has_value());
  // Field 3 (file_by_filename) as a length-delimited field running past the end.
  ASSERT_TRUE(stream
                  .write({std::string("\x1a\x7f"
                                      "abc",
                                      5)})
                  .ok());
  EXPECT_FALSE(stream.read().has_value());
  pronto::Status st = stream.finish();
  EXPECT_EQ(st.code(), pronto::StatusCode::internal) << st.to_string();
}

TEST_F(ReflectionTest, ManyRequestsOnOneStream) {
  std::vector<v1::ServerReflectionRequest> requests;
  for (int i = 0; i < 500; ++i) requests.push_back(symbol(i % 2 ? "refl.Order" : "refl.Missing"));
  auto responses = ask_all(requests);
  ASSERT_EQ(responses.size(), 500u);
  for (int i = 0; i < 500; ++i) {
    EXPECT_EQ(responses[i].has_error_response(), i % 2 == 0) << i;
  }
}

TEST_F(ReflectionTest, V1alphaGivesTheSameAnswersAsV1) {
  std::vector<v1::ServerReflectionRequest> requests;
  v1::ServerReflectionRequest list;
  list.set_list_services("");
  requests.push_back(list);
  requests.push_back(symbol("refl.Order.Line"));
  requests.push_back(symbol("refl.Nope"));
  v1::ServerReflectionRequest numbers;
  numbers.set_all_extension_numbers_of_type("refl.Base");
  requests.push_back(numbers);
  std::vector<v1alpha::ServerReflectionRequest> alpha_requests;
  for (const auto& r : requests) {
    v1alpha::ServerReflectionRequest a;
    ASSERT_TRUE(a.ParseFromString(r.SerializeAsString()));  // the same wire format
    alpha_requests.push_back(a);
  }
  auto v1_answers = ask_all(requests);
  auto alpha_answers = ask_all<v1alpha::ServerReflectionRequest, v1alpha::ServerReflectionResponse>(
      alpha_requests, kV1alphaPath);
  ASSERT_EQ(v1_answers.size(), requests.size());
  ASSERT_EQ(alpha_answers.size(), requests.size());
  for (std::size_t i = 0; i < requests.size(); ++i) {
    EXPECT_EQ(v1_answers[i].SerializeAsString(), alpha_answers[i].SerializeAsString()) << i;
  }
}

TEST(ReflectionOptions, OffByDefault) {
  pronto::Server server;
  auto channel = server.in_process_channel();
  ASSERT_TRUE(server.start().ok());
  pronto::BlockingStream<v1::ServerReflectionRequest, v1::ServerReflectionResponse> stream(
      pronto::bidi_streaming_call<v1::ServerReflectionRequest, v1::ServerReflectionResponse>(
          channel, "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"));
  v1::ServerReflectionRequest r;
  r.set_list_services("");
  (void)stream.write(r);
  EXPECT_FALSE(stream.read().has_value());
  EXPECT_EQ(stream.finish().code(), pronto::StatusCode::unimplemented);
}

// The built-in health service (grpc.health.v1.Health): Check, Watch, List,
// the server's statuses, shutdown, the health listener, limits and hostile
// requests. Official clients: health_grpcio.py.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <map>
#include <string>
#include <thread>

#include "e2e_helpers.h"
#include "grpc/health/v1/health.pronto.h"
#include "pronto/client_call.h"
#include "pronto/server.h"

namespace pronto {

// Any bytes as a request, to send what a health request is not.
struct RawBytes {
  std::string bytes;
};
template <>
struct Codec<RawBytes> {
  static bool serialize(const RawBytes& m, std::string& out) {
    out = m.bytes;
    return true;
  }
  static bool parse(std::string_view b, RawBytes& m) {
    m.bytes.assign(b);
    return true;
  }
};

namespace {

namespace pb = ::grpc::health::v1;
using pb::HealthCheckResponse;
using std::chrono::milliseconds;
using test::eventually;

pb::HealthCheckRequest req(std::string service) {
  pb::HealthCheckRequest r;
  r.set_service(std::move(service));
  return r;
}

constexpr auto kTimeout = std::chrono::seconds(10);

struct HealthServer {
  explicit HealthServer(ServerOptions o = {.event_loops = 2}, bool health_listener = false)
      : server(std::make_unique<Server>(o)) {
    server->add_service(echo).listen("127.0.0.1:0");
    if (health_listener) server->listen_health("127.0.0.1:0");
  }
  void start() {
    Status st = server->start();
    ASSERT_TRUE(st.ok()) << st.to_string();
    channel = Channel::create("127.0.0.1:" + std::to_string(server->port()));
  }
  pb::Health::Stub stub() { return pb::Health::Stub(channel); }

  test::EchoService echo;
  std::unique_ptr<Server> server;
  std::shared_ptr<Channel> channel;
};

TEST(Health, check_reports_the_server_and_every_registered_service_serving_once_started) {
  HealthServer s;
  EXPECT_EQ(s.server->serving_status(""), ServingStatus::service_unknown);  // not running yet
  s.start();
  auto stub = s.stub();
  for (const char* name : {"", "pronto.test.Echo", "grpc.health.v1.Health"}) {
    auto r = stub.Check(req(name), {.timeout = kTimeout});
    ASSERT_TRUE(r.ok()) << name << ": " << r.status().to_string();
    EXPECT_EQ(r->status(), HealthCheckResponse::SERVING) << name;
  }
  s.server->set_serving_status("pronto.test.Echo", ServingStatus::not_serving);
  auto r = stub.Check(req("pronto.test.Echo"), {.timeout = kTimeout});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status(), HealthCheckResponse::NOT_SERVING);
  EXPECT_EQ(stub.Check(req(""), {.timeout = kTimeout})->status(), HealthCheckResponse::SERVING);
}

TEST(Health, check_on_an_unknown_service_is_not_found_and_removing_an_entry_makes_it_unknown) {
  HealthServer s;
  s.start();
  auto stub = s.stub();
  EXPECT_EQ(stub.Check(req("no.Such"), {.timeout = kTimeout}).status().code(), StatusCode::not_found);
  s.server->set_serving_status("pronto.test.Echo", ServingStatus::service_unknown);
  EXPECT_EQ(stub.Check(req("pronto.test.Echo"), {.timeout = kTimeout}).status().code(),
            StatusCode::not_found);
  EXPECT_EQ(s.server->serving_status("pronto.test.Echo"), ServingStatus::service_unknown);
}

TEST(Health, a_status_set_before_start_is_kept_by_start) {
  HealthServer s;
  s.server->set_serving_status("pronto.test.Echo", ServingStatus::not_serving);
  s.start();
  auto r = s.stub().Check(req("pronto.test.Echo"), {.timeout = kTimeout});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status(), HealthCheckResponse::NOT_SERVING);
}

TEST(Health, watch_sends_the_current_status_then_every_change) {
  HealthServer s;
  s.start();
  auto watch = s.stub().Watch(req("pronto.test.Echo"), {.timeout = kTimeout});
  auto m = watch.read();
  ASSERT_TRUE(m) << watch.finish().to_string();
  EXPECT_EQ(m->status(), HealthCheckResponse::SERVING);
  s.server->set_serving_status("pronto.test.Echo", ServingStatus::not_serving);
  m = watch.read();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->status(), HealthCheckResponse::NOT_SERVING);
  // The same status again is no change; another service's change is not ours.
  s.server->set_serving_status("pronto.test.Echo", ServingStatus::not_serving);
  s.server->set_serving_status("", ServingStatus::not_serving);
  s.server->set_serving_status("pronto.test.Echo", ServingStatus::serving);
  m = watch.read();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->status(), HealthCheckResponse::SERVING);
  watch.cancel();
}

TEST(Health, watch_on_an_unknown_service_says_service_unknown_and_stays_open_until_it_is_set) {
  HealthServer s;
  s.start();
  auto watch = s.stub().Watch(req("later.Service"), {.timeout = kTimeout});
  auto m = watch.read();
  ASSERT_TRUE(m) << watch.finish().to_string();
  EXPECT_EQ(m->status(), HealthCheckResponse::SERVICE_UNKNOWN);
  std::this_thread::sleep_for(milliseconds(100));  // the stream stays open meanwhile
  s.server->set_serving_status("later.Service", ServingStatus::serving);
  m = watch.read();
  ASSERT_TRUE(m) << watch.finish().to_string();
  EXPECT_EQ(m->status(), HealthCheckResponse::SERVING);
  s.server->set_serving_status("later.Service", ServingStatus::service_unknown);
  m = watch.read();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->status(), HealthCheckResponse::SERVICE_UNKNOWN);
  watch.cancel();
}

TEST(Health, many_watchers_on_several_loops_all_see_a_change_made_from_another_thread) {
  HealthServer s({.event_loops = 3});
  s.start();
  std::vector<std::shared_ptr<Channel>> channels;
  std::vector<BlockingReader<HealthCheckResponse>> watches;
  for (int i = 0; i < 12; ++i) {
    channels.push_back(Channel::create("127.0.0.1:" + std::to_string(s.server->port())));
    watches.push_back(pb::Health::Stub(channels.back()).Watch(req(""), {.timeout = kTimeout}));
    auto m = watches.back().read();
    ASSERT_TRUE(m);
    ASSERT_EQ(m->status(), HealthCheckResponse::SERVING);
  }
  std::thread([&] { s.server->set_serving_status("", ServingStatus::not_serving); }).join();
  for (auto& w : watches) {
    auto m = w.read();
    ASSERT_TRUE(m);
    EXPECT_EQ(m->status(), HealthCheckResponse::NOT_SERVING);
    w.cancel();
  }
}

TEST(Health, list_gives_every_entry_and_is_resource_exhausted_past_100) {
  HealthServer s;
  s.start();
  s.server->set_serving_status("extra.Service", ServingStatus::not_serving);
  auto r = s.stub().List(pb::HealthListRequest(), {.timeout = kTimeout});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  std::map<std::string, int> got;
  for (const auto& [name, resp] : r->statuses()) got[name] = resp.status();
  std::map<std::string, int> want{{"", HealthCheckResponse::SERVING},
                                  {"pronto.test.Echo", HealthCheckResponse::SERVING},
                                  {"grpc.health.v1.Health", HealthCheckResponse::SERVING},
                                  {"extra.Service", HealthCheckResponse::NOT_SERVING}};
  EXPECT_EQ(got, want);
  for (int i = 0; i < 96; ++i) s.server->set_serving_status("s" + std::to_string(i), ServingStatus::serving);
  EXPECT_TRUE(s.stub().List(pb::HealthListRequest(), {.timeout = kTimeout}).ok());  // exactly 100
  s.server->set_serving_status("one.More", ServingStatus::serving);
  EXPECT_EQ(s.stub().List(pb::HealthListRequest(), {.timeout = kTimeout}).status().code(),
            StatusCode::resource_exhausted);
}

TEST(Health, watch_streams_past_the_limit_fail_resource_exhausted_and_a_closed_one_frees_its_slot) {
  HealthServer s({.event_loops = 1, .max_health_watchers = 2});
  s.start();
  auto stub = s.stub();
  auto w1 = stub.Watch(req(""), {.timeout = kTimeout});
  auto w2 = stub.Watch(req("x"), {.timeout = kTimeout});
  ASSERT_TRUE(w1.read());
  ASSERT_TRUE(w2.read());
  auto w3 = stub.Watch(req(""), {.timeout = kTimeout});
  EXPECT_FALSE(w3.read());
  EXPECT_EQ(w3.finish().code(), StatusCode::resource_exhausted);
  w1.cancel();
  EXPECT_EQ(w1.finish().code(), StatusCode::cancelled);
  bool reopened = eventually([&] {
    auto w = stub.Watch(req(""), {.timeout = kTimeout});
    bool ok = w.read().has_value();
    w.cancel();
    return ok;
  });
  EXPECT_TRUE(reopened);
  w2.cancel();
}

TEST(Health, shutdown_turns_everything_not_serving_at_its_start_and_watch_sees_it_then_ends_unavailable) {
  HealthServer s;
  s.start();
  auto watch = s.stub().Watch(req("pronto.test.Echo"), {.timeout = kTimeout});
  ASSERT_EQ(watch.read()->status(), HealthCheckResponse::SERVING);
  // A call in flight holds the graceful shutdown open for 2 s.
  test::Echo::Stub echo(s.channel);
  auto slow = std::async(std::launch::async, [&] { return echo.Unary(test::request("slow", 2000)); });
  ASSERT_TRUE(eventually([&] { return s.channel->connected(); }));
  std::this_thread::sleep_for(milliseconds(200));  // the slow call is running
  const auto begun = Clock::now();
  auto down = std::async(std::launch::async, [&] { s.server->shutdown(std::chrono::seconds(10)); });
  auto m = watch.read();
  ASSERT_TRUE(m) << watch.finish().to_string();
  EXPECT_EQ(m->status(), HealthCheckResponse::NOT_SERVING);
  // Seen at the start of the shutdown, long before the slow call ends it.
  EXPECT_LT(Clock::now() - begun, milliseconds(1000));
  EXPECT_EQ(s.server->serving_status(""), ServingStatus::not_serving);
  EXPECT_EQ(s.server->serving_status("pronto.test.Echo"), ServingStatus::not_serving);
  EXPECT_FALSE(watch.read());
  EXPECT_EQ(watch.finish().code(), StatusCode::unavailable);
  // Statuses are frozen from now on.
  s.server->set_serving_status("", ServingStatus::serving);
  EXPECT_EQ(s.server->serving_status(""), ServingStatus::not_serving);
  EXPECT_TRUE(slow.get().ok());  // the graceful part still works
  down.get();
  // The open Watch did not hold the shutdown for its grace period.
  EXPECT_LT(Clock::now() - begun, std::chrono::seconds(5));
}

TEST(Health, the_health_listener_answers_health_and_unimplemented_for_other_services) {
  HealthServer s({.event_loops = 1}, /*health_listener=*/true);
  s.start();
  ASSERT_NE(s.server->health_port(), 0);
  ASSERT_NE(s.server->health_port(), s.server->port());
  auto probe = Channel::create("127.0.0.1:" + std::to_string(s.server->health_port()));
  pb::Health::Stub stub(probe);
  auto r = stub.Check(req("pronto.test.Echo"), {.timeout = kTimeout});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->status(), HealthCheckResponse::SERVING);
  auto watch = stub.Watch(req(""), {.timeout = kTimeout});
  ASSERT_EQ(watch.read()->status(), HealthCheckResponse::SERVING);
  s.server->set_serving_status("", ServingStatus::not_serving);
  ASSERT_EQ(watch.read()->status(), HealthCheckResponse::NOT_SERVING);
  test::Echo::Stub echo(probe);
  EXPECT_EQ(echo.Unary(test::request("x"), {.timeout = kTimeout}).status().code(), StatusCode::unimplemented);
  EXPECT_TRUE(test::Echo::Stub(s.channel).Unary(test::request("x"), {.timeout = kTimeout}).ok());
  // Shut down with the server; its Watch sees NOT_SERVING's end too.
  s.server->shutdown(std::chrono::seconds(2));
  EXPECT_FALSE(watch.read());
  EXPECT_EQ(watch.finish().code(), StatusCode::unavailable);
  EXPECT_EQ(stub.Check(req(""), {.timeout = kTimeout}).status().code(), StatusCode::unavailable);
}

TEST(Health, the_health_listener_start_error_is_starts_error) {
  HealthServer s({.event_loops = 1});
  s.server->listen_health("not an address");
  EXPECT_EQ(s.server->start().code(), StatusCode::invalid_argument);
}

class UserHealth final : public pb::Health::Service {
 public:
  Task<Result<HealthCheckResponse>> Check(ServerContext&, const pb::HealthCheckRequest&) override {
    HealthCheckResponse r;
    r.set_status(HealthCheckResponse::UNKNOWN);
    co_return r;
  }
};

TEST(Health, a_user_registered_health_service_wins_on_both_listeners) {
  UserHealth mine;
  HealthServer s({.event_loops = 1}, /*health_listener=*/true);
  s.server->add_service(mine);
  s.start();
  for (int port : {s.server->port(), s.server->health_port()}) {
    pb::Health::Stub stub(Channel::create("127.0.0.1:" + std::to_string(port)));
    auto r = stub.Check(req(""), {.timeout = kTimeout});
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    EXPECT_EQ(r->status(), HealthCheckResponse::UNKNOWN);  // the built-in would say SERVING
    EXPECT_EQ(stub.List(pb::HealthListRequest(), {.timeout = kTimeout}).status().code(),
              StatusCode::unimplemented);
  }
}

TEST(Health, the_option_off_leaves_health_unimplemented) {
  HealthServer s({.event_loops = 1, .health_service = false});
  s.start();
  EXPECT_EQ(s.stub().Check(req(""), {.timeout = kTimeout}).status().code(), StatusCode::unimplemented);
  EXPECT_EQ(s.server->serving_status(""), ServingStatus::serving);  // the statuses are kept anyway
}

TEST(HealthHostile, a_request_that_does_not_parse_is_internal) {
  HealthServer s({.event_loops = 1});
  s.start();
  // Field 1 (string) declared 5 bytes long, 2 present.
  RawBytes bad{
      std::string("\x0a\x05"
                  "ab",
                  4)};
  auto r = blocking_unary_call<RawBytes, RawBytes>(s.channel, "/grpc.health.v1.Health/Check", bad,
                                                   {.timeout = kTimeout});
  EXPECT_EQ(r.status().code(), StatusCode::internal);
  auto w = blocking_unary_call<RawBytes, RawBytes>(s.channel, "/grpc.health.v1.Health/List", bad,
                                                   {.timeout = kTimeout});
  EXPECT_EQ(w.status().code(), StatusCode::internal);
  EXPECT_TRUE(s.stub().Check(req(""), {.timeout = kTimeout}).ok());  // the server is fine
}

TEST(HealthHostile, a_service_name_over_1_kib_is_invalid_argument_for_check_and_watch) {
  HealthServer s({.event_loops = 1});
  s.start();
  auto stub = s.stub();
  EXPECT_EQ(stub.Check(req(std::string(1024, 'a')), {.timeout = kTimeout}).status().code(),
            StatusCode::not_found);
  EXPECT_EQ(stub.Check(req(std::string(1025, 'a')), {.timeout = kTimeout}).status().code(),
            StatusCode::invalid_argument);
  auto w = stub.Watch(req(std::string(100000, 'a')), {.timeout = kTimeout});
  EXPECT_FALSE(w.read());
  EXPECT_EQ(w.finish().code(), StatusCode::invalid_argument);
}

TEST(HealthHostile, many_watch_streams_are_bounded_and_the_server_keeps_answering) {
  HealthServer s({.event_loops = 1, .max_health_watchers = 50});
  s.start();
  auto stub = s.stub();
  std::vector<BlockingReader<HealthCheckResponse>> watches;
  int refused = 0;
  for (int i = 0; i < 80; ++i) {
    watches.push_back(stub.Watch(req("w" + std::to_string(i)), {.timeout = kTimeout}));
    if (!watches.back().read()) {
      EXPECT_EQ(watches.back().finish().code(), StatusCode::resource_exhausted);
      ++refused;
    }
  }
  EXPECT_EQ(refused, 30);
  EXPECT_TRUE(stub.Check(req(""), {.timeout = kTimeout}).ok());
  for (auto& w : watches) w.cancel();
}

}  // namespace
}  // namespace pronto

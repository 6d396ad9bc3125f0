// Metrics: the A66 instruments as a scrape shows them (server and client),
// the go-grpc-prometheus names, the buckets, and label escaping.
#include "pronto/metrics.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <regex>
#include <string>
#include <thread>

#include "e2e_helpers.h"
#include "echo_service.h"
#include "metrics/buckets.h"
#include "metrics/prometheus.h"

namespace pronto::test {
namespace {

EchoRequest request(std::string message) {
  EchoRequest r;
  r.set_message(std::move(message));
  return r;
}

// The value of the sample whose line starts with `series` followed by a
// space; -1 when there is no such line.
double sample(const std::string& text, const std::string& series) {
  const std::string key = "\n" + series + " ";
  auto at = ("\n" + text).find(key);
  if (at == std::string::npos) return -1;
  const std::string rest = text.substr(at + key.size() - 1);
  return std::stod(rest.substr(0, rest.find('\n')));
}

class Metrics : public ::testing::Test {
 protected:
  EchoServer server_;
  std::shared_ptr<Channel> channel_ = Channel::create(server_.target());
  Echo::Stub stub_{channel_};
};

TEST_F(Metrics, a_scrape_after_n_calls_shows_exactly_n_by_method_and_status) {
  constexpr int kOk = 7, kNotFound = 3;
  for (int i = 0; i < kOk; ++i) ASSERT_TRUE(stub_.Unary(request("hi")).ok());
  for (int i = 0; i < kNotFound; ++i) {
    auto req = request("x");
    req.set_status_code(static_cast<int>(StatusCode::not_found));
    ASSERT_EQ(stub_.Unary(req).status().code(), StatusCode::not_found);
  }
  const std::string text = server_.server().metrics_text();
  EXPECT_EQ(sample(text, R"(grpc_server_call_started_total{grpc_method="pronto.test.Echo/Unary"})"),
            kOk + kNotFound)
      << text;
  EXPECT_EQ(
      sample(
          text,
          R"(grpc_server_call_duration_seconds_count{grpc_method="pronto.test.Echo/Unary",grpc_status="OK"})"),
      kOk);
  EXPECT_EQ(
      sample(
          text,
          R"(grpc_server_call_duration_seconds_count{grpc_method="pronto.test.Echo/Unary",grpc_status="NOT_FOUND"})"),
      kNotFound);
  EXPECT_EQ(
      sample(
          text,
          R"(grpc_server_call_duration_seconds_bucket{grpc_method="pronto.test.Echo/Unary",grpc_status="OK",le="+Inf"})"),
      kOk);
  EXPECT_EQ(
      sample(
          text,
          R"(grpc_server_call_rcvd_total_compressed_message_size_bytes_count{grpc_method="pronto.test.Echo/Unary",grpc_status="OK"})"),
      kOk);
  // Each request is "hi" in field 1: 4 bytes of protobuf.
  EXPECT_EQ(
      sample(
          text,
          R"(grpc_server_call_rcvd_total_compressed_message_size_bytes_sum{grpc_method="pronto.test.Echo/Unary",grpc_status="OK"})"),
      4 * kOk);
  EXPECT_NE(text.find("# TYPE grpc_server_call_duration_seconds histogram\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE grpc_server_call_started_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("# HELP grpc_server_call_started_total "), std::string::npos);
}

TEST_F(Metrics, an_unregistered_method_is_counted_as_other) {
  auto r = blocking_unary_call<EchoResponse>(channel_, "/no.Such/Service", request("x"));
  ASSERT_EQ(r.status().code(), StatusCode::unimplemented);
  auto r2 = blocking_unary_call<EchoResponse>(channel_, "/pronto.test.Echo/Nope", request("x"));
  ASSERT_EQ(r2.status().code(), StatusCode::unimplemented);
  const std::string text = server_.server().metrics_text();
  EXPECT_EQ(sample(text, R"(grpc_server_call_started_total{grpc_method="other"})"), 2) << text;
  EXPECT_EQ(
      sample(text,
             R"(grpc_server_call_duration_seconds_count{grpc_method="other",grpc_status="UNIMPLEMENTED"})"),
      2);
  EXPECT_EQ(text.find("no.Such"), std::string::npos);
  EXPECT_EQ(text.find("Nope"), std::string::npos);
}

TEST_F(Metrics, the_channel_counts_attempts_and_calls_with_its_target) {
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(stub_.Unary(request("hi")).ok());
  auto req = request("x");
  req.set_status_code(static_cast<int>(StatusCode::aborted));
  ASSERT_EQ(stub_.Unary(req).status().code(), StatusCode::aborted);
  const std::string text = metrics_text(*channel_);
  const std::string labels =
      R"(grpc_method="pronto.test.Echo/Unary",grpc_target=")" + server_.target() + "\"";
  EXPECT_EQ(sample(text, "grpc_client_attempt_started_total{" + labels + "}"), 6) << text;
  EXPECT_EQ(sample(text, "grpc_client_attempt_duration_seconds_count{" + labels + R"(,grpc_status="OK"})"),
            5);
  EXPECT_EQ(sample(text, "grpc_client_call_duration_seconds_count{" + labels + R"(,grpc_status="OK"})"), 5);
  EXPECT_EQ(sample(text, "grpc_client_call_duration_seconds_count{" + labels + R"(,grpc_status="ABORTED"})"),
            1);
  EXPECT_EQ(sample(text, "grpc_client_attempt_sent_total_compressed_message_size_bytes_sum{" + labels +
                             R"(,grpc_status="OK"})"),
            4 * 5);
  EXPECT_EQ(sample(text, "grpc_client_attempt_rcvd_total_compressed_message_size_bytes_count{" + labels +
                             R"(,grpc_status="OK"})"),
            5);
}

TEST_F(Metrics, a_channel_without_metrics_has_no_text_and_a_server_without_none) {
  auto quiet = Channel::create(server_.target(), {.metrics = false});
  Echo::Stub stub(quiet);
  ASSERT_TRUE(stub.Unary(request("hi")).ok());
  EXPECT_EQ(metrics_text(*quiet), "");
  ServerOptions options;
  options.event_loops = 1;
  options.metrics = false;
  EchoServer off(options);
  EXPECT_EQ(off.server().metrics_text(), "");
}

TEST_F(Metrics, go_grpc_prometheus_names_and_labels) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(stub_.Unary(request("hi")).ok());
  auto req = request("x");
  req.set_count(4);
  int n = 0;
  for (auto& m : stub_.ServerStream(req)) {
    (void)m;
    ++n;
  }
  ASSERT_EQ(n, 4);
  const std::string text = server_.server().metrics_text(MetricsFormat::go_grpc_prometheus);
  const std::string unary = R"(grpc_type="unary",grpc_service="pronto.test.Echo",grpc_method="Unary")";
  const std::string stream =
      R"(grpc_type="server_stream",grpc_service="pronto.test.Echo",grpc_method="ServerStream")";
  EXPECT_EQ(sample(text, "grpc_server_started_total{" + unary + "}"), 3) << text;
  EXPECT_EQ(sample(text, "grpc_server_handled_total{" + unary + R"(,grpc_code="OK"})"), 3);
  EXPECT_EQ(sample(text, "grpc_server_msg_received_total{" + unary + "}"), 3);
  EXPECT_EQ(sample(text, "grpc_server_msg_sent_total{" + stream + "}"), 4);
  EXPECT_EQ(sample(text, "grpc_server_handling_seconds_count{" + unary + "}"), 3);
  EXPECT_EQ(sample(text, "grpc_server_handling_seconds_bucket{" + unary + R"(,le="+Inf"})"), 3);
  EXPECT_NE(text.find("# TYPE grpc_server_handling_seconds histogram\n"), std::string::npos);
  EXPECT_EQ(text.find("grpc_server_call_"), std::string::npos);
}

// One HTTP/1.1 request to 127.0.0.1:port; the whole answer (the request
// asks for Connection: close).
std::string http_get(int port, const std::string& target) {
  const int fd = connect_raw(port);
  if (fd < 0) return "";
  const std::string req = "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  (void)!::write(fd, req.data(), req.size());
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) out.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  return out;
}

TEST(MetricsAdmin, metrics_and_healthz_over_http_and_503_once_shutdown_begins) {
  EchoService service;
  Server server({.event_loops = 1});
  server.add_service(service).listen("127.0.0.1:0").listen_admin("127.0.0.1:0");
  ASSERT_TRUE(server.start().ok());
  ASSERT_NE(server.admin_port(), 0);
  const std::string target = "127.0.0.1:" + std::to_string(server.port());
  auto channel = Channel::create(target);
  Echo::Stub stub(channel);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(stub.Unary(request("hi")).ok());
  const std::string metrics = http_get(server.admin_port(), "/metrics");
  EXPECT_EQ(metrics.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << metrics;
  EXPECT_NE(metrics.find("Content-Type: text/plain; version=0.0.4"), std::string::npos);
  EXPECT_NE(metrics.find("\ngrpc_server_call_started_total{grpc_method=\"pronto.test.Echo/Unary\"} 4\n"),
            std::string::npos)
      << metrics;
  const std::string go = http_get(server.admin_port(), "/metrics?format=go");
  EXPECT_NE(go.find("\ngrpc_server_started_total{grpc_type=\"unary\",grpc_service=\"pronto.test.Echo\",grpc_"
                    "method=\"Unary\"} 4\n"),
            std::string::npos)
      << go;
  EXPECT_EQ(http_get(server.admin_port(), "/healthz").rfind("HTTP/1.1 200 OK\r\n", 0), 0u);

  // A slow call holds the shutdown in its grace period: healthz says 503 meanwhile.
  auto slow = std::async(std::launch::async, [&] {
    auto req = request("slow");
    req.set_delay_ms(1500);
    return stub.Unary(req).status().code();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto stopping = std::async(std::launch::async, [&] { server.shutdown(std::chrono::seconds(5)); });
  std::string health;
  for (int i = 0; i < 100; ++i) {
    health = http_get(server.admin_port(), "/healthz");
    if (health.rfind("HTTP/1.1 503", 0) == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(health.rfind("HTTP/1.1 503 Service Unavailable\r\n", 0), 0u) << health;
  EXPECT_EQ(slow.get(), StatusCode::ok);  // the grace let it finish
  stopping.get();
}

TEST(MetricsAdmin, an_admin_address_that_cannot_bind_fails_start_and_leaves_nothing_running) {
  EchoService service;
  Server taken({.event_loops = 1});
  taken.add_service(service).listen("127.0.0.1:0").listen_admin("127.0.0.1:0");
  ASSERT_TRUE(taken.start().ok());
  Server server({.event_loops = 1});
  server.add_service(service)
      .listen("127.0.0.1:0")
      .listen_admin("127.0.0.1:" + std::to_string(taken.admin_port()));
  const Status st = server.start();
  EXPECT_EQ(st.code(), StatusCode::unavailable) << st.to_string();
  EXPECT_NE(st.message().find("admin"), std::string::npos);
  Server bad({.event_loops = 1});
  bad.add_service(service).listen("127.0.0.1:0").listen_admin("no port here");
  EXPECT_EQ(bad.start().code(), StatusCode::invalid_argument);
}

TEST(MetricsBuckets, are_a66s_boundaries_cumulative_with_le_semantics) {
  using namespace pronto::metrics;
  EXPECT_EQ(kLatencyBoundsNs.front(), 0u);
  EXPECT_EQ(kLatencyBoundsNs.back(), 100'000'000'000u);
  EXPECT_EQ(kSizeBounds.back(), 4294967296u);
  EXPECT_EQ(bucket_index(kSizeBounds, 0), 0u);     // le="0"
  EXPECT_EQ(bucket_index(kSizeBounds, 1), 1u);     // le="1024"
  EXPECT_EQ(bucket_index(kSizeBounds, 1024), 1u);  // on the bound: that bucket
  EXPECT_EQ(bucket_index(kSizeBounds, 1025), 2u);
  EXPECT_EQ(bucket_index(kSizeBounds, std::uint64_t{1} << 40), kSizeBounds.size());  // +Inf

  Registry reg(Side::server);
  CallFigures f;
  f.duration = std::chrono::microseconds(700);  // 0.0007 s: le="0.0008"
  f.sent_bytes = 2000;                          // le="2048"
  reg.record_end(reg.record_start("/a.B/C", metrics::RpcKind::unary), "/a.B/C", metrics::RpcKind::unary, f);
  const std::string text = to_prometheus(reg, MetricsFormat::opentelemetry);
  const std::string l = R"(grpc_method="a.B/C",grpc_status="OK")";
  EXPECT_EQ(sample(text, "grpc_server_call_duration_seconds_bucket{" + l + R"(,le="1e-05"})"), 0) << text;
  EXPECT_EQ(sample(text, "grpc_server_call_duration_seconds_bucket{" + l + R"(,le="0.0001"})"), 0);
  EXPECT_EQ(sample(text, "grpc_server_call_duration_seconds_bucket{" + l + R"(,le="0.0006"})"), 0);
  EXPECT_EQ(sample(text, "grpc_server_call_duration_seconds_bucket{" + l + R"(,le="0.0008"})"), 1);
  EXPECT_EQ(sample(text, "grpc_server_call_duration_seconds_bucket{" + l + R"(,le="100"})"), 1);
  EXPECT_EQ(sample(text, "grpc_server_call_duration_seconds_sum{" + l + "}"), 0.0007);
  EXPECT_EQ(sample(text, "grpc_server_call_sent_total_compressed_message_size_bytes_bucket{" + l +
                             R"(,le="1024"})"),
            0);
  EXPECT_EQ(sample(text, "grpc_server_call_sent_total_compressed_message_size_bytes_bucket{" + l +
                             R"(,le="2048"})"),
            1);
  EXPECT_EQ(sample(text, "grpc_server_call_sent_total_compressed_message_size_bytes_sum{" + l + "}"), 2000);
  // 42 latency buckets (41 bounds and +Inf) per series.
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n') > 42, true);
  std::regex le_line(R"(grpc_server_call_duration_seconds_bucket\{[^}]*\} )");
  EXPECT_EQ(std::distance(std::sregex_iterator(text.begin(), text.end(), le_line), std::sregex_iterator()),
            42);
}

TEST(MetricsLabels, values_are_escaped_as_the_text_format_wants) {
  using namespace pronto::metrics;
  EXPECT_EQ(escape_label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  Registry reg(Side::client, "dns:///x\"y");
  reg.record_start("/q\"uote/M", metrics::RpcKind::unknown);
  const std::string text = to_prometheus(reg, MetricsFormat::opentelemetry);
  EXPECT_NE(
      text.find(R"(grpc_client_attempt_started_total{grpc_method="q\"uote/M",grpc_target="dns:///x\"y"} 1)"),
      std::string::npos)
      << text;
}

TEST(MetricsThreads, cells_recorded_on_many_threads_merge_on_scrape) {
  using namespace pronto::metrics;
  Registry reg(Side::server);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        auto* cells = reg.record_start("/a.B/C", metrics::RpcKind::unary);
        reg.record_end(cells, "/a.B/C", metrics::RpcKind::unary, CallFigures{});
        if (i % 100 == 0) (void)reg.snapshot();  // scrapes race with records
      }
    });
  for (auto& t : threads) t.join();
  const auto snap = reg.snapshot();
  ASSERT_EQ(snap.started.size(), 1u);
  EXPECT_EQ(snap.started[0].count, 4000u);
  ASSERT_EQ(snap.series.size(), 1u);
  std::uint64_t n = 0;
  for (auto c : snap.series[0].duration) n += c;
  EXPECT_EQ(n, 4000u);
}

}  // namespace
}  // namespace pronto::test

// seed/client_main.cc — seed-client: one client of each call kind against
// seed-server, printing what happens as the seed's Python clients do, plus
// two calls that must fail (unknown user, missing token) and the same kind
// of calls once more through the coroutine API.
//
//   seed-client [--target=localhost:50051] [--token=T]
//
// Every call carries `authorization: Bearer <token>` and a 5 s deadline.
// Exits 0 when every call turned out as expected (including the failures).
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "analytics_service.pronto.h"
#include "flags.h"
#include "log_service.pronto.h"
#include "pronto/pronto.h"
#include "sensor_service.pronto.h"
#include "user_service.pronto.h"

namespace {

using namespace std::chrono_literals;
namespace ex = pronto::examples;

// 58 characters: "Bearer " + this is longer than 50, as the seed's server wants.
constexpr const char* kDefaultToken = "demo-token-0123456789abcdef0123456789abcdef0123456789abcdef";

// The channel, the credentials, and a tally of surprises. Main thread only
// (the bidi writer thread only writes to the stream).
class Demo {
 public:
  Demo(std::shared_ptr<pronto::Channel> channel, std::string token)
      : channel_(std::move(channel)), token_(std::move(token)) {}

  const std::shared_ptr<pronto::Channel>& channel() const { return channel_; }
  int failures() const { return failures_; }

  // Deadline and auth metadata for one call (the seed's timeout= and metadata=).
  pronto::CallOptions options(bool with_token = true) const {
    pronto::CallOptions o{.timeout = 5s};
    if (with_token) o.metadata.add("authorization", "Bearer " + token_);
    return o;
  }
  void expect(bool ok, const std::string& what) {
    if (ok) return;
    ++failures_;
    std::printf("  !! unexpected: %s\n", what.c_str());
  }

 private:
  std::shared_ptr<pronto::Channel> channel_;
  std::string token_;
  int failures_ = 0;
};

void unary(Demo& demo) {
  std::printf("\n== UserService.GetUserProfile (unary)\n");
  ex::UserService::Stub stub(demo.channel());

  ex::UserRequest request;
  request.set_user_id("u_12345");
  pronto::Result<ex::UserProfile> response = stub.GetUserProfile(request, demo.options());
  if (response) {
    std::printf("Username: %s\n", response->username().c_str());
    std::printf("Email: %s\n", response->email().c_str());
  }
  demo.expect(response.ok(), "GetUserProfile(u_12345): " + response.status().to_string());

  request.set_user_id("u_999");
  response = stub.GetUserProfile(request, demo.options());
  std::printf("GetUserProfile(u_999) -> %s\n", response.status().to_string().c_str());
  demo.expect(response.status().code() == pronto::StatusCode::not_found, "u_999 should be NOT_FOUND");

  request.set_user_id("u_12345");
  response = stub.GetUserProfile(request, demo.options(/*with_token=*/false));
  std::printf("GetUserProfile without a token -> %s\n", response.status().to_string().c_str());
  demo.expect(response.status().code() == pronto::StatusCode::unauthenticated,
              "a call without a token should be UNAUTHENTICATED");
}

void server_streaming(Demo& demo) {
  std::printf("\n== LogService.StreamLogs (server streaming)\n");
  ex::LogService::Stub stub(demo.channel());
  ex::LogFilter filter;
  filter.set_service_name("payment-service");
  filter.set_start_timestamp(1710000000);

  // The stub returns a range: just loop.
  pronto::BlockingReader<ex::LogEntry> log_stream = stub.StreamLogs(filter, demo.options());
  int n = 0;
  for (const ex::LogEntry& entry : log_stream) {
    std::printf("[%s] %s\n", entry.level().c_str(), entry.message().c_str());
    ++n;
  }
  pronto::Status status = log_stream.status();
  std::printf("(%d entries, %s)\n", n, status.to_string().c_str());
  demo.expect(status.ok() && n > 0, "StreamLogs should return the seeded rows");
}

void client_streaming(Demo& demo) {
  std::printf("\n== SensorService.UploadSensorData (client streaming)\n");
  ex::SensorService::Stub stub(demo.channel());
  constexpr int kReadings = 1000;
  constexpr int kInvalidEvery = 100;  // every 100th reading is below absolute zero

  std::mt19937 rng(42);
  std::uniform_real_distribution<double> celsius(-10.0, 50.0);
  auto now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());

  pronto::BlockingWriter<ex::SensorReading, ex::UploadSummary> upload = stub.UploadSensorData(demo.options());
  for (int i = 0; i < kReadings; ++i) {
    ex::SensorReading reading;
    reading.set_device_id("sensor_042");
    reading.set_value(i % kInvalidEvery == kInvalidEvery - 1 ? -300.0 : celsius(rng));
    reading.set_timestamp(now.count());
    if (!upload.write(reading)) break;  // the call ended early: finish() says why
  }
  pronto::Result<ex::UploadSummary> summary = upload.finish();
  if (summary) {
    std::printf("Uploaded: %lld / %lld\n", static_cast<long long>(summary->total_stored()),
                static_cast<long long>(summary->total_received()));
    std::printf("Errors: %lld\n", static_cast<long long>(summary->error_count()));
  }
  demo.expect(summary && summary->total_received() == kReadings &&
                  summary->error_count() == kReadings / kInvalidEvery &&
                  summary->total_stored() == kReadings - kReadings / kInvalidEvery,
              "UploadSensorData summary: " + summary.status().to_string());
}

ex::AnalyticsEvent make_event(std::string id, std::string type, std::string key, std::string value) {
  ex::AnalyticsEvent e;
  e.set_event_id(std::move(id));
  e.set_event_type(std::move(type));
  e.set_timestamp(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
  (*e.mutable_properties())[std::move(key)] = std::move(value);
  return e;
}

void bidi_streaming(Demo& demo) {
  std::printf("\n== AnalyticsService.ProcessPipeline (bidirectional streaming)\n");
  ex::AnalyticsService::Stub stub(demo.channel());
  const std::vector<ex::AnalyticsEvent> events = {
      make_event("e001", "purchase", "amount", "99.99"), make_event("e002", "page_view", "url", "/home"),
      make_event("e003", "click", "element", "buy_btn"), make_event("e004", "page_view", "url", "/cart"),
      make_event("e005", "purchase", "amount", "12.50"),
  };

  pronto::BlockingStream<ex::AnalyticsEvent, ex::ProcessedResult> stream =
      stub.ProcessPipeline(demo.options());
  // A writer thread keeps sending at the seed's pace while this thread
  // prints results as they come back.
  std::thread writer([&] {
    for (const ex::AnalyticsEvent& e : events) {
      if (!stream.write(e)) break;
      std::printf("  sent %s (%s)\n", e.event_id().c_str(), e.event_type().c_str());
      std::this_thread::sleep_for(100ms);  // simulate real-time event pace
    }
    stream.writes_done();
  });
  std::size_t results = 0;
  while (std::optional<ex::ProcessedResult> result = stream.read()) {
    std::printf("[%s] -> %s (confidence: %.2f)\n", result->event_id().c_str(), result->category().c_str(),
                result->confidence());
    ++results;
  }
  writer.join();
  pronto::Status status = stream.finish();
  std::printf("(%zu results, %s)\n", results, status.to_string().c_str());
  demo.expect(status.ok() && results == events.size(), "ProcessPipeline should answer every event");
}

// The same services from a coroutine: stub.async() hands out awaitables. The
// client uses pronto::detail::block_on to run it from main.
pronto::Task<int> coroutine_calls(const ex::UserService::Stub& users,
                                  const ex::AnalyticsService::Stub& analytics, pronto::CallOptions options) {
  int failures = 0;
  ex::UserRequest request;
  request.set_user_id("u_001");
  pronto::Result<ex::UserProfile> profile = co_await users.async().GetUserProfile(request, options);
  if (profile) {
    std::printf("co_await GetUserProfile(u_001) -> %s <%s>\n", profile->username().c_str(),
                profile->email().c_str());
  } else {
    std::printf("co_await GetUserProfile(u_001) -> %s\n", profile.status().to_string().c_str());
    ++failures;
  }

  // Ping-pong over the bidi stream: write an event, await its result.
  pronto::ClientStream<ex::AnalyticsEvent, ex::ProcessedResult> stream =
      analytics.async().ProcessPipeline(options);
  for (const char* type : {"add_to_cart", "scroll", "logout"}) {
    std::string id = std::string("c-") + type;
    if (!co_await stream.write(make_event(id, type, "source", "coroutine"))) break;
    std::optional<ex::ProcessedResult> result = co_await stream.read();
    if (!result || result->event_id() != id) {
      ++failures;
      break;
    }
    std::printf("co_await ProcessPipeline: [%s] -> %s (confidence: %.2f)\n", result->event_id().c_str(),
                result->category().c_str(), result->confidence());
  }
  stream.writes_done();
  while (co_await stream.read()) {
  }
  pronto::Status status = co_await stream.finish();
  if (!status.ok()) {
    std::printf("co_await ProcessPipeline -> %s\n", status.to_string().c_str());
    ++failures;
  }
  co_return failures;
}

void coroutines(Demo& demo) {
  std::printf("\n== The coroutine API (stub.async())\n");
  ex::UserService::Stub users(demo.channel());
  ex::AnalyticsService::Stub analytics(demo.channel());
  int failures = pronto::detail::block_on(coroutine_calls(users, analytics, demo.options()));
  demo.expect(failures == 0, "coroutine calls failed");
}

}  // namespace

int main(int argc, char** argv) {
  std::string target = "localhost:50051";
  std::string token = kDefaultToken;
  cli::Flags flags("seed-client", "Calls every method of the seed's four services.");
  flags.string("target=HOST:PORT", &target, "the seed-server")
      .string("token=T", &token, "bearer token sent with every call");
  flags.parse_or_exit(argc, argv);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // lines from two threads stay whole and in order

  Demo demo(pronto::Channel::create(target), token);
  std::printf("seed-client -> %s\n", target.c_str());
  unary(demo);
  server_streaming(demo);
  client_streaming(demo);
  bidi_streaming(demo);
  coroutines(demo);

  if (demo.failures() > 0) {
    std::printf("\n%d unexpected outcome(s)\n", demo.failures());
    return 1;
  }
  std::printf("\nall calls behaved as expected\n");
  return 0;
}

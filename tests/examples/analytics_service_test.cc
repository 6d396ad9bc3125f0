// tests/examples/analytics_service_test.cc — ProcessPipeline end to end:
// one result per event, ids echoed, results flowing while the client sends.
#include "analytics_service.h"

#include <thread>
#include <vector>

#include "analytics_service.pronto.h"
#include "seed_fixture.h"

namespace seed_test {
namespace {

namespace ex = pronto::examples;

ex::AnalyticsEvent event(std::string id, std::string type) {
  ex::AnalyticsEvent e;
  e.set_event_id(std::move(id));
  e.set_event_type(std::move(type));
  return e;
}

const char* const kTypes[] = {"purchase", "page_view", "click", "mystery"};
const char* const kCategories[] = {"conversion", "engagement", "interaction", "other"};

using AnalyticsServiceTest = SeedFixture;

TEST(ClassifyTest, CategoryFromTypeConfidenceFromProperties) {
  ex::AnalyticsEvent e = event("x", "purchase");
  EXPECT_EQ(seed::classify(e).category, "conversion");
  EXPECT_DOUBLE_EQ(seed::classify(e).confidence, 0.95);
  (*e.mutable_properties())["amount"] = "9.99";
  EXPECT_DOUBLE_EQ(seed::classify(e).confidence, 0.96);
  EXPECT_EQ(seed::classify(event("y", "")).category, "other");
}

TEST_F(AnalyticsServiceTest, ResultArrivesBeforeTheNextEventIsSent) {
  ex::AnalyticsService::Stub stub(channel_);
  pronto::BlockingStream<ex::AnalyticsEvent, ex::ProcessedResult> stream = stub.ProcessPipeline(call());
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(stream.write(event("e" + std::to_string(i), kTypes[i])));
    std::optional<ex::ProcessedResult> result = stream.read();  // answered before e{i+1} exists
    ASSERT_TRUE(result) << i;
    EXPECT_EQ(result->event_id(), "e" + std::to_string(i));
    EXPECT_EQ(result->category(), kCategories[i]);
    EXPECT_GT(result->confidence(), 0.0);
    EXPECT_LE(result->confidence(), 1.0);
    EXPECT_GE(result->processing_time_ms(), 0.0);
  }
  stream.writes_done();
  EXPECT_FALSE(stream.read());
  EXPECT_TRUE(stream.finish().ok());
}

TEST_F(AnalyticsServiceTest, ClientKeepsSendingBeforeReading) {
  constexpr int kEvents = 200;
  ex::AnalyticsService::Stub stub(channel_);
  pronto::BlockingStream<ex::AnalyticsEvent, ex::ProcessedResult> stream = stub.ProcessPipeline(call());
  // Every event goes out before a single result is read.
  for (int i = 0; i < kEvents; ++i)
    ASSERT_TRUE(stream.write(event("ev-" + std::to_string(i), kTypes[i % 4]))) << i;
  stream.writes_done();
  for (int i = 0; i < kEvents; ++i) {
    std::optional<ex::ProcessedResult> result = stream.read();
    ASSERT_TRUE(result) << i;
    EXPECT_EQ(result->event_id(), "ev-" + std::to_string(i));
    EXPECT_EQ(result->category(), kCategories[i % 4]);
  }
  EXPECT_FALSE(stream.read());
  EXPECT_TRUE(stream.finish().ok());
}

TEST_F(AnalyticsServiceTest, WriterThreadBesideReaderThread) {
  constexpr int kEvents = 500;
  ex::AnalyticsService::Stub stub(channel_);
  pronto::BlockingStream<ex::AnalyticsEvent, ex::ProcessedResult> stream = stub.ProcessPipeline(call());
  std::thread writer([&] {
    for (int i = 0; i < kEvents; ++i) {
      if (!stream.write(event(std::to_string(i), "click"))) return;
    }
    stream.writes_done();
  });
  int n = 0;
  while (std::optional<ex::ProcessedResult> result = stream.read()) {
    EXPECT_EQ(result->event_id(), std::to_string(n));
    ++n;
  }
  writer.join();
  EXPECT_EQ(n, kEvents);
  EXPECT_TRUE(stream.finish().ok());
}

TEST_F(AnalyticsServiceTest, CoroutineClientPingPong) {
  ex::AnalyticsService::Stub stub(channel_);
  auto run = [&]() -> pronto::Task<std::vector<std::string>> {
    std::vector<std::string> ids;
    pronto::ClientStream<ex::AnalyticsEvent, ex::ProcessedResult> stream =
        stub.async().ProcessPipeline(call());
    for (int i = 0; i < 3; ++i) {
      if (!co_await stream.write(event("co-" + std::to_string(i), "scroll"))) break;
      std::optional<ex::ProcessedResult> r = co_await stream.read();
      if (!r) break;
      ids.push_back(r->event_id() + ":" + r->category());
    }
    stream.writes_done();
    while (co_await stream.read()) {
    }
    pronto::Status st = co_await stream.finish();
    ids.push_back(st.to_string());
    co_return ids;
  };
  EXPECT_EQ(pronto::detail::block_on(run()),
            (std::vector<std::string>{"co-0:engagement", "co-1:engagement", "co-2:engagement", "OK"}));
}

}  // namespace
}  // namespace seed_test

// seed/analytics_service.cc — the seed's ProcessPipeline: read an event,
// classify it, write its result, repeat.
#include "analytics_service.h"

#include <algorithm>
#include <chrono>
#include <string_view>

namespace seed {

Classification classify(const pronto::examples::AnalyticsEvent& event) {
  struct Rule {
    std::string_view type;
    std::string_view category;
    double confidence;
  };
  static constexpr Rule kRules[] = {
      {"purchase", "conversion", 0.95},  {"add_to_cart", "conversion", 0.80},
      {"page_view", "engagement", 0.90}, {"scroll", "engagement", 0.70},
      {"click", "interaction", 0.85},    {"form_submit", "interaction", 0.75},
  };
  Classification c{"other", 0.50};
  for (const Rule& r : kRules) {
    if (event.event_type() == r.type) c = {std::string(r.category), r.confidence};
  }
  c.confidence = std::min(0.99, c.confidence + 0.01 * static_cast<double>(event.properties_size()));
  return c;
}

pronto::Task<pronto::Status> AnalyticsServiceImpl::ProcessPipeline(
    pronto::ServerContext& ctx,
    pronto::ServerStream<pronto::examples::AnalyticsEvent, pronto::examples::ProcessedResult>& stream) {
  for (;;) {
    std::optional<pronto::examples::AnalyticsEvent> event = co_await stream.read();
    if (!event) break;
    auto started = std::chrono::steady_clock::now();
    Classification c = classify(*event);
    pronto::examples::ProcessedResult result;
    result.set_event_id(event->event_id());
    result.set_category(std::move(c.category));
    result.set_confidence(c.confidence);
    result.set_processing_time_ms(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count());
    if (pronto::Status st = co_await stream.write(result); !st.ok()) co_return st;
  }
  if (ctx.is_cancelled()) co_return pronto::Status::cancelled("pipeline cancelled");
  co_return pronto::Status{};
}

}  // namespace seed

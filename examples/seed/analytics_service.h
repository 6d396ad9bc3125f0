// seed/analytics_service.h — AnalyticsService.ProcessPipeline
// (bidirectional): one ProcessedResult per AnalyticsEvent, written as soon as
// the event is classified, while the client keeps sending.
//
// Ownership: stateless. Threading: handlers run on their call's loop.
#pragma once

#include <string>

#include "analytics_service.pronto.h"

namespace seed {

// The "ML model" of the seed: a category and a confidence from the event type
// (more properties, a little more confidence).
struct Classification {
  std::string category;
  double confidence = 0;
};
Classification classify(const pronto::examples::AnalyticsEvent& event);

class AnalyticsServiceImpl final : public pronto::examples::AnalyticsService::Service {
 public:
  pronto::Task<pronto::Status> ProcessPipeline(
      pronto::ServerContext& ctx,
      pronto::ServerStream<pronto::examples::AnalyticsEvent, pronto::examples::ProcessedResult>& stream)
      override;
};

}  // namespace seed

// seed/sensor_service.cc — the seed's UploadSensorData: validate as readings
// arrive, flush every 100 to the database, summarize at the end.
#include "sensor_service.h"

#include <vector>

namespace seed {

pronto::Task<pronto::Result<pronto::examples::UploadSummary>> SensorServiceImpl::UploadSensorData(
    pronto::ServerContext& ctx, pronto::ServerReader<pronto::examples::SensorReading>& reader) {
  std::int64_t received = 0;
  std::int64_t stored = 0;
  std::int64_t errors = 0;
  std::vector<ReadingRow> batch;
  batch.reserve(kBatchSize);
  // One transaction per batch, on the blocking pool.
  auto store_batch = [&] { return static_cast<std::int64_t>(store_.insert_readings(batch)); };

  for (;;) {
    std::optional<pronto::examples::SensorReading> reading = co_await reader.read();
    if (!reading) break;  // client half-closed (or the call ended: checked below)
    ++received;
    // `!(v >= zero)` also rejects NaN.
    if (!(reading->value() >= kAbsoluteZero)) {
      ++errors;
      continue;
    }
    batch.push_back({reading->device_id(), reading->value(), reading->timestamp()});
    if (batch.size() >= kBatchSize) {
      stored += co_await ctx.blocking(store_batch);
      batch.clear();
    }
  }
  if (ctx.is_cancelled()) co_return pronto::Status::cancelled("upload cancelled");
  if (!batch.empty()) stored += co_await ctx.blocking(store_batch);

  pronto::examples::UploadSummary summary;
  summary.set_total_received(received);
  summary.set_total_stored(stored);
  summary.set_error_count(errors);
  co_return summary;
}

}  // namespace seed

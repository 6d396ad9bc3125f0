// seed/sensor_service.h — SensorService.UploadSensorData (client
// streaming): readings below absolute zero (-273.15 °C) are counted as
// errors; valid ones are stored in SQLite in batches of 100, one transaction
// per batch; the reply counts received, stored and rejected readings.
//
// Ownership: borrows the Store. Threading: reads on the call's loop, inserts
// on the blocking pool.
#pragma once

#include <cstddef>

#include "sensor_service.pronto.h"
#include "store.h"

namespace seed {

class SensorServiceImpl final : public pronto::examples::SensorService::Service {
 public:
  static constexpr std::size_t kBatchSize = 100;
  static constexpr double kAbsoluteZero = -273.15;

  explicit SensorServiceImpl(Store& store) : store_(store) {}

  pronto::Task<pronto::Result<pronto::examples::UploadSummary>> UploadSensorData(
      pronto::ServerContext& ctx, pronto::ServerReader<pronto::examples::SensorReading>& reader) override;

 private:
  Store& store_;
};

}  // namespace seed

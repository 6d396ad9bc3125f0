// tests/examples/sensor_service_test.cc — UploadSensorData end to end: the
// summary counts and the rows that really reached SQLite.
#include "seed_fixture.h"
#include "sensor_service.pronto.h"

namespace seed_test {
namespace {

namespace ex = pronto::examples;

ex::SensorReading reading(const std::string& device, double value, std::int64_t ts) {
  ex::SensorReading r;
  r.set_device_id(device);
  r.set_value(value);
  r.set_timestamp(ts);
  return r;
}

using SensorServiceTest = SeedFixture;

TEST_F(SensorServiceTest, CountsErrorsAndStoresValidReadingsInBatches) {
  ex::SensorService::Stub stub(channel_);
  pronto::BlockingWriter<ex::SensorReading, ex::UploadSummary> upload = stub.UploadSensorData(call());
  int invalid = 0;
  for (int i = 0; i < 250; ++i) {
    // 7 readings below absolute zero, spread over the batches.
    bool bad = i % 36 == 5;
    invalid += bad;
    ASSERT_TRUE(upload.write(reading("dev-250", bad ? -273.16 - i : 20.0 + i * 0.01, 1720000000 + i))) << i;
  }
  ASSERT_EQ(invalid, 7);
  pronto::Result<ex::UploadSummary> summary = upload.finish();
  ASSERT_TRUE(summary.ok()) << summary.status().to_string();
  EXPECT_EQ(summary->total_received(), 250);
  EXPECT_EQ(summary->total_stored(), 243);
  EXPECT_EQ(summary->error_count(), 7);
  EXPECT_EQ(app_->store().count_readings("dev-250"), 243);
  EXPECT_EQ(app_->store().count_readings(""), 243);
}

TEST_F(SensorServiceTest, AbsoluteZeroItselfIsValid) {
  ex::SensorService::Stub stub(channel_);
  pronto::BlockingWriter<ex::SensorReading, ex::UploadSummary> upload = stub.UploadSensorData(call());
  ASSERT_TRUE(upload.write(reading("edge", -273.15, 1)));
  ASSERT_TRUE(upload.write(reading("edge", -273.1500001, 2)));
  pronto::Result<ex::UploadSummary> summary = upload.finish();
  ASSERT_TRUE(summary.ok()) << summary.status().to_string();
  EXPECT_EQ(summary->total_stored(), 1);
  EXPECT_EQ(summary->error_count(), 1);
  EXPECT_EQ(app_->store().count_readings("edge"), 1);
}

TEST_F(SensorServiceTest, EmptyUploadIsAllZeros) {
  ex::SensorService::Stub stub(channel_);
  pronto::Result<ex::UploadSummary> summary = stub.UploadSensorData(call()).finish();
  ASSERT_TRUE(summary.ok()) << summary.status().to_string();
  EXPECT_EQ(summary->total_received(), 0);
  EXPECT_EQ(summary->total_stored(), 0);
  EXPECT_EQ(summary->error_count(), 0);
}

TEST_F(SensorServiceTest, WithoutTokenNothingIsStored) {
  ex::SensorService::Stub stub(channel_);
  pronto::BlockingWriter<ex::SensorReading, ex::UploadSummary> upload = stub.UploadSensorData(call(""));
  for (int i = 0; i < 10; ++i) {
    if (!upload.write(reading("nope", 1.0, i))) break;  // the server may have answered already
  }
  EXPECT_EQ(upload.finish().status().code(), pronto::StatusCode::unauthenticated);
  EXPECT_EQ(app_->store().count_readings("nope"), 0);
}

}  // namespace
}  // namespace seed_test

// MemoryPipe: bounded buffering, readiness wakeups across loops, EOF and
// errors after close, and wakes to a loop that is gone.
#include "transport/memory_pipe.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace pronto::detail {
namespace {

using namespace std::chrono_literals;

struct Recorder final : StreamEvents {
  std::atomic<int> readable{0};
  std::atomic<int> writable{0};
  std::atomic<EventLoop*> ran_on{nullptr};
  void on_stream_readable(const asio::error_code&) override {
    ran_on = EventLoop::current();
    ++readable;
  }
  void on_stream_writable(const asio::error_code&) override {
    ran_on = EventLoop::current();
    ++writable;
  }
};

template <class Pred>
bool eventually(Pred pred) {
  for (int i = 0; i < 400 && !pred(); ++i) std::this_thread::sleep_for(5ms);
  return pred();
}

h2::OutputBuffer bytes(std::size_t n, char c = 'x') {
  h2::OutputBuffer out;
  out.append(std::string(n, c));
  return out;
}

class MemoryPipeTest : public ::testing::Test {
 protected:
  MemoryPipeTest() {
    a_.start("pipe-a");
    b_ = std::make_unique<EventLoop>();
    b_->start("pipe-b");
    std::tie(end_a_, end_b_) = MemoryPipe::create(a_, *b_, 1024);
  }
  ~MemoryPipeTest() override {
    end_a_.reset();
    end_b_.reset();
  }
  std::size_t read_all(PipeStream& end, std::string* into = nullptr) {
    std::uint8_t buf[4096];
    std::size_t total = 0;
    for (;;) {
      asio::error_code ec;
      std::size_t n = end.read(buf, sizeof buf, ec);
      if (ec) break;
      if (into) into->append(reinterpret_cast<char*>(buf), n);
      total += n;
    }
    return total;
  }

  EventLoop a_;
  std::unique_ptr<EventLoop> b_;
  std::unique_ptr<PipeStream> end_a_, end_b_;
};

TEST_F(MemoryPipeTest, a_write_stops_at_the_bound_and_waits_for_half_of_it) {
  auto out = bytes(3000);
  std::string error;
  ASSERT_TRUE(end_a_->write(out, error));
  EXPECT_EQ(out.size(), 3000u - 1024);  // the rest stays with the writer
  auto rec = std::make_shared<Recorder>();
  end_a_->wait_writable(rec);
  std::this_thread::sleep_for(30ms);
  EXPECT_EQ(rec->writable.load(), 0);  // full: parked

  std::uint8_t buf[300];
  asio::error_code ec;
  EXPECT_EQ(end_b_->read(buf, sizeof buf, ec), 300u);
  std::this_thread::sleep_for(30ms);
  EXPECT_EQ(rec->writable.load(), 0);  // 300 free: not yet half
  EXPECT_EQ(end_b_->read(buf, sizeof buf, ec), 300u);
  ASSERT_TRUE(eventually([&] { return rec->writable.load() == 1; }));
  EXPECT_EQ(rec->ran_on.load(), &a_);  // on the writer's loop

  ASSERT_TRUE(end_a_->write(out, error));
  EXPECT_EQ(out.size(), 3000u - 1024 - 600);
  EXPECT_EQ(read_all(*end_b_), 1024u);
}

TEST_F(MemoryPipeTest, a_waiting_reader_is_woken_on_its_loop_by_a_write) {
  auto rec = std::make_shared<Recorder>();
  end_b_->wait_readable(rec);
  std::this_thread::sleep_for(30ms);
  EXPECT_EQ(rec->readable.load(), 0);
  auto out = bytes(10, 'h');
  std::string error;
  ASSERT_TRUE(end_a_->write(out, error));
  ASSERT_TRUE(eventually([&] { return rec->readable.load() == 1; }));
  EXPECT_EQ(rec->ran_on.load(), b_.get());
  std::string got;
  EXPECT_EQ(read_all(*end_b_, &got), 10u);
  EXPECT_EQ(got, std::string(10, 'h'));
  asio::error_code ec;
  std::uint8_t buf[8];
  EXPECT_EQ(end_b_->read(buf, sizeof buf, ec), 0u);
  EXPECT_EQ(ec, asio::error::would_block);
  // Readable already: the wait completes in a later turn, not inline.
  ASSERT_TRUE(end_a_->write(out = bytes(1), error));
  end_b_->wait_readable(rec);
  ASSERT_TRUE(eventually([&] { return rec->readable.load() == 2; }));
}

TEST_F(MemoryPipeTest, closing_one_end_gives_the_other_the_rest_then_eof_and_failing_writes) {
  auto out = bytes(100);
  std::string error;
  ASSERT_TRUE(end_a_->write(out, error));
  auto rec = std::make_shared<Recorder>();
  end_a_->wait_readable(rec);  // parked: aborted by close, in a later turn
  end_a_->close();
  EXPECT_TRUE(eventually([&] { return rec.use_count() == 1; }));
  EXPECT_EQ(rec->readable.load(), 1);
  EXPECT_EQ(read_all(*end_b_), 100u);
  asio::error_code ec;
  std::uint8_t buf[8];
  EXPECT_EQ(end_b_->read(buf, sizeof buf, ec), 0u);
  EXPECT_EQ(ec, asio::error::eof);
  out = bytes(5);
  EXPECT_FALSE(end_b_->write(out, error));
  EXPECT_FALSE(error.empty());
}

TEST_F(MemoryPipeTest, close_wakes_the_other_ends_parked_waits) {
  auto out = bytes(2000);
  std::string error;
  ASSERT_TRUE(end_b_->write(out, error));  // b full
  auto reader = std::make_shared<Recorder>();
  auto writer = std::make_shared<Recorder>();
  end_b_->wait_readable(reader);
  end_b_->wait_writable(writer);
  end_a_.reset();  // destroying an end closes it
  ASSERT_TRUE(eventually([&] { return reader->readable.load() == 1 && writer->writable.load() == 1; }));
}

TEST_F(MemoryPipeTest, wakes_for_a_loop_that_is_gone_are_dropped) {
  auto rec = std::make_shared<Recorder>();
  end_b_->wait_readable(rec);
  b_.reset();  // the loop of end b goes first (its end lives on)
  auto out = bytes(10);
  std::string error;
  ASSERT_TRUE(end_a_->write(out, error));  // would wake b: dropped
  EXPECT_EQ(rec->readable.load(), 0);
  EXPECT_EQ(rec.use_count(), 1);  // the wake's reference went with it
}

TEST_F(MemoryPipeTest, both_ends_gone_frees_the_pipe) {
  const std::size_t live = MemoryPipe::live_pipes();
  end_a_.reset();
  EXPECT_EQ(MemoryPipe::live_pipes(), live);
  end_b_.reset();
  EXPECT_EQ(MemoryPipe::live_pipes(), live - 1);
}

}  // namespace
}  // namespace pronto::detail

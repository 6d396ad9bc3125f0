// h2::SessionMemory: slots that stay untouched until used, and server
// sessions of one loop sharing one frame buffer without mixing their bytes.
#include "h2/session_memory.h"

#include <gtest/gtest.h>
#include <nghttp2/nghttp2.h>

#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "h2/session.h"

namespace pronto::h2 {
namespace {

TEST(SessionMemory, table_slots_are_zero_when_taken_again) {
  auto memory = SessionMemory::create();
  if (!memory->has_slots()) GTEST_SKIP() << "no slots (no region, or AddressSanitizer)";
  auto* p = static_cast<unsigned char*>(memory->allocate_zeroed(256, 16));
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(memory->owns(p));
  EXPECT_EQ(memory->slots_in_use(), 1u);
  for (int i = 0; i < 4096; ++i) ASSERT_EQ(p[i], 0) << i;
  std::memset(p, 0xab, 4096);
  memory->release(p);
  EXPECT_EQ(memory->slots_in_use(), 0u);
  auto* q = static_cast<unsigned char*>(memory->allocate_zeroed(16, 256));
  EXPECT_EQ(q, p);  // the freed slot, zero again
  for (int i = 0; i < 4096; ++i) ASSERT_EQ(q[i], 0) << i;
  memory->release(q);
}

TEST(SessionMemory, small_slots_are_zeroed_on_calloc_reuse) {
  auto memory = SessionMemory::create();
  if (!memory->has_slots()) GTEST_SKIP() << "no slots (no region, or AddressSanitizer)";
  std::vector<void*> taken;
  for (int i = 0; i < 10; ++i) taken.push_back(memory->allocate(1024));
  for (void* p : taken) {
    EXPECT_TRUE(memory->owns(p));
    std::memset(p, 0x5a, 1024);
  }
  for (void* p : taken) memory->release(p);
  auto* z = static_cast<unsigned char*>(memory->allocate_zeroed(1, 1024));
  for (int i = 0; i < 1024; ++i) ASSERT_EQ(z[i], 0) << i;
  memory->release(z);
  EXPECT_EQ(memory->slots_in_use(), 0u);
}

TEST(SessionMemory, other_sizes_are_malloc_and_realloc_moves_slots_out) {
  auto memory = SessionMemory::create();
  if (!memory->has_slots()) GTEST_SKIP() << "no slots (no region, or AddressSanitizer)";
  void* m = memory->allocate(100);
  EXPECT_FALSE(memory->owns(m));
  memory->release(m);
  auto* p = static_cast<char*>(memory->allocate(1024));
  std::memset(p, 'x', 1024);
  auto* q = static_cast<char*>(memory->reallocate(p, 3000));
  EXPECT_FALSE(memory->owns(q));
  EXPECT_EQ(std::string(q, 1024), std::string(1024, 'x'));
  memory->release(q);
  EXPECT_EQ(memory->slots_in_use(), 0u);
}

// ---- sessions ----------------------------------------------------------------

struct Stream {
  std::map<std::string, std::string> headers;
  std::string data;
  bool closed = false;
};

class Recorder : public SessionEvents {
 public:
  std::map<std::int32_t, Stream> streams;
  void* on_begin_headers(std::int32_t id, void* stream) override { return stream ? stream : &streams[id]; }
  bool on_header(void* s, std::string_view n, std::string_view v) override {
    static_cast<Stream*>(s)->headers[std::string(n)] = v;
    return true;
  }
  void on_headers_end(void*, bool) override {}
  void on_data(void* s, const std::uint8_t* d, std::size_t n) override {
    static_cast<Stream*>(s)->data.append(reinterpret_cast<const char*>(d), n);
  }
  void on_remote_end(void*) override {}
  void on_stream_close(void* s, std::uint32_t) override { static_cast<Stream*>(s)->closed = true; }
  void on_body_drained(void*) override {}
};

// A client and a server session; the server allocates from `memory`.
struct Pair {
  explicit Pair(std::shared_ptr<SessionMemory> memory)
      : client(Session::Role::client, client_events),
        server(Session::Role::server, server_events, SessionSettings{}, std::move(memory)) {}
  // One exchange each way; true if anything moved.
  bool step() {
    std::string c2s, s2c;
    client.collect_output(c2s);
    if (!c2s.empty())
      EXPECT_TRUE(server.receive(reinterpret_cast<const std::uint8_t*>(c2s.data()), c2s.size()));
    server.collect_output(s2c);
    if (!s2c.empty())
      EXPECT_TRUE(client.receive(reinterpret_cast<const std::uint8_t*>(s2c.data()), s2c.size()));
    // The client application takes everything at once.
    for (auto& [id, s] : client_streams) {
      client.consume(id, s.data.size() - consumed[id]);
      consumed[id] = s.data.size();
    }
    return !c2s.empty() || !s2c.empty();
  }

  Recorder client_events, server_events;
  Session client;
  Session server;
  std::map<std::int32_t, Stream> client_streams;  // bound to the client's streams
  std::map<std::int32_t, std::size_t> consumed;
};

TEST(SessionMemory, server_sessions_share_one_frame_buffer_without_mixing_output) {
  auto memory = SessionMemory::create();
  constexpr int kPairs = 4;
  std::vector<std::unique_ptr<Pair>> pairs;
  for (int i = 0; i < kPairs; ++i) pairs.push_back(std::make_unique<Pair>(memory));
  for (auto& p : pairs) {
    EXPECT_TRUE(p->server.shares_frame_buffer());
    EXPECT_FALSE(p->client.shares_frame_buffer());
  }
  // Each pair: 3 calls, with response metadata above one frame (HEADERS +
  // CONTINUATION over several buffer chunks) and bodies of many frames, all
  // of bytes particular to the pair and call.
  std::vector<std::vector<std::unique_ptr<OutboundBody>>> bodies(kPairs);
  std::vector<std::vector<std::int32_t>> ids(kPairs);
  auto pattern = [](int pair, int call, std::size_t n) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (pair * 7 + call * 3 + i) % 26);
    return s;
  };
  for (int i = 0; i < kPairs; ++i) {
    for (int c = 0; c < 3; ++c) {
      HeaderBlock h{{":method", "POST"},
                    {":scheme", "http"},
                    {":path", "/a.B/C"},
                    {":authority", "x"},
                    {"content-type", "application/grpc"},
                    {"te", "trailers"}};
      auto& stream = pairs[i]->client_streams[static_cast<std::int32_t>(ids[i].size() * 2 + 1)];
      ids[i].push_back(pairs[i]->client.submit_request(h, nullptr, &stream));
      ASSERT_EQ(ids[i].back(), static_cast<std::int32_t>(ids[i].size() * 2 - 1));
    }
  }
  // Round robin, one exchange per pair at a time, as sessions of one loop go.
  auto run = [&] {
    for (int round = 0; round < 1000; ++round) {
      bool moved = false;
      for (auto& p : pairs) moved |= p->step();
      if (!moved) return;
    }
    FAIL() << "did not settle";
  };
  run();
  for (int i = 0; i < kPairs; ++i) {
    for (int c = 0; c < 3; ++c) {
      auto body = std::make_unique<OutboundBody>();
      body->append(pattern(i, c, 100000 + 1000 * c));
      HeaderBlock trailers{{"grpc-status", "0"}};
      trailers.add_owned("x-pair", std::to_string(i));
      body->finish_with_trailers(std::move(trailers));
      HeaderBlock h{{":status", "200"}, {"content-type", "application/grpc"}};
      std::string big = pattern(i, c + 10, 20000);
      h.add("x-big", big);
      ASSERT_TRUE(pairs[i]->server.submit_response(ids[i][c], h, body.get()));
      bodies[i].push_back(std::move(body));
    }
  }
  run();
  for (int i = 0; i < kPairs; ++i) {
    for (int c = 0; c < 3; ++c) {
      auto& s = pairs[i]->client_streams.at(ids[i][c]);
      EXPECT_TRUE(s.closed) << i << "/" << c;
      EXPECT_EQ(s.headers["x-big"], pattern(i, c + 10, 20000)) << i << "/" << c;
      EXPECT_EQ(s.headers["x-pair"], std::to_string(i));
      EXPECT_TRUE(s.data == pattern(i, c, 100000 + 1000 * c)) << i << "/" << c << " got " << s.data.size();
    }
  }
  pairs.clear();
  EXPECT_EQ(memory->slots_in_use(), 0u);
}

}  // namespace
}  // namespace pronto::h2

// Sans-I/O tests of h2::Session: a client and a server session wired back to
// back in memory, bytes pumped between them.
#include "h2/session.h"

#include <gtest/gtest.h>
#include <nghttp2/nghttp2.h>

#include <map>
#include <string>
#include <vector>

namespace pronto::h2 {
namespace {

struct StreamRecord {
  std::vector<std::pair<std::string, std::string>> headers;
  int header_blocks = 0;
  bool end_stream_on_headers = false;
  std::string data;
  bool remote_end = false;
  bool closed = false;
  std::uint32_t close_code = 0;
  int drained = 0;
};

// Records every event; on a server, binds a new record to each new stream.
class Recorder : public SessionEvents {
 public:
  std::map<std::int32_t, StreamRecord> streams;
  bool goaway = false;
  std::int32_t goaway_last_stream = -1;
  std::uint32_t goaway_code = 0;
  std::string goaway_debug;
  std::vector<std::uint64_t> pings, ping_acks;

  void* on_begin_headers(std::int32_t id, void* stream) override {
    if (stream) return stream;
    return &streams[id];
  }
  bool on_header(void* s, std::string_view n, std::string_view v) override {
    static_cast<StreamRecord*>(s)->headers.emplace_back(n, v);
    return true;
  }
  void on_headers_end(void* s, bool end_stream) override {
    auto* r = static_cast<StreamRecord*>(s);
    ++r->header_blocks;
    r->end_stream_on_headers |= end_stream;
  }
  void on_data(void* s, const std::uint8_t* d, std::size_t n) override {
    static_cast<StreamRecord*>(s)->data.append(reinterpret_cast<const char*>(d), n);
  }
  void on_remote_end(void* s) override { static_cast<StreamRecord*>(s)->remote_end = true; }
  void on_stream_close(void* s, std::uint32_t code) override {
    auto* r = static_cast<StreamRecord*>(s);
    r->closed = true;
    r->close_code = code;
  }
  void on_body_drained(void* s) override { ++static_cast<StreamRecord*>(s)->drained; }
  void on_goaway(std::int32_t last, std::uint32_t code, std::string_view debug) override {
    goaway = true;
    goaway_last_stream = last;
    goaway_code = code;
    goaway_debug = debug;
  }
  void on_ping(std::uint64_t opaque) override { pings.push_back(opaque); }
  void on_ping_ack(std::uint64_t opaque) override { ping_acks.push_back(opaque); }
};

struct Frame {
  std::uint8_t type;
  std::uint8_t flags;
  std::int32_t stream;
};

std::vector<Frame> parse_frames(std::string_view bytes) {
  static constexpr std::string_view kPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
  if (bytes.substr(0, kPreface.size()) == kPreface) bytes.remove_prefix(kPreface.size());
  std::vector<Frame> out;
  while (bytes.size() >= 9) {
    auto u = [&](int i) { return static_cast<std::uint8_t>(bytes[i]); };
    std::size_t len = (u(0) << 16) | (u(1) << 8) | u(2);
    out.push_back({u(3), u(4), static_cast<std::int32_t>(((u(5) & 0x7f) << 24) | (u(6) << 16) | (u(7) << 8) | u(8))});
    bytes.remove_prefix(std::min(bytes.size(), 9 + len));
  }
  return out;
}

std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + i % 26 + i / 4096 % 3);
  return s;
}

class SessionPair : public ::testing::Test {
 protected:
  explicit SessionPair(SessionSettings server_settings = {})
      : client_(Session::Role::client, client_events_), server_(Session::Role::server, server_events_, server_settings) {}

  // Moves bytes both ways until neither side has anything to send.
  // Returns what the server sent during the pump.
  std::string pump() {
    std::string server_sent;
    for (int i = 0; i < 100; ++i) {
      std::string c2s, s2c;
      client_.collect_output(c2s);
      if (!c2s.empty()) EXPECT_TRUE(server_.receive(reinterpret_cast<const std::uint8_t*>(c2s.data()), c2s.size()));
      server_.collect_output(s2c);
      server_sent += s2c;
      if (!s2c.empty()) EXPECT_TRUE(client_.receive(reinterpret_cast<const std::uint8_t*>(s2c.data()), s2c.size()));
      if (c2s.empty() && s2c.empty()) break;
    }
    return server_sent;
  }

  std::int32_t start_request(OutboundBody* body) {
    HeaderBlock h{{":method", "POST"}, {":scheme", "http"}, {":path", "/a.B/C"},
                 {":authority", "x"},   {"content-type", "application/grpc"}, {"te", "trailers"}};
    return client_.submit_request(h, body, &client_stream_);
  }

  Recorder client_events_, server_events_;
  StreamRecord client_stream_;
  Session client_;
  Session server_;
};

TEST_F(SessionPair, server_advertises_max_concurrent_streams_of_100) {
  pump();
  EXPECT_EQ(nghttp2_session_get_remote_settings(client_.raw(), NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS), 100u);
}

TEST_F(SessionPair, request_headers_and_body_reach_the_server) {
  OutboundBody body;
  body.append("hello");
  body.finish();
  auto id = start_request(&body);
  ASSERT_GT(id, 0);
  pump();
  auto& s = server_events_.streams.at(id);
  EXPECT_EQ(s.header_blocks, 1);
  EXPECT_EQ(s.data, "hello");
  EXPECT_TRUE(s.remote_end);
  EXPECT_FALSE(s.end_stream_on_headers);
}

TEST_F(SessionPair, trailers_only_response_is_one_headers_frame_with_end_stream) {
  auto id = start_request(nullptr);
  pump();
  HeaderBlock h{{":status", "200"}, {"content-type", "application/grpc"}, {"grpc-status", "12"}};
  ASSERT_TRUE(server_.submit_response(id, h, nullptr));
  auto sent = pump();
  auto frames = parse_frames(sent);
  int headers = 0;
  for (auto& f : frames) {
    if (f.stream != id) continue;
    EXPECT_EQ(f.type, NGHTTP2_HEADERS);
    EXPECT_TRUE(f.flags & NGHTTP2_FLAG_END_STREAM);
    ++headers;
  }
  EXPECT_EQ(headers, 1);
  EXPECT_TRUE(client_stream_.end_stream_on_headers);
  EXPECT_TRUE(client_stream_.closed);
}

TEST_F(SessionPair, deferred_body_sends_nothing_until_resumed_then_data_and_trailers) {
  auto id = start_request(nullptr);
  pump();
  OutboundBody body;
  HeaderBlock h{{":status", "200"}, {"content-type", "application/grpc"}};
  ASSERT_TRUE(server_.submit_response(id, h, &body));
  pump();
  EXPECT_EQ(client_stream_.header_blocks, 1);
  EXPECT_TRUE(client_stream_.data.empty());
  EXPECT_TRUE(body.deferred);

  body.append("abc");
  server_.resume(id, body);
  pump();
  EXPECT_EQ(client_stream_.data, "abc");
  EXPECT_FALSE(client_stream_.closed);

  body.finish_with_trailers({{"grpc-status", "0"}});
  server_.resume(id, body);
  auto sent = pump();
  EXPECT_EQ(client_stream_.header_blocks, 2);  // headers + trailers
  EXPECT_TRUE(client_stream_.closed);
  auto frames = parse_frames(sent);
  ASSERT_FALSE(frames.empty());
  EXPECT_EQ(frames.back().type, NGHTTP2_HEADERS);
  EXPECT_TRUE(frames.back().flags & NGHTTP2_FLAG_END_STREAM);
}

TEST_F(SessionPair, reset_after_end_stream_is_sent_after_the_trailers) {
  auto id = start_request(nullptr);
  pump();
  server_.reset_after_end_stream(id, NGHTTP2_CANCEL);
  HeaderBlock h{{":status", "200"}, {"content-type", "application/grpc"}, {"grpc-status", "4"}};
  ASSERT_TRUE(server_.submit_response(id, h, nullptr));
  auto frames = parse_frames(pump());
  std::vector<std::uint8_t> types;
  for (auto& f : frames)
    if (f.stream == id) types.push_back(f.type);
  ASSERT_EQ(types.size(), 2u);
  EXPECT_EQ(types[0], NGHTTP2_HEADERS);
  EXPECT_EQ(types[1], NGHTTP2_RST_STREAM);
  // The client saw the status before the reset.
  bool saw_status = false;
  for (auto& [n, v] : client_stream_.headers) saw_status |= (n == "grpc-status" && v == "4");
  EXPECT_TRUE(saw_status);
}

class SmallWindow : public SessionPair {
 protected:
  SmallWindow() : SessionPair(SessionSettings{.initial_window_size = 1000}) {}
};

TEST_F(SmallWindow, stream_window_reopens_only_as_the_application_consumes) {
  pump();  // SETTINGS first: until then the default 65535 window applies
  OutboundBody body;
  body.append(std::string(5000, 'x'));
  body.finish();
  auto id = start_request(&body);
  pump();
  auto& s = server_events_.streams.at(id);
  EXPECT_EQ(s.data.size(), 1000u);  // the window, no more
  server_.consume(id, 1000);
  pump();
  EXPECT_EQ(s.data.size(), 2000u);
  for (int i = 0; i < 3; ++i) {
    server_.consume(id, 1000);
    pump();
  }
  EXPECT_EQ(s.data.size(), 5000u);
  EXPECT_TRUE(s.remote_end);
}

// A window that stops a large body in the middle of a DATA slice.
class MidChunkWindow : public SessionPair {
 protected:
  MidChunkWindow() : SessionPair(SessionSettings{.initial_window_size = 20000}) {}
};

TEST_F(MidChunkWindow, large_body_resumes_mid_chunk_as_the_window_reopens) {
  pump();
  const std::string payload = pattern(100000);
  OutboundBody body;
  body.append(std::string(payload));
  body.finish();
  auto id = start_request(&body);
  pump();
  auto& s = server_events_.streams.at(id);
  EXPECT_EQ(s.data.size(), 20000u);  // a lent slice, then a copied one
  while (!s.remote_end) {
    server_.consume(id, s.data.size());
    const std::size_t before = s.data.size();
    pump();
    ASSERT_GT(s.data.size(), before);
  }
  EXPECT_EQ(s.data, payload);
}

TEST_F(SessionPair, large_response_goes_out_by_reference_and_arrives_intact) {
  auto id = start_request(nullptr);
  pump();
  const std::string payload = pattern(300000);
  OutboundBody body;
  body.append(std::string(payload));
  body.append("small tail");
  body.finish_with_trailers({{"grpc-status", "0"}});
  HeaderBlock h{{":status", "200"}, {"content-type", "application/grpc"}};
  ASSERT_TRUE(server_.submit_response(id, h, &body));
  pump();
  EXPECT_EQ(client_stream_.data, payload + "small tail");
  EXPECT_EQ(client_stream_.header_blocks, 2);
  EXPECT_TRUE(client_stream_.closed);
  EXPECT_GT(server_events_.streams.at(id).drained, 0);
}

TEST_F(SessionPair, collected_output_stays_valid_after_the_body_is_gone) {
  auto id = start_request(nullptr);
  pump();
  const std::string payload = pattern(200000);
  OutputBuffer out;
  {
    OutboundBody body;
    body.append(std::string(payload));
    body.finish_with_trailers({{"grpc-status", "0"}});
    HeaderBlock h{{":status", "200"}, {"content-type", "application/grpc"}};
    ASSERT_TRUE(server_.submit_response(id, h, &body));
    server_.collect_output(out);
    // The stream is done on the server (the request had ended): the
    // session no longer refers to the body, which goes away before the
    // bytes are "written".
    EXPECT_TRUE(server_events_.streams.at(id).closed);
  }
  EXPECT_GT(out.piece_count(), 2u);  // frame headers and lent payload slices
  std::string wire;
  out.move_to(wire);
  ASSERT_TRUE(client_.receive(reinterpret_cast<const std::uint8_t*>(wire.data()), wire.size()));
  EXPECT_EQ(client_stream_.data, payload);
  EXPECT_TRUE(client_stream_.closed);
}

TEST_F(SessionPair, data_past_the_collect_limit_waits_for_the_next_collect) {
  auto id = start_request(nullptr);
  pump();
  const std::string payload = pattern(900000);  // within the client's 1 MiB stream window
  OutboundBody body;
  body.append(std::string(payload));
  body.finish_with_trailers({{"grpc-status", "0"}});
  HeaderBlock h{{":status", "200"}, {"content-type", "application/grpc"}};
  ASSERT_TRUE(server_.submit_response(id, h, &body));
  constexpr std::size_t kLimit = 64 * 1024;
  std::string wire;
  int rounds = 0;
  for (; rounds < 100; ++rounds) {
    OutputBuffer out;
    server_.collect_output(out, kLimit);
    // At most one 16 KiB DATA frame (and its header) past the limit, plus
    // the response HEADERS in the first round.
    EXPECT_LE(out.size(), kLimit + 16384 + 9 + 200) << "round " << rounds;
    const bool more = server_.throttled();
    out.move_to(wire);
    if (!more) break;
  }
  EXPECT_GE(rounds, 900000 / (kLimit + 16384));
  ASSERT_TRUE(client_.receive(reinterpret_cast<const std::uint8_t*>(wire.data()), wire.size()));
  EXPECT_EQ(client_stream_.data, payload);
  EXPECT_TRUE(client_stream_.closed);
}

TEST_F(SessionPair, a_throttled_stream_that_closes_is_forgotten) {
  auto id = start_request(nullptr);
  pump();
  OutboundBody body;
  body.append(pattern(500000));
  HeaderBlock h{{":status", "200"}, {"content-type", "application/grpc"}};
  ASSERT_TRUE(server_.submit_response(id, h, &body));
  OutputBuffer out;
  server_.collect_output(out, 1);
  ASSERT_TRUE(server_.throttled());
  server_.reset_stream(id, NGHTTP2_CANCEL);
  OutputBuffer more;
  server_.collect_output(more);  // sends the reset; the stream closes
  EXPECT_FALSE(server_.throttled());
  EXPECT_TRUE(server_events_.streams.at(id).closed);
}

// Refuses every header field past the first `allowed` of a stream.
class StingyRecorder : public Recorder {
 public:
  std::size_t allowed = 3;
  std::size_t seen = 0;
  bool on_header(void* s, std::string_view n, std::string_view v) override {
    if (++seen > allowed) return false;
    return Recorder::on_header(s, n, v);
  }
};

TEST(Session, a_refused_header_resets_the_stream_with_enhance_your_calm_and_skips_the_rest_of_the_block) {
  Recorder client_events;
  StingyRecorder server_events;
  Session client(Session::Role::client, client_events);
  Session server(Session::Role::server, server_events);
  auto pump = [&] {
    for (int i = 0; i < 20; ++i) {
      std::string c2s, s2c;
      client.collect_output(c2s);
      if (!c2s.empty()) {
        ASSERT_TRUE(server.receive(reinterpret_cast<const std::uint8_t*>(c2s.data()), c2s.size()));
      }
      server.collect_output(s2c);
      if (!s2c.empty()) {
        ASSERT_TRUE(client.receive(reinterpret_cast<const std::uint8_t*>(s2c.data()), s2c.size()));
      }
      if (c2s.empty() && s2c.empty()) return;
    }
  };
  HeaderBlock h{{":method", "POST"}, {":scheme", "http"}, {":path", "/a.B/C"}, {":authority", "x"}};
  std::vector<std::string> names;  // the block refers to its names
  for (int i = 0; i < 200; ++i) names.push_back("x-field-" + std::to_string(i));
  for (const auto& name : names) h.add_owned(name, std::string(100, 'v'));
  StreamRecord stream;
  const std::int32_t id = client.submit_request(h, nullptr, &stream);
  pump();
  EXPECT_EQ(server_events.seen, server_events.allowed + 1);  // nothing after the refusal
  EXPECT_TRUE(stream.closed);
  EXPECT_EQ(stream.close_code, static_cast<std::uint32_t>(NGHTTP2_ENHANCE_YOUR_CALM));
  EXPECT_TRUE(client.peer_settings_received());
  EXPECT_TRUE(server.peer_settings_received());

  // The connection goes on, its HPACK state in step.
  server_events.allowed = SIZE_MAX;
  StreamRecord second;
  const std::int32_t id2 = client.submit_request(h, nullptr, &second);
  pump();
  ASSERT_GT(id2, id);
  ASSERT_TRUE(server_events.streams.count(id2));
  EXPECT_EQ(server_events.streams.at(id2).headers.size(), h.size());
  EXPECT_TRUE(client.want_read());
}

TEST(Session, garbage_input_fails_and_queues_goaway) {
  Recorder events;
  Session server(Session::Role::server, events);
  std::string garbage = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  EXPECT_FALSE(server.receive(reinterpret_cast<const std::uint8_t*>(garbage.data()), garbage.size()));
  EXPECT_TRUE(server.terminated());
  EXPECT_FALSE(server.want_read());
  std::string out;
  server.collect_output(out);
  bool goaway = false;
  std::int32_t goaway_last_stream = -1;
  std::uint32_t goaway_code = 0;
  std::string goaway_debug;
  std::vector<std::uint64_t> pings, ping_acks;
  for (auto& f : parse_frames(out)) goaway |= f.type == NGHTTP2_GOAWAY;
  EXPECT_TRUE(goaway);
  // Fed nothing more after the error.
  EXPECT_FALSE(server.receive(reinterpret_cast<const std::uint8_t*>(garbage.data()), garbage.size()));
}

TEST_F(SessionPair, client_reset_closes_the_server_stream_with_cancel) {
  auto id = start_request(nullptr);
  pump();
  client_.reset_stream(id, NGHTTP2_CANCEL);
  pump();
  auto& s = server_events_.streams.at(id);
  EXPECT_TRUE(s.closed);
  EXPECT_EQ(s.close_code, static_cast<std::uint32_t>(NGHTTP2_CANCEL));
}

}  // namespace
}  // namespace pronto::h2

namespace pronto::h2 {
namespace {

TEST_F(SessionPair, ping_reaches_the_peer_and_its_ack_carries_the_opaque_data_back) {
  pump();
  client_.submit_ping(0x0102030405060708ull);
  pump();
  EXPECT_EQ(server_events_.pings, std::vector<std::uint64_t>{0x0102030405060708ull});
  EXPECT_TRUE(server_events_.ping_acks.empty());
  EXPECT_EQ(client_events_.ping_acks, std::vector<std::uint64_t>{0x0102030405060708ull});
  EXPECT_TRUE(client_events_.pings.empty());
}

TEST_F(SessionPair, goaway_carries_the_chosen_last_stream_id_and_debug_data) {
  pump();
  server_.submit_goaway(NGHTTP2_ENHANCE_YOUR_CALM, 0x7fffffff, "too_many_pings");
  pump();
  EXPECT_TRUE(client_events_.goaway);
  EXPECT_EQ(client_events_.goaway_last_stream, 0x7fffffff);
  EXPECT_EQ(client_events_.goaway_code, std::uint32_t{NGHTTP2_ENHANCE_YOUR_CALM});
  EXPECT_EQ(client_events_.goaway_debug, "too_many_pings");
}

TEST_F(SessionPair, two_step_goaway_lets_the_open_stream_finish_and_refuses_later_ones) {
  pump();
  OutboundBody body;
  body.append("req");
  body.finish();
  const std::int32_t first = start_request(&body);
  pump();
  server_.submit_shutdown_notice();  // GOAWAY 2^31-1
  server_.submit_ping(7);
  pump();
  EXPECT_EQ(client_events_.goaway_last_stream, 0x7fffffff);
  EXPECT_EQ(server_events_.ping_acks, std::vector<std::uint64_t>{7});
  EXPECT_TRUE(server_.want_read());
  server_.submit_goaway(0, -1, {});  // the last stream processed: `first`
  pump();
  EXPECT_EQ(client_events_.goaway_last_stream, first);
  // The first stream is still open on both sides.
  EXPECT_FALSE(client_stream_.closed);
  EXPECT_EQ(server_.open_streams(), 1u);
}

TEST_F(SessionPair, terminate_with_debug_data_sends_goaway_and_then_nothing_more) {
  pump();
  OutboundBody body;
  body.append("req");
  const std::int32_t id = start_request(&body);
  pump();
  server_.terminate(NGHTTP2_ENHANCE_YOUR_CALM, "too_many_pings");
  EXPECT_TRUE(server_.want_write());
  OutboundBody response;
  response.append(pattern(1000));
  server_.submit_response(id, HeaderBlock{{":status", "200"}}, &response);
  std::string out;
  server_.collect_output(out);
  auto frames = parse_frames(out);
  ASSERT_FALSE(frames.empty());
  bool goaway = false;
  for (auto& f : frames) {
    EXPECT_NE(f.type, NGHTTP2_DATA) << "no DATA after terminate";
    goaway |= f.type == NGHTTP2_GOAWAY;
  }
  EXPECT_TRUE(goaway);
  EXPECT_FALSE(server_.want_write());
  EXPECT_FALSE(server_.want_read());
  ASSERT_TRUE(client_.receive(reinterpret_cast<const std::uint8_t*>(out.data()), out.size()));
  EXPECT_EQ(client_events_.goaway_debug, "too_many_pings");
  EXPECT_EQ(client_events_.goaway_code, std::uint32_t{NGHTTP2_ENHANCE_YOUR_CALM});
}

TEST_F(SessionPair, sent_headers_or_data_flag_is_set_by_a_response_and_cleared_by_taking_it) {
  pump();
  EXPECT_FALSE(server_.take_sent_headers_or_data());  // SETTINGS (and their ACK) do not count
  client_.submit_ping(1);
  pump();
  EXPECT_FALSE(server_.take_sent_headers_or_data());  // nor a PING ACK
  OutboundBody body;
  body.append("req");
  body.finish();
  start_request(&body);
  pump();
  EXPECT_TRUE(client_.take_sent_headers_or_data());
}

}  // namespace
}  // namespace pronto::h2

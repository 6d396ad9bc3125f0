// transport/keepalive.h — keepalive (gRPC proposal A8) for one connection:
// the ping-strike policy a server enforces on its peer's PINGs, as grpc-core
// does, and the settings of the pings a connection sends itself.
//
// Ownership: values, owned by the connection. Threading: the connection's
// loop only. Time is passed in (sans clock), so the policy is unit-tested
// without waiting.
#pragma once

#include <chrono>
#include <cstdint>

namespace pronto::detail {

using KeepaliveClock = std::chrono::steady_clock;

// "Never" for the durations below.
inline constexpr std::chrono::milliseconds kKeepaliveNever = std::chrono::milliseconds::max();

struct KeepaliveSettings {
  // Sending: a PING after `time` (kKeepaliveNever: never); no ACK within
  // `timeout` closes the connection. Without calls open, pings go only with
  // permit_without_calls.
  std::chrono::milliseconds time = kKeepaliveNever;
  std::chrono::milliseconds timeout{20000};
  bool permit_without_calls = false;
  // Enforcement on the peer's PINGs (servers): see PingStrikePolicy.
  bool enforce = false;
  std::chrono::milliseconds min_time{300000};
  bool permit_peer_without_calls = false;
  int max_ping_strikes = 2;
};

// grpc-core's Chttp2PingAbusePolicy. A PING that comes sooner than
// `min_time` after the previous one (2 hours when no call is open and pings
// without calls are not permitted) is a strike; the first PING, and the first
// after the policy was reset, is never one. More than `max_strikes` strikes
// (0: no limit): the connection is told GOAWAY ENHANCE_YOUR_CALM
// "too_many_pings" and closed. Sending HEADERS or DATA resets the policy
// (grpc-core: ResetPingClock on every write of metadata or messages).
class PingStrikePolicy {
 public:
  PingStrikePolicy(std::chrono::milliseconds min_time, bool permit_without_calls, int max_strikes)
      : min_time_(min_time), permit_without_calls_(permit_without_calls), max_strikes_(max_strikes) {}

  // A PING arrived at `now`; `idle`: no call is open. True: too many strikes.
  bool on_ping(KeepaliveClock::time_point now, bool idle);
  void reset() noexcept {
    last_ping_ = KeepaliveClock::time_point::min();
    strikes_ = 0;
  }
  int strikes() const noexcept { return strikes_; }

 private:
  std::chrono::milliseconds min_time_;
  bool permit_without_calls_;
  int max_strikes_;
  int strikes_ = 0;
  KeepaliveClock::time_point last_ping_ = KeepaliveClock::time_point::min();
};

// PING opaque data of the pings pronto sends itself (any other is the peer's).
inline constexpr std::uint64_t kKeepalivePingOpaque = 0x70726f6e746f4b41;  // "prontoKA"
inline constexpr std::uint64_t kGoawayPingOpaque = 0x70726f6e746f4741;     // "prontoGA"

// The debug data of grpc-core's GOAWAY for ping abuse.
inline constexpr char kTooManyPings[] = "too_many_pings";

}  // namespace pronto::detail

#include "transport/keepalive.h"

namespace pronto::detail {

bool PingStrikePolicy::on_ping(KeepaliveClock::time_point now, bool idle) {
  const std::chrono::milliseconds interval =
      idle && !permit_without_calls_ ? std::chrono::milliseconds(std::chrono::hours(2)) : min_time_;
  const bool first = last_ping_ == KeepaliveClock::time_point::min();
  const bool too_soon = !first && now - last_ping_ < interval;
  last_ping_ = now;
  if (!too_soon) return false;
  ++strikes_;
  return max_strikes_ != 0 && strikes_ > max_strikes_;
}

}  // namespace pronto::detail

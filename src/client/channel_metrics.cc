// pronto::metrics_text(const Channel&): the channel's client metrics.
#include "client/channel_impl.h"
#include "metrics/prometheus.h"
#include "pronto/channel.h"
#include "pronto/metrics.h"

namespace pronto {

std::string metrics_text(const Channel& channel, MetricsFormat format) {
  const metrics::Registry* m = const_cast<Channel&>(channel).impl().metrics();
  return m ? metrics::to_prometheus(*m, format) : std::string();
}

}  // namespace pronto

// metrics/prometheus.h — a Registry's snapshot in the Prometheus text
// exposition format (version 0.0.4), with OpenTelemetry's names or
// go-grpc-prometheus's (pronto/metrics.h).
//
// Pure functions; any thread.
#pragma once

#include <string>
#include <string_view>

#include "metrics/registry.h"
#include "pronto/metrics.h"

namespace pronto::metrics {

// The Content-Type of the text.
inline constexpr std::string_view kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

// A label value escaped as the text format wants it (\\, \", \n).
std::string escape_label_value(std::string_view value);

// go-grpc-prometheus's grpc_code: Go's codes.Code names ("OK", "Canceled",
// "InvalidArgument", ...).
std::string_view go_code_name(StatusCode code) noexcept;

std::string to_prometheus(const Registry& registry, MetricsFormat format);
std::string to_prometheus(const Snapshot& snapshot, Side side, std::string_view target, MetricsFormat format);

}  // namespace pronto::metrics

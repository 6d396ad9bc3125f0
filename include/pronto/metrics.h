// pronto/metrics.h — per-call metrics (gRPC proposal A66) in the Prometheus
// text format.
//
// A server (ServerOptions::metrics, default on) and a channel
// (ChannelOptions::metrics, default on) count every call they carry:
//   server: grpc.server.call.started, grpc.server.call.duration,
//           grpc.server.call.{sent,rcvd}_total_compressed_message_size
//           (attributes grpc.method, "other" for unregistered methods, and
//           grpc.status);
//   client: grpc.client.attempt.started, grpc.client.attempt.duration,
//           grpc.client.call.duration,
//           grpc.client.attempt.{sent,rcvd}_total_compressed_message_size
//           (grpc.method, grpc.target, grpc.status).
// Histograms use A66's bucket boundaries (latency in seconds, sizes in
// bytes). Message sizes are the gRPC message payloads as sent or received
// (compressed, without the 5-byte prefix or metadata).
//
// Text formats:
//   opentelemetry       the names OpenTelemetry's Prometheus exporter gives
//                       (grpc_server_call_duration_seconds_bucket{...}, ...);
//   go_grpc_prometheus  the names of go-grpc-prometheus (grpc_server_started_total,
//                       grpc_server_handled_total, grpc_server_handling_seconds,
//                       grpc_server_msg_{received,sent}_total with grpc_type,
//                       grpc_service, grpc_method, grpc_code). The latency
//                       histogram keeps A66's boundaries. Client side: the
//                       grpc_client_* equivalents without grpc_type (a channel
//                       does not know a method's kind).
//
// Threading: recording costs no lock (each event-loop thread has its own
// cells, merged when the text is made); the text may be asked for from any
// thread, at any time, concurrently with calls. A scrape sees every call
// that ended before it began.
#pragma once

#include <memory>
#include <string>

namespace pronto {

class Channel;

enum class MetricsFormat { opentelemetry, go_grpc_prometheus };

// The channel's client metrics in the Prometheus text format (version
// 0.0.4); empty when the channel was made with ChannelOptions::metrics off.
std::string metrics_text(const Channel& channel, MetricsFormat format = MetricsFormat::opentelemetry);

}  // namespace pronto

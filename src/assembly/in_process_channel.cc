// inproc/in_process_channel.cc — Server::in_process_channel: a Channel
// whose connections are memory pipes to the server (server/in_process.cc).
// Its own layer, above server and client (which are siblings and may not
// use each other): it is the one place that knows both.
#include "client/channel_impl.h"
#include "pronto/channel.h"
#include "pronto/server.h"
#include "server/server_impl.h"

namespace pronto {

std::shared_ptr<Channel> Server::in_process_channel(ChannelOptions options) {
  // No transport security to set up in memory; an authority as grpc++'s
  // in-process channel sends.
  options.tls.reset();
  if (options.authority.empty()) options.authority = "inprocess";
  auto impl = std::make_unique<detail::ChannelImpl>("inproc", std::move(options), impl_->in_process_connector());
  return std::shared_ptr<Channel>(new Channel(std::move(impl)));
}

}  // namespace pronto

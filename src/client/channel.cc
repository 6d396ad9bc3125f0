#include "pronto/channel.h"

#include "client/channel_impl.h"
#include "client/client_call.h"

namespace pronto {

std::shared_ptr<Channel> Channel::create(std::string target, ChannelOptions options) {
  return std::shared_ptr<Channel>(
      new Channel(std::make_unique<detail::ChannelImpl>(std::move(target), std::move(options))));
}

Channel::Channel(std::unique_ptr<detail::ChannelImpl> impl) : impl_(std::move(impl)) {}
Channel::~Channel() = default;
const std::string& Channel::target() const noexcept { return impl_->target(); }
bool Channel::connected() const { return impl_->connected(); }
Status Channel::target_status() const { return impl_->target_status(); }

namespace detail {

bool start_unary(Channel& channel, std::string_view path, CallOptions& options, UnaryOp& op) {
  if (!op.status.ok()) return true;  // serialization failed
  auto* call = new ClientCall(channel.shared_from_this(), path, std::move(options));
  if (Status st = call->prepare(); !st.ok()) {
    op.status = std::move(st);
    call->unref();
    return true;
  }
  call->launch(std::move(op.request), true, &op);
  return false;
}

ClientCallPtr start_stream(Channel& channel, std::string_view path, CallOptions options,
                           std::optional<std::string> first, bool half_close, Status local_error) {
  auto* call = new ClientCall(channel.shared_from_this(), path, std::move(options));
  call->start_lazily(std::move(first), half_close, std::move(local_error));
  return ClientCallPtr(call);
}

}  // namespace detail
}  // namespace pronto

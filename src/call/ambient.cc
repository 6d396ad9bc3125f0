// The ambient server context (pronto/detail/ambient.h). BlockingRegion is
// defined beside the event loop's own thread-local (transport/event_loop.cc).
#include "pronto/detail/ambient.h"

namespace pronto::detail {

namespace {
thread_local ServerContext* t_current_context = nullptr;
}

ServerContext* current_server_context() noexcept { return t_current_context; }
void set_current_server_context(ServerContext* ctx) noexcept { t_current_context = ctx; }

}  // namespace pronto::detail

// pronto/detail/ambient.h — per-thread state that follows a coroutine
// through the framework: the server call whose handler is running (client
// calls made inside a handler inherit its deadline), and whether this thread
// is blocked waiting for its own async work (block_on). Neutral ground:
// defined by the call layer and the transport, read by client and server.
// Threading: every function acts on the calling thread only.
#pragma once

namespace pronto {
class ServerContext;
}

namespace pronto::detail {

// The server context whose handler is running on this thread right now, if
// any.
ServerContext* current_server_context() noexcept;
void set_current_server_context(ServerContext* ctx) noexcept;

// While alive on a thread, pronto completes async operations started on that
// thread on the channel's loop instead of posting them back (block_on uses
// it so a thread waiting for its own result cannot deadlock).
class BlockingRegion {
 public:
  BlockingRegion() noexcept;
  ~BlockingRegion();
  BlockingRegion(const BlockingRegion&) = delete;
  BlockingRegion& operator=(const BlockingRegion&) = delete;

 private:
  void* saved_;
};

}  // namespace pronto::detail

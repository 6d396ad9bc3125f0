// call/call_state.h — the states of one call, as explicit machines instead
// of loose flags. A call has three independent parts:
//   - the request side: headers, then messages, then ended (END_STREAM);
//   - the response side: nothing sent, headers sent, finished (status sent
//     or queued — nothing more goes out);
//   - its lifetime: the object is freed once the handler (or caller) is done
//     with it AND the HTTP/2 stream is closed AND no timer still refers to it.
// Threading: the call's loop only. Plain values.
#pragma once

#include <cassert>
#include <cstdint>

namespace pronto::call {

enum class RequestPhase : std::uint8_t { headers, messages, ended };
enum class ResponsePhase : std::uint8_t { idle, headers_sent, finished };

class CallLifetime {
 public:
  enum class Handler : std::uint8_t { not_started, running, done };

  void handler_started() noexcept {
    assert(handler_ == Handler::not_started);
    handler_ = Handler::running;
  }
  // The handler returned, or will never run (rejected, stream gone first).
  void handler_finished() noexcept { handler_ = Handler::done; }
  // A handler that never started will not start now.
  void handler_not_needed() noexcept {
    if (handler_ == Handler::not_started) handler_ = Handler::done;
  }
  void stream_closed() noexcept { stream_open_ = false; }
  // A timer (or other callback) that refers to the call is outstanding.
  void hold() noexcept { ++holds_; }
  void release() noexcept {
    assert(holds_ > 0);
    --holds_;
  }

  Handler handler() const noexcept { return handler_; }
  bool handler_running() const noexcept { return handler_ == Handler::running; }
  bool stream_open() const noexcept { return stream_open_; }
  // True exactly once: when everything is done and the free was not yet
  // scheduled (the caller schedules it then).
  bool take_free() noexcept {
    if (handler_ != Handler::done || stream_open_ || holds_ != 0 || freeing_) return false;
    freeing_ = true;
    return true;
  }

 private:
  Handler handler_ = Handler::not_started;
  bool stream_open_ = true;
  bool freeing_ = false;
  std::uint8_t holds_ = 0;
};

}  // namespace pronto::call

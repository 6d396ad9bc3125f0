// h2/outbound_body.h — the bytes one stream still has to send, drained by
// the session's data provider: queued DATA bytes, then optional trailers.
//
// Ownership: owned by the call object of its stream; the Session keeps a
// pointer to it from submit until the stream closes, so it must outlive the
// nghttp2 stream. Single thread (the connection's loop).
#pragma once

#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "h2/header_block.h"

namespace pronto::h2 {

class OutboundBody {
 public:
  // Queue bytes to send as DATA.
  void append(std::string_view bytes) { buf_.append(bytes); }
  std::string& tail() { return buf_; }  // append in place (e.g. a frame header)
  std::size_t pending() const noexcept { return buf_.size() - offset_; }
  // Copies up to n pending bytes to dst; returns the count.
  std::size_t read(unsigned char* dst, std::size_t n) {
    std::size_t k = std::min(n, pending());
    std::memcpy(dst, buf_.data() + offset_, k);
    offset_ += k;
    if (offset_ == buf_.size()) {
      buf_.clear();
      offset_ = 0;
    } else if (offset_ > 64 * 1024 && offset_ * 2 > buf_.size()) {
      buf_.erase(0, offset_);
      offset_ = 0;
    }
    return k;
  }
  void discard() {
    buf_.clear();
    offset_ = 0;
  }

  // No more DATA after what is queued. With trailers set, they follow the
  // data in a HEADERS frame that ends the stream; without, the last DATA
  // frame ends it.
  void finish() noexcept { end_ = true; }
  void finish_with_trailers(HeaderBlock trailers) {
    trailers_ = std::move(trailers);
    has_trailers_ = true;
    end_ = true;
  }
  bool ended() const noexcept { return end_; }
  bool has_trailers() const noexcept { return has_trailers_; }
  const HeaderBlock& trailers() const noexcept { return trailers_; }

  // Set by the session: a provider is attached and has deferred.
  bool deferred = false;

 private:
  std::string buf_;
  std::size_t offset_ = 0;
  bool end_ = false;
  bool has_trailers_ = false;
  HeaderBlock trailers_;
};

}  // namespace pronto::h2

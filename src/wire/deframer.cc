#include "wire/deframer.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <limits>

#include "pronto/detail/buffer_cache.h"

namespace pronto::wire {
namespace {

// A partial payload's buffer: a reused one at its full length when the
// thread has one (see pronto/detail/buffer_cache.h: no new memory). Else it
// is reserved at the declared length when that is at most this much; a
// longer payload starts with this much and is enlarged once, to its full
// length, when that fills. So a 5-byte header alone commits at most this
// much (and no mmap'd chunk: it is below glibc's default mmap threshold),
// and a large payload is copied once more only for its first
// kEagerReserveLimit bytes.
constexpr std::size_t kEagerReserveLimit = 128 * 1024 - 64;

std::uint32_t read_be32(const std::uint8_t* p) noexcept {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

}  // namespace

Status Deframer::feed(const std::uint8_t* data, std::size_t size, std::vector<Message>& out) {
  if (!failed_.ok()) return failed_;
  while (size > 0) {
    if (!in_payload_) {
      const std::size_t take = std::min(kFrameHeaderSize - header_have_, size);
      std::memcpy(header_ + header_have_, data, take);
      header_have_ += take;
      data += take;
      size -= take;
      if (header_have_ < kFrameHeaderSize) break;

      const std::uint8_t flag = header_[0];
      const std::uint32_t length = read_be32(header_ + 1);
      if (flag > 1) {
        failed_ = Status::internal("grpc message: invalid compressed flag " + std::to_string(flag));
        return failed_;
      }
      if (length > max_) {
        failed_ = Status::resource_exhausted("grpc message: length " + std::to_string(length) +
                                             " exceeds limit " + std::to_string(max_));
        return failed_;
      }
      compressed_ = flag == 1;
      if (length == 0) {
        out.push_back(Message{compressed_, {}});
        header_have_ = 0;
        continue;
      }
      // Fast path: the whole payload is in this chunk; copy it once.
      if (size >= length) {
        out.push_back(Message{compressed_, std::string(reinterpret_cast<const char*>(data), length)});
        data += length;
        size -= length;
        header_have_ = 0;
        continue;
      }
      in_payload_ = true;
      need_ = length;
      // A reused buffer costs no new memory: take one at the full length.
      payload_ = detail::take_buffer(length);
      if (payload_.capacity() < length) {
        payload_.reserve(std::min(detail::cached_capacity(length), kEagerReserveLimit));
      }
      continue;
    }

    // In a payload: append what we have; the buffer is enlarged at most once.
    const std::size_t take = std::min(need_, size);
    if (payload_.size() + take > payload_.capacity()) enlarge(payload_.size() + need_);
    payload_.append(reinterpret_cast<const char*>(data), take);
    data += take;
    size -= take;
    need_ -= take;
    if (need_ == 0) {
      out.push_back(Message{compressed_, std::move(payload_)});
      payload_ = std::string();
      in_payload_ = false;
      header_have_ = 0;
    }
  }
  return Status();
}

void Deframer::abandon(Status why) {
  detail::recycle_if_large(payload_);
  std::string().swap(payload_);
  in_payload_ = false;
  header_have_ = 0;
  need_ = 0;
  failed_ = why.ok() ? Status::cancelled("message abandoned") : std::move(why);
}

void Deframer::enlarge(std::size_t total) {
  std::string bigger = detail::take_buffer(total);
  if (bigger.capacity() < total) bigger.reserve(detail::cached_capacity(total));
  bigger.append(payload_);
  detail::recycle_if_large(payload_);
  payload_ = std::move(bigger);
}

void append_frame(std::string& out, std::string_view payload, bool compressed) {
  assert(payload.size() <= std::numeric_limits<std::uint32_t>::max());
  std::uint8_t header[kFrameHeaderSize];
  write_frame_header(header, static_cast<std::uint32_t>(payload.size()), compressed);
  out.reserve(out.size() + kFrameHeaderSize + payload.size());
  out.append(reinterpret_cast<const char*>(header), kFrameHeaderSize);
  out.append(payload);
}

}  // namespace pronto::wire

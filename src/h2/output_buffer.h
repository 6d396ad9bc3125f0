// h2/output_buffer.h — the bytes a session produced for the socket, in
// order, waiting to be written: copied bytes (frame headers, control frames,
// small DATA) and DATA payload referenced in place inside stream bodies
// (SharedBytes), so a large message reaches the socket without being copied.
// The transport writes it with sendmsg() of its pieces (an iovec each).
//
// Ownership: owns the copied bytes and a reference to every body buffer it
// points into; a reference is dropped as soon as its bytes are consumed.
// Threading: one thread (the connection's loop).
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "h2/shared_bytes.h"

namespace pronto::h2 {

class OutputBuffer {
 public:
  // Copies `size` bytes.
  void append(const void* data, std::size_t size) {
    if (last_is_copy_) {
      // Copied bytes that follow copied bytes extend the same piece.
      bytes_.append(static_cast<const char*>(data), size);
      pieces_.back().size += size;
      size_ += size;
    } else {
      append_piece(data, size);
    }
  }
  void append(std::string_view bytes) { append(bytes.data(), bytes.size()); }
  // Refers to [data, data+size), which lies inside `owner`; `owner` is kept
  // alive until those bytes are consumed.
  void append_shared(const SharedBytes& owner, const char* data, std::size_t size);

  bool empty() const noexcept { return size_ == 0; }
  // Bytes not yet consumed.
  std::size_t size() const noexcept { return size_; }
  // Pieces appended and not yet consumed (each is one iovec for writev).
  std::size_t piece_count() const noexcept { return pieces_.size() - first_; }

  // Fills `iov` with the next unconsumed bytes, in order, at most `max`
  // pieces; returns how many were filled. Valid until the next append or
  // consume.
  std::size_t gather(iovec* iov, std::size_t max) const;
  // The first `n` unconsumed bytes were written: drops them, with the
  // references they held. Precondition: n <= size().
  void consume(std::size_t n);
  // Appends every unconsumed byte to `out` (one copy) and empties the
  // buffer: for TLS, which encrypts one contiguous plaintext.
  void move_to(std::string& out);
  void clear() noexcept;
  // Gives back storage beyond about `max` bytes (keeps it otherwise, for
  // the next use). Call when empty.
  void trim(std::size_t max) {
    if (bytes_.capacity() > max) std::string().swap(bytes_);
    if (pieces_.capacity() * sizeof(Piece) > max) std::vector<Piece>().swap(pieces_);
  }

 private:
  struct Piece {
    const char* data;   // in a body buffer; nullptr: copied, at bytes_[begin]
    std::size_t begin;  // offset in bytes_ of a copied piece
    std::size_t size;
    SharedBytes owner;  // keeps `data` alive
  };
  const char* piece_data(const Piece& p) const noexcept { return p.data ? p.data : bytes_.data() + p.begin; }
  void append_piece(const void* data, std::size_t size);

  std::string bytes_;  // the copied pieces, back to back
  std::vector<Piece> pieces_;
  std::size_t first_ = 0;       // first piece with unconsumed bytes
  std::size_t first_done_ = 0;  // bytes of pieces_[first_] already consumed
  std::size_t size_ = 0;
  bool last_is_copy_ = false;  // pieces_.back() is a copied piece
};

}  // namespace pronto::h2

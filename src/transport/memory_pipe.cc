#include "transport/memory_pipe.h"

#include <sys/uio.h>

#include <algorithm>
#include <cstring>
#include <mutex>

namespace pronto::detail {

namespace {

std::atomic<std::size_t> g_peak_buffered{0};
std::atomic<std::size_t> g_live_pipes{0};
std::atomic<std::uint64_t> g_pipe_count{0};
// iovecs gathered per write (as for sendmsg()).
constexpr std::size_t kMaxWritePieces = 256;

// A parked wait made ready (or aborted by its end's close): run on its
// end's loop.
struct Wake {
  std::shared_ptr<StreamEvents> owner;
  bool readable = true;
  asio::error_code ec{};
  void operator()() const {
    if (readable) {
      owner->on_stream_readable(ec);
    } else {
      owner->on_stream_writable(ec);
    }
  }
};

// Up to two wakes for the other end, taken under the lock and posted after
// it (a post may fail, and then destroys the last reference to a
// connection, which must not happen under the lock).
struct PeerWakes {
  std::shared_ptr<EventLoop::Remote> loop;
  Wake wakes[2];
  int count = 0;
  void post() {
    for (int i = 0; i < count; ++i) {
      if (loop) loop->post(wakes[i]);  // a copy; ours goes with this object
    }
  }
};

}  // namespace

struct PipeCore {
  // One direction: bytes written by one end, read by the other.
  struct Ring {
    std::unique_ptr<std::uint8_t[]> bytes;  // made by the first write
    std::size_t head = 0;
    std::size_t size = 0;

    std::size_t put(const std::uint8_t* data, std::size_t n, std::size_t capacity) {
      n = std::min(n, capacity - size);
      if (n == 0) return 0;
      if (!bytes) bytes.reset(new std::uint8_t[capacity]);
      const std::size_t tail = (head + size) % capacity;
      const std::size_t first = std::min(n, capacity - tail);
      std::memcpy(bytes.get() + tail, data, first);
      std::memcpy(bytes.get(), data + first, n - first);
      size += n;
      return n;
    }
    std::size_t get(std::uint8_t* data, std::size_t n, std::size_t capacity) {
      n = std::min(n, size);
      if (n == 0) return 0;
      const std::size_t first = std::min(n, capacity - head);
      std::memcpy(data, bytes.get() + head, first);
      std::memcpy(data + first, bytes.get(), n - first);
      head = (head + n) % capacity;
      size -= n;
      if (size == 0) head = 0;
      return n;
    }
    void release() {
      bytes.reset();
      head = size = 0;
    }
  };
  struct End {
    std::shared_ptr<EventLoop::Remote> loop;  // where its wakes go; null once closed
    bool closed = false;
    std::shared_ptr<StreamEvents> read_waiter;
    std::shared_ptr<StreamEvents> write_waiter;
  };

  explicit PipeCore(std::size_t cap) : capacity(cap) { g_live_pipes.fetch_add(1, std::memory_order_relaxed); }
  ~PipeCore() { g_live_pipes.fetch_sub(1, std::memory_order_relaxed); }

  // A writer waits until the reader has taken this much room back.
  bool writable(int side) const { return capacity - rings[side].size >= capacity / 2 || ends[1 - side].closed; }

  const std::size_t capacity;
  std::mutex mu;
  End ends[2];
  Ring rings[2];  // rings[i]: written by end i, read by end 1 - i
};

std::pair<std::unique_ptr<PipeStream>, std::unique_ptr<PipeStream>> MemoryPipe::create(EventLoop& a, EventLoop& b,
                                                                                       std::size_t capacity) {
  auto core = std::make_shared<PipeCore>(std::max<std::size_t>(capacity, 2));
  core->ends[0].loop = a.remote();
  core->ends[1].loop = b.remote();
  const std::string name = "inproc:" + std::to_string(g_pipe_count.fetch_add(1, std::memory_order_relaxed) + 1);
  return {std::make_unique<PipeStream>(core, 0, a, name), std::make_unique<PipeStream>(core, 1, b, name)};
}

std::size_t MemoryPipe::peak_buffered() noexcept { return g_peak_buffered.load(std::memory_order_relaxed); }
std::size_t MemoryPipe::live_pipes() noexcept { return g_live_pipes.load(std::memory_order_relaxed); }

PipeStream::PipeStream(std::shared_ptr<PipeCore> core, int side, EventLoop& loop, std::string peer)
    : core_(std::move(core)), side_(side), loop_(loop), peer_(std::move(peer)) {}

PipeStream::~PipeStream() { close(); }

void PipeStream::wait_readable(std::shared_ptr<StreamEvents> owner) {
  {
    std::lock_guard lock(core_->mu);
    PipeCore::End& self = core_->ends[side_];
    if (self.closed) return;  // dropped, as a closed socket's wait is
    if (core_->rings[1 - side_].size == 0 && !core_->ends[1 - side_].closed) {
      self.read_waiter = std::move(owner);  // the peer's next write wakes it
      return;
    }
  }
  // Readable now (bytes, or EOF): complete in a later turn, as a socket's
  // readiness does.
  loop_.post(Wake{std::move(owner), true});
}

void PipeStream::wait_writable(std::shared_ptr<StreamEvents> owner) {
  {
    std::lock_guard lock(core_->mu);
    PipeCore::End& self = core_->ends[side_];
    if (self.closed) return;
    if (!core_->writable(side_)) {
      self.write_waiter = std::move(owner);  // the peer's reads wake it
      return;
    }
  }
  loop_.post(Wake{std::move(owner), false});
}

std::size_t PipeStream::read(std::uint8_t* data, std::size_t size, asio::error_code& ec) {
  PeerWakes wakes;
  std::size_t n = 0;
  {
    std::lock_guard lock(core_->mu);
    PipeCore::Ring& ring = core_->rings[1 - side_];
    PipeCore::End& peer = core_->ends[1 - side_];
    n = ring.get(data, size, core_->capacity);
    if (n == 0) {
      if (peer.closed) {
        ec = asio::error::eof;
      } else {
        ec = asio::error::would_block;
      }
      return 0;
    }
    ec = {};
    if (peer.write_waiter && core_->writable(1 - side_)) {
      wakes.loop = peer.loop;
      wakes.wakes[wakes.count++] = Wake{std::move(peer.write_waiter), false};
    }
  }
  wakes.post();
  return n;
}

bool PipeStream::write(h2::OutputBuffer& out, std::string& error) {
  PeerWakes wakes;
  {
    std::lock_guard lock(core_->mu);
    PipeCore::End& peer = core_->ends[1 - side_];
    if (peer.closed || core_->ends[side_].closed) {
      if (error.empty()) error = "connection closed by the peer";
      return false;
    }
    PipeCore::Ring& ring = core_->rings[side_];
    std::size_t total = 0;
    while (!out.empty() && ring.size < core_->capacity) {
      iovec iov[kMaxWritePieces];
      const std::size_t count = out.gather(iov, kMaxWritePieces);
      std::size_t written = 0;
      for (std::size_t i = 0; i < count; ++i) {
        const std::size_t n = ring.put(static_cast<const std::uint8_t*>(iov[i].iov_base), iov[i].iov_len,
                                       core_->capacity);
        written += n;
        if (n < iov[i].iov_len) break;  // full
      }
      out.consume(written);
      total += written;
    }
    if (ring.size > g_peak_buffered.load(std::memory_order_relaxed))
      g_peak_buffered.store(ring.size, std::memory_order_relaxed);
    if (total > 0 && peer.read_waiter) {
      wakes.loop = peer.loop;
      wakes.wakes[wakes.count++] = Wake{std::move(peer.read_waiter), true};
    }
  }
  wakes.post();
  return true;
}

void PipeStream::close() {
  PeerWakes wakes;
  std::shared_ptr<StreamEvents> dropped[2];  // our parked waits
  {
    std::lock_guard lock(core_->mu);
    PipeCore::End& self = core_->ends[side_];
    if (self.closed) return;
    self.closed = true;
    self.loop.reset();
    dropped[0] = std::move(self.read_waiter);
    dropped[1] = std::move(self.write_waiter);
    core_->rings[1 - side_].release();  // unread input goes; our output stays for the peer
    // The peer reads what is left, then EOF; its writes fail.
    PipeCore::End& peer = core_->ends[1 - side_];
    if (peer.closed) core_->rings[side_].release();  // nobody will read it
    wakes.loop = peer.loop;
    if (peer.read_waiter) wakes.wakes[wakes.count++] = Wake{std::move(peer.read_waiter), true};
    if (peer.write_waiter) wakes.wakes[wakes.count++] = Wake{std::move(peer.write_waiter), false};
  }
  wakes.post();
  // Our parked waits complete with operation_aborted in a later turn, as a
  // closed socket's do: until then they keep their owner alive (a
  // connection closing itself may hold no other reference to itself).
  // Parked waits exist only while the connection is alive, so loop_ is
  // still there.
  for (int i = 0; i < 2; ++i) {
    if (dropped[i]) loop_.post(Wake{std::move(dropped[i]), i == 0, asio::error::operation_aborted});
  }
}

}  // namespace pronto::detail

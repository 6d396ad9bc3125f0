// libFuzzer target: a client call fed arbitrary server bytes through the
// whole client stack: a pronto::Channel (public API) to a "unix:" target the
// harness serves itself. Per input: a fresh listener and channel; the
// harness accepts, reads the client's preface and request HEADERS, writes
// the fuzz input as the server's bytes, half-closes and reads until the
// client closes. The call (unary, or a streaming kind chosen by the flags)
// must complete with some status, never hang, crash or leak.
//
// Input layout: byte 0 = flags, rest = the server's bytes.
//   flags bits 0-1: call kind (unary, server streaming, client streaming, bidi)
//   flags bit 2: keep the connection open until the call has finished
//                (the call then runs into its short deadline if the bytes
//                do not finish it): exercises the deadline/RST path
//   flags bit 3: the request is gzip-compressed
//   flags bit 4: the channel's receive limit is 1 KiB
//   flags bit 5: the call has a ClientContext and sends metadata
//   flags bit 6: the caller cancels the call once it has read one message
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "fuzz_service.h"

namespace {

using namespace std::chrono_literals;
using pronto_fuzz::Msg;
using pronto_fuzz::PlainMsg;

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "client_conn_fuzz: %s\n", what);
  std::abort();
}

// Waits for fd to be readable; false on timeout.
bool wait_readable(int fd, int ms) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, ms) > 0;
}

// Reads the client's bytes until its first HEADERS frame is complete (after
// the 24-byte preface), EOF, or a timeout.
void read_request(int fd) {
  std::string in;
  char buf[16 * 1024];
  const auto give_up = std::chrono::steady_clock::now() + 2s;
  while (std::chrono::steady_clock::now() < give_up) {
    // Parse what we have.
    std::size_t pos = 24;
    while (in.size() >= pos + 9) {
      const std::size_t len = (std::size_t(std::uint8_t(in[pos])) << 16) |
                              (std::size_t(std::uint8_t(in[pos + 1])) << 8) | std::uint8_t(in[pos + 2]);
      const std::uint8_t type = std::uint8_t(in[pos + 3]);
      if (in.size() < pos + 9 + len) break;
      if (type == 1) return;  // HEADERS
      pos += 9 + len;
    }
    if (!wait_readable(fd, 100)) continue;
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) return;
    in.append(buf, static_cast<std::size_t>(n));
  }
}

struct Shared {
  std::mutex mu;
  std::condition_variable cv;
  bool call_done = false;
};

void serve(int listener, std::string_view bytes, bool keep_open, Shared& shared) {
  if (!wait_readable(listener, 5000)) return;  // the client never connected (it failed locally)
  const int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
  if (fd < 0) return;
  read_request(fd);
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) break;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  if (keep_open) {
    std::unique_lock lock(shared.mu);
    shared.cv.wait_for(lock, 2s, [&] { return shared.call_done; });
  }
  ::shutdown(fd, SHUT_WR);
  // Read (and drop) until the client closes.
  char buf[16 * 1024];
  const auto give_up = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < give_up) {
    if (!wait_readable(fd, 100)) continue;
    if (::read(fd, buf, sizeof buf) <= 0) break;
  }
  ::close(fd);
}

pronto::Status run_call(const std::shared_ptr<pronto::Channel>& channel, std::uint8_t flags) {
  pronto::CallOptions options;
  options.timeout = (flags & 4) ? std::chrono::nanoseconds(50ms) : std::chrono::nanoseconds(4s);
  if (flags & 8) options.compression = pronto::Compression::gzip;
  pronto::ClientContext context;
  if (flags & 32) {
    options.context = &context;
    options.metadata.add("fuzz-key", "value");
    options.metadata.add("fuzz-bin", std::string("\0\xff", 2));
  }
  const bool cancel_after_one = flags & 64;
  const Msg request{std::string("hello fuzz ") + std::string(100, 'a')};
  pronto::Status status;
  switch (flags & 3) {
    case 0: {
      auto r = pronto::blocking_unary_call<Msg>(channel, "/fuzz.Fuzz/Unary", request, options);
      status = r.status();
      break;
    }
    case 1: {
      pronto::BlockingReader<Msg> reader(
          pronto::server_streaming_call<Msg>(channel, "/fuzz.Fuzz/ServerStream", request, options));
      while (auto m = reader.read()) {
        if (cancel_after_one) reader.cancel();
      }
      status = reader.status();
      break;
    }
    case 2: {
      pronto::BlockingWriter<Msg, PlainMsg> writer(
          pronto::client_streaming_call<Msg, PlainMsg>(channel, "/fuzz.Fuzz/ClientStream", options));
      if (writer.write(request)) writer.write(request, false);
      if (cancel_after_one) writer.cancel();
      status = writer.finish().status();
      break;
    }
    default: {
      pronto::BlockingStream<Msg, PlainMsg> stream(
          pronto::bidi_streaming_call<Msg, PlainMsg>(channel, "/fuzz.Fuzz/Bidi", options));
      int reads = 0;
      stream.write(request);
      while (auto m = stream.read()) {
        if (cancel_after_one) stream.cancel();
        if (reads++ == 0) stream.write(request);
      }
      stream.writes_done();
      status = stream.finish();
      break;
    }
  }
  // Touch what the context collected (metadata decoded from the fuzz bytes).
  std::size_t total = context.peer().size();
  for (const auto& [k, v] : context.initial_metadata()) total += k.size() + v.size();
  for (const auto& [k, v] : context.trailing_metadata()) total += k.size() + v.size();
  (void)total;
  return status;
}

std::atomic<unsigned> g_counter{0};

int thread_count() {
  int n = 0;
  if (DIR* d = ::opendir("/proc/self/task")) {
    while (const dirent* e = ::readdir(d)) n += e->d_name[0] != '.';
    ::closedir(d);
  }
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::uint8_t flags = data[0];
  const std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);

  // A fresh listener per input: a stray (re)connection of an earlier channel
  // can never be mistaken for this one.
  const std::string path =
      "/tmp/pronto-client-fuzz-" + std::to_string(::getpid()) + "-" + std::to_string(g_counter++) + ".sock";
  const int listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener < 0) die("socket");
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
  ::unlink(path.c_str());
  if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) die("bind");
  if (::listen(listener, 4) != 0) die("listen");

  const int threads_before = thread_count();
  Shared shared;
  std::thread server([&] { serve(listener, bytes, flags & 4, shared); });

  const auto start = std::chrono::steady_clock::now();
  {
    pronto::ChannelOptions options;
    if (flags & 16) options.max_receive_message_size = 1024;
    auto channel = pronto::Channel::create("unix:" + path, options);
    const pronto::Status status = run_call(channel, flags);
    static const bool verbose = std::getenv("PRONTO_FUZZ_VERBOSE") != nullptr;
    if (verbose) std::fprintf(stderr, "client_conn_fuzz: flags %02x: %s\n", flags, status.to_string().c_str());
    {
      std::lock_guard lock(shared.mu);
      shared.call_done = true;
    }
    shared.cv.notify_all();
  }  // the channel closes its connection and joins its loop here
  if (std::chrono::steady_clock::now() - start > 6s) die("call took too long (hang?)");
  server.join();
  ::close(listener);
  ::unlink(path.c_str());
  // The channel's loop thread may outlive the Channel: when the last
  // reference goes away on the loop itself (a call released there), a
  // detached thread joins it. Wait for it, so its memory is not reported as
  // leaked (and a loop that never ends is caught).
  const auto wait_until = std::chrono::steady_clock::now() + 5s;
  while (thread_count() > threads_before) {
    if (std::chrono::steady_clock::now() > wait_until) die("the channel's threads did not exit after the channel was released");
    std::this_thread::sleep_for(1ms);
  }
  return 0;
}

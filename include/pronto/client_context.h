// pronto/client_context.h — per-call options for client calls, and the
// optional context through which a call reports metadata and is cancelled.
//
// Ownership: CallOptions is a value, copied into the call. A ClientContext is
// owned by the caller and must outlive the call it is attached to.
// Threading: ClientContext::cancel() and is_cancelled() may be called from any
// thread; the metadata accessors are safe once the call has finished (or, for
// initial metadata, once the first response message was read). A CallOptions
// is a plain value: one thread at a time per object (copies are independent,
// whatever thread holds them).
//
// Why CallOptions looks the way it does (g++ 12): the intended call style
//   co_await stub.async().Get(req, {.timeout = 5s, .metadata = {{"k", "v"}}});
// builds a CallOptions aggregate temporary inside a co_await expression. g++
// 12 destroys every member of such a temporary that has a non-trivial
// destructor twice (the member cleanup of aggregate initialization, meant for
// exceptions only, runs on the normal path too, and then the aggregate's
// destructor runs; the same bug as GCC PR 100611 / PR 101367 for lambda
// captures, fixed in later GCC). With a std::vector-backed Metadata member that
// was a double free. So every member of CallOptions is trivially destructible
// (static_asserts below) and the one that owns memory, `metadata`, is released
// by ~CallOptions(), which g++ 12 runs exactly once. g++ 12 also rejects any
// std::initializer_list inside a co_await expression ("array used as
// initializer", GCC PR 103871), so `.metadata = {{"k", "v"}, ...}` goes to a
// constructor taking up to 16 entries instead of an initializer list.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "pronto/compression.h"
#include "pronto/metadata.h"
#include "pronto/server_context.h"

namespace pronto {

class ClientContext {
 public:
  ClientContext() = default;
  ClientContext(const ClientContext&) = delete;
  ClientContext& operator=(const ClientContext&) = delete;

  // The server's response headers (initial metadata), -bin values decoded.
  const Metadata& initial_metadata() const noexcept { return initial_metadata_; }
  // The server's trailers beside grpc-status/grpc-message.
  const Metadata& trailing_metadata() const noexcept { return trailing_metadata_; }
  // Cancels the call (CANCELLED, RST_STREAM to the server). Any thread.
  void cancel();
  // True once cancel() was called (as ServerContext::is_cancelled()). Any thread.
  bool is_cancelled() const noexcept { return cancelled_.load(); }
  // Deprecated: the old name of is_cancelled().
  bool cancelled() const noexcept { return is_cancelled(); }
  // "ipv4:127.0.0.1:50051" once connected.
  const std::string& peer() const noexcept { return peer_; }

 private:
  friend class ClientContextAccess;
  mutable std::mutex mu_;
  std::function<void()> cancel_hook_;  // set by the running call
  std::atomic<bool> cancelled_{false};
  Metadata initial_metadata_;
  Metadata trailing_metadata_;
  std::string peer_;
};

struct CallOptions;

namespace detail {

// One request metadata entry as written in `.metadata = {{"k", "v"}}`: views,
// copied into owned storage at once.
struct MetadataEntryView {
  std::string_view key;
  std::string_view value;
};

// The type of CallOptions::metadata: request metadata owned by the
// CallOptions that holds it, with Metadata's interface. Trivially
// destructible by design (see the top of this file): ~CallOptions() releases
// it. Never make one on its own; it lives only as CallOptions::metadata.
// Copies share the entries (reference counted, atomically) until one of them
// changes, so passing CallOptions by value costs no copy of the metadata.
// Empty metadata allocates nothing.
class CallMetadata {
 public:
  CallMetadata() noexcept = default;
  // `.metadata = md`: a copy of md's entries (md stays as it is).
  CallMetadata(const Metadata& m) { if (!m.empty()) rep_ = new Rep{{1}, m}; }        // NOLINT(implicit)
  CallMetadata(Metadata&& m) { if (!m.empty()) rep_ = new Rep{{1}, std::move(m)}; }  // NOLINT(implicit)
  // `.metadata = {{"k", "v"}, {"k2", "v2"}}`: up to 16 entries (more: build
  // a Metadata). Keys are lower-cased like Metadata::add.
  CallMetadata(MetadataEntryView e0, MetadataEntryView e1 = {}, MetadataEntryView e2 = {},  // NOLINT(implicit)
               MetadataEntryView e3 = {}, MetadataEntryView e4 = {}, MetadataEntryView e5 = {},
               MetadataEntryView e6 = {}, MetadataEntryView e7 = {}, MetadataEntryView e8 = {},
               MetadataEntryView e9 = {}, MetadataEntryView e10 = {}, MetadataEntryView e11 = {},
               MetadataEntryView e12 = {}, MetadataEntryView e13 = {}, MetadataEntryView e14 = {},
               MetadataEntryView e15 = {}) {
    for (const MetadataEntryView* e : {&e0, &e1, &e2, &e3, &e4, &e5, &e6, &e7, &e8, &e9, &e10, &e11, &e12, &e13,
                                       &e14, &e15}) {
      if (e->key.data() != nullptr) add(std::string(e->key), std::string(e->value));  // absent: defaulted
    }
  }
  CallMetadata& operator=(const CallMetadata& o) noexcept {
    if (o.rep_ != rep_) {
      if (o.rep_) o.rep_->refs.fetch_add(1, std::memory_order_relaxed);
      release();
      rep_ = o.rep_;
    }
    return *this;
  }
  CallMetadata& operator=(CallMetadata&& o) noexcept {
    if (this != &o) {
      release();
      rep_ = std::exchange(o.rep_, nullptr);
    }
    return *this;
  }
  CallMetadata& operator=(const Metadata& m) { return *this = CallMetadata(m); }
  CallMetadata& operator=(Metadata&& m) { return *this = CallMetadata(std::move(m)); }

  // Metadata's interface.
  void add(std::string key, std::string value) { mutable_metadata().add(std::move(key), std::move(value)); }
  void set(std::string_view key, std::string value) { mutable_metadata().set(key, std::move(value)); }
  void erase(std::string_view key) {
    if (rep_) mutable_metadata().erase(key);
  }
  void clear() noexcept { release(); }
  std::optional<std::string_view> get(std::string_view key) const { return metadata().get(key); }
  std::vector<std::string_view> get_all(std::string_view key) const { return metadata().get_all(key); }
  bool contains(std::string_view key) const { return metadata().contains(key); }
  bool empty() const noexcept { return !rep_ || rep_->md.empty(); }
  std::size_t size() const noexcept { return rep_ ? rep_->md.size() : 0; }
  auto begin() const noexcept { return metadata().begin(); }
  auto end() const noexcept { return metadata().end(); }
  const std::vector<Metadata::Entry>& entries() const noexcept { return metadata().entries(); }
  Status validate_for_send() const { return metadata().validate_for_send(); }

  const Metadata& metadata() const noexcept { return rep_ ? rep_->md : empty_metadata(); }
  // Unshares first; the reference is valid until this CallMetadata is copied,
  // assigned or released.
  Metadata& mutable_metadata() {
    if (!rep_) {
      rep_ = new Rep{{1}, {}};
    } else if (rep_->refs.load(std::memory_order_acquire) != 1) {
      Rep* copy = new Rep{{1}, rep_->md};
      release();
      rep_ = copy;
    }
    return rep_->md;
  }
  operator const Metadata&() const noexcept { return metadata(); }  // NOLINT(implicit)
  operator Metadata&() { return mutable_metadata(); }               // NOLINT(implicit)

 private:
  friend struct ::pronto::CallOptions;
  struct Rep {
    std::atomic<std::size_t> refs;
    Metadata md;
  };
  // Copies are made only by CallOptions' own copy constructor: a
  // CallMetadata on its own would never be released.
  CallMetadata(const CallMetadata& o) noexcept : rep_(o.rep_) {
    if (rep_) rep_->refs.fetch_add(1, std::memory_order_relaxed);
  }
  CallMetadata(CallMetadata&& o) noexcept : rep_(std::exchange(o.rep_, nullptr)) {}
  void release() noexcept {
    if (rep_ && rep_->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete rep_;
    rep_ = nullptr;
  }
  static const Metadata& empty_metadata() noexcept {
    static const Metadata empty;
    return empty;
  }

  Rep* rep_ = nullptr;
};

}  // namespace detail

// Per-call options, meant to be written in place:
//   stub.Get(req, {.timeout = 5s, .metadata = {{"authorization", token}}})
// or built up: CallOptions o{.timeout = 5s}; o.metadata.add("k", "v");
// Members are in this order (designated initializers must follow it).
struct CallOptions {
  // Time allowed from the start of the call; or an absolute deadline. The
  // earlier of the two wins.
  std::optional<std::chrono::nanoseconds> timeout{};
  std::optional<Deadline> deadline{};
  // Request metadata (values of "-bin" keys are raw bytes); keys are
  // lower-cased. `.metadata = md` (a Metadata) or `.metadata = {{"k", "v"}}`.
  detail::CallMetadata metadata{};
  // A call started inside a server handler inherits what remains of the
  // handler's deadline unless this is false.
  bool propagate_deadline = true;
  // Compress request messages with this algorithm (grpc-encoding).
  Compression compression = Compression::identity;
  // Receives response metadata and offers cancel(); optional.
  ClientContext* context = nullptr;

  // The only non-trivial destructor here (see the top of the file). It keeps
  // CallOptions an aggregate; copies share the metadata (no move
  // constructor can be declared, and none is needed).
  ~CallOptions() { metadata.release(); }
};

// The g++ 12 rule above, enforced: nothing in a CallOptions temporary may have
// a non-trivial destructor of its own.
static_assert(std::is_aggregate_v<CallOptions>);
static_assert(std::is_trivially_destructible_v<detail::CallMetadata>);
static_assert(std::is_trivially_destructible_v<std::optional<std::chrono::nanoseconds>>);
static_assert(std::is_trivially_destructible_v<std::optional<Deadline>>);
static_assert(std::is_trivially_destructible_v<Compression>);
static_assert(std::is_copy_constructible_v<CallOptions> && std::is_copy_assignable_v<CallOptions>);

}  // namespace pronto

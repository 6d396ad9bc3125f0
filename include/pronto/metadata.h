// pronto/metadata.h — call metadata: ordered key/value pairs.
//
// Keys are lower case ([0-9a-z_.-]); keys ending in "-bin" hold arbitrary
// bytes (the framework base64-encodes them on the wire and decodes them on
// arrival: users never see base64). A key may repeat.
// Keys given with capitals are lower-cased on add/set/construction (as
// grpc-go does: HTTP/2 header names are lower case), and lookups
// (get/get_all/contains/erase) ignore ASCII case in the key. A key already in
// lower case costs no allocation.
// Ownership: a plain value. Threading: not synchronized; one thread at a time.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pronto/status.h"

namespace pronto {

class Metadata {
 public:
  using Entry = std::pair<std::string, std::string>;

  Metadata() = default;
  // Keys are lower-cased. (Inside a co_await expression g++ 12 rejects any
  // std::initializer_list, GCC PR 103871; there use CallOptions' own
  // `.metadata = {{"k", "v"}}`, or build the Metadata before the co_await.)
  Metadata(std::initializer_list<Entry> entries);

  // Appends; repeats of a key are kept in order. The key is lower-cased.
  void add(std::string key, std::string value);
  // Replaces every value of `key` (any case) with one.
  void set(std::string_view key, std::string value);
  // Removes every value of `key` (any case).
  void erase(std::string_view key);
  // First value of key (any case), if any.
  std::optional<std::string_view> get(std::string_view key) const;
  std::vector<std::string_view> get_all(std::string_view key) const;
  bool contains(std::string_view key) const { return get(key).has_value(); }

  // True when `stored` (a lower-case key) equals `key` ignoring ASCII case.
  static bool key_equals(std::string_view stored, std::string_view key) noexcept;
  // Lower-cases ASCII letters in place; no allocation.
  static void lower_key(std::string& key) noexcept;

  bool empty() const noexcept { return entries_.empty(); }
  std::size_t size() const noexcept { return entries_.size(); }
  auto begin() const noexcept { return entries_.begin(); }
  auto end() const noexcept { return entries_.end(); }
  const std::vector<Entry>& entries() const noexcept { return entries_; }
  void clear() noexcept { entries_.clear(); }

  // Checks every entry is legal to send: valid lower-case key, not reserved
  // ("grpc-" prefix) nor a protocol header (content-type, te, ...), printable
  // ASCII value unless the key ends in "-bin". INTERNAL naming the bad entry.
  // RESOURCE_EXHAUSTED when all of it is more than kMaxSendBytes as HPACK
  // counts it (name + value as sent + 32 per entry): no HTTP/2 header block
  // this large is sent (peers' limits are far lower: pronto's and grpc's
  // 16 KiB, grpc's default 8 KiB).
  Status validate_for_send() const;
  static constexpr std::size_t kMaxSendBytes = 60 * 1024;

 private:
  std::vector<Entry> entries_;
};

}  // namespace pronto

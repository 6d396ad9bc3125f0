#include "pronto/metadata.h"

#include <algorithm>

#include "wire/metadata_rules.h"

namespace pronto {
namespace {
constexpr char ascii_lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
}  // namespace

bool Metadata::key_equals(std::string_view stored, std::string_view key) noexcept {
  if (stored.size() != key.size()) return false;
  for (std::size_t i = 0; i < key.size(); ++i)
    if (stored[i] != ascii_lower(key[i])) return false;
  return true;
}

void Metadata::lower_key(std::string& key) noexcept {
  for (char& c : key) c = ascii_lower(c);
}

Metadata::Metadata(std::initializer_list<Entry> entries) {
  entries_.reserve(entries.size());
  for (const Entry& e : entries) add(e.first, e.second);
}

void Metadata::add(std::string key, std::string value) {
  lower_key(key);
  entries_.emplace_back(std::move(key), std::move(value));
}

void Metadata::set(std::string_view key, std::string value) {
  erase(key);
  add(std::string(key), std::move(value));
}

void Metadata::erase(std::string_view key) {
  std::erase_if(entries_, [&](const Entry& e) { return key_equals(e.first, key); });
}

std::optional<std::string_view> Metadata::get(std::string_view key) const {
  for (const auto& [k, v] : entries_)
    if (key_equals(k, key)) return std::string_view(v);
  return std::nullopt;
}

std::vector<std::string_view> Metadata::get_all(std::string_view key) const {
  std::vector<std::string_view> out;
  for (const auto& [k, v] : entries_)
    if (key_equals(k, key)) out.emplace_back(v);
  return out;
}

Status Metadata::validate_for_send() const {
  std::size_t total = 0;
  for (const auto& [k, v] : entries_) {
    // -bin values go out base64-encoded.
    total += k.size() + (wire::is_binary_key(k) ? (v.size() + 2) / 3 * 4 : v.size()) + 32;
    if (!wire::is_valid_key(k)) return Status::internal("invalid metadata key '" + k + "'");
    if (wire::is_reserved_key(k) || wire::is_protocol_header(k)) {
      return Status::internal("metadata key '" + k + "' is reserved");
    }
    if (!wire::is_binary_key(k) && !wire::is_valid_ascii_value(v)) {
      return Status::internal("metadata '" + k + "' must be printable ASCII (or use a -bin key)");
    }
  }
  if (total > kMaxSendBytes) {
    return Status::resource_exhausted("metadata of " + std::to_string(total) + " bytes exceeds the " +
                                      std::to_string(kMaxSendBytes) + " a header block may carry");
  }
  return {};
}

}  // namespace pronto

// h2/header_block.h — the header fields of one HEADERS frame, built without
// heap allocation in the common case.
//
// Fields added with add_static() must have static storage (literals): they
// reach nghttp2 with NO_COPY flags and are never copied. Fields added with
// add() are views that must stay valid until the block is submitted (nghttp2
// copies them then). add_owned() keeps the value inside the block.
// Ownership: a value; movable (owned strings live in stable nodes).
// Threading: one thread.
#pragma once

#include <nghttp2/nghttp2.h>

#include <array>
#include <forward_list>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pronto::h2 {

class HeaderBlock {
 public:
  HeaderBlock() = default;
  // Views, copied by nghttp2 at submit time.
  HeaderBlock(std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
    for (auto& [n, v] : fields) add(n, v);
  }
  HeaderBlock(HeaderBlock&& o) noexcept { *this = std::move(o); }
  HeaderBlock& operator=(HeaderBlock&& o) noexcept {
    inline_ = o.inline_;
    more_ = std::move(o.more_);
    size_ = o.size_;
    owned_ = std::move(o.owned_);
    o.size_ = 0;
    return *this;
  }
  HeaderBlock(const HeaderBlock&) = delete;
  HeaderBlock& operator=(const HeaderBlock&) = delete;

  void add_static(std::string_view name, std::string_view value) {
    push(name, value, NGHTTP2_NV_FLAG_NO_COPY_NAME | NGHTTP2_NV_FLAG_NO_COPY_VALUE);
  }
  void add(std::string_view name, std::string_view value) { push(name, value, NGHTTP2_NV_FLAG_NONE); }
  void add_owned(std::string_view name, std::string value) {
    owned_.push_front(std::move(value));
    push(name, owned_.front(), NGHTTP2_NV_FLAG_NONE);
  }

  const nghttp2_nv* data() const noexcept { return size_ <= inline_.size() ? inline_.data() : more_.data(); }
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  // For tests and logs.
  std::string_view name(std::size_t i) const {
    return {reinterpret_cast<const char*>(data()[i].name), data()[i].namelen};
  }
  std::string_view value(std::size_t i) const {
    return {reinterpret_cast<const char*>(data()[i].value), data()[i].valuelen};
  }

 private:
  void push(std::string_view name, std::string_view value, std::uint8_t flags) {
    nghttp2_nv nv{reinterpret_cast<std::uint8_t*>(const_cast<char*>(name.data())),
                  reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())), name.size(), value.size(), flags};
    if (size_ < inline_.size()) {
      inline_[size_++] = nv;
      return;
    }
    if (size_ == inline_.size()) more_.assign(inline_.begin(), inline_.end());
    more_.push_back(nv);
    ++size_;
  }

  std::array<nghttp2_nv, 12> inline_{};
  std::vector<nghttp2_nv> more_;
  std::size_t size_ = 0;
  std::forward_list<std::string> owned_;
};

}  // namespace pronto::h2

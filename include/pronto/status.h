// pronto/status.h — the one error type (Status) and Result<T>.
//
// Ownership: Status and Result are plain values; copy or move them freely.
// Threading: no shared state; any thread may use its own copies.
#pragma once

#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace pronto {

// The 17 gRPC status codes (grpc/grpc doc/statuscodes.md), with their wire values.
enum class StatusCode : std::uint8_t {
  ok = 0,
  cancelled = 1,
  unknown = 2,
  invalid_argument = 3,
  deadline_exceeded = 4,
  not_found = 5,
  already_exists = 6,
  permission_denied = 7,
  resource_exhausted = 8,
  failed_precondition = 9,
  aborted = 10,
  out_of_range = 11,
  unimplemented = 12,
  internal = 13,
  unavailable = 14,
  data_loss = 15,
  unauthenticated = 16,
};

// "OK", "CANCELLED", ... as the spec spells them; "UNKNOWN_CODE" for values > 16.
std::string_view status_code_name(StatusCode code) noexcept;

// The outcome of a call: a code, a human-readable message (any UTF-8; the
// framework percent-encodes it on the wire) and optional binary details
// (sent as `grpc-status-details-bin`, usually a serialized google.rpc.Status).
class Status {
 public:
  Status() = default;  // OK: `co_return pronto::Status{};`
  Status(StatusCode code, std::string message, std::string details = {})
      : code_(code), message_(std::move(message)), details_(std::move(details)) {}

  static Status cancelled(std::string m = "Cancelled") { return {StatusCode::cancelled, std::move(m)}; }
  static Status unknown(std::string m) { return {StatusCode::unknown, std::move(m)}; }
  static Status invalid_argument(std::string m) { return {StatusCode::invalid_argument, std::move(m)}; }
  static Status deadline_exceeded(std::string m = "Deadline Exceeded") {
    return {StatusCode::deadline_exceeded, std::move(m)};
  }
  static Status not_found(std::string m) { return {StatusCode::not_found, std::move(m)}; }
  static Status already_exists(std::string m) { return {StatusCode::already_exists, std::move(m)}; }
  static Status permission_denied(std::string m) { return {StatusCode::permission_denied, std::move(m)}; }
  static Status resource_exhausted(std::string m) { return {StatusCode::resource_exhausted, std::move(m)}; }
  static Status failed_precondition(std::string m) { return {StatusCode::failed_precondition, std::move(m)}; }
  static Status aborted(std::string m) { return {StatusCode::aborted, std::move(m)}; }
  static Status out_of_range(std::string m) { return {StatusCode::out_of_range, std::move(m)}; }
  static Status unimplemented(std::string m) { return {StatusCode::unimplemented, std::move(m)}; }
  static Status internal(std::string m) { return {StatusCode::internal, std::move(m)}; }
  static Status unavailable(std::string m) { return {StatusCode::unavailable, std::move(m)}; }
  static Status data_loss(std::string m) { return {StatusCode::data_loss, std::move(m)}; }
  static Status unauthenticated(std::string m) { return {StatusCode::unauthenticated, std::move(m)}; }

  bool ok() const noexcept { return code_ == StatusCode::ok; }
  explicit operator bool() const noexcept { return ok(); }
  StatusCode code() const noexcept { return code_; }
  const std::string& message() const noexcept { return message_; }
  const std::string& details() const noexcept { return details_; }

  // "NOT_FOUND: User u1 not found"
  std::string to_string() const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_ && a.details_ == b.details_;
  }

 private:
  StatusCode code_ = StatusCode::ok;
  std::string message_;
  std::string details_;
};

// Thrown by Result<T>::value(), * and -> on a Result that holds an error:
// what() is the status as text ("NOT_FOUND: user u1 not found") and status()
// the Status itself.
class BadResultAccess : public std::exception {
 public:
  explicit BadResultAccess(Status status) : status_(std::move(status)), what_(status_.to_string()) {}
  const char* what() const noexcept override { return what_.c_str(); }
  const Status& status() const noexcept { return status_; }

 private:
  Status status_;
  std::string what_;
};

// A value of T or a non-OK Status. Constructing a Result from an OK status
// turns it into UNKNOWN ("OK status without a value"), so a Result is never
// both empty and OK. value(), * and -> on an error throw BadResultAccess.
template <class T>
class Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT(implicit)
  Result(Status status) : v_(std::in_place_index<1>, std::move(status)) {  // NOLINT(implicit)
    if (std::get<1>(v_).ok()) v_ = Status(StatusCode::unknown, "OK status without a value");
  }

  bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & {
    check();
    return *std::get_if<0>(&v_);
  }
  const T& value() const& {
    check();
    return *std::get_if<0>(&v_);
  }
  T&& value() && {
    check();
    return std::move(*std::get_if<0>(&v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // OK when a value is held, else the error.
  Status status() const { return has_value() ? Status() : std::get<1>(v_); }
  bool ok() const noexcept { return has_value(); }

 private:
  void check() const {
    if (!has_value()) throw BadResultAccess(*std::get_if<1>(&v_));
  }
  std::variant<T, Status> v_;
};

}  // namespace pronto

// call/metadata_fields.h — call metadata and status as header fields:
// metadata in and out (base64 for -bin keys), status in trailers. Shared by
// every wire protocol that carries gRPC metadata as header fields (gRPC over
// HTTP/2 now; gRPC-Web's trailer block later). Pure functions.
#pragma once

#include <string_view>

#include "h2/header_block.h"
#include "pronto/metadata.h"
#include "pronto/status.h"

namespace pronto::call {

using h2::HeaderBlock;

// Appends user metadata as header fields (-bin values base64, unpadded).
// Values are referenced (ASCII) or owned by the block (-bin, base64): the
// metadata must outlive the submit.
void append_metadata(HeaderBlock& out, const Metadata& metadata);
// Adds one received header field to `metadata` when it is user metadata
// (not a pseudo-header, not a protocol header such as content-type or
// grpc-*). A -bin value may hold several comma-separated base64 values.
// INTERNAL when a -bin value is not base64 or a key/value is malformed.
Status add_received_metadata(Metadata& metadata, std::string_view name, std::string_view value);
// grpc-status, grpc-message (percent-encoded), grpc-status-details-bin,
// then the trailing metadata.
// The status fields are owned by the block (or static); the trailing
// metadata is referenced as by append_metadata.
void append_status(HeaderBlock& out, const Status& status, const Metadata& trailing);

// Accumulates a received status from trailer fields.
class StatusReader {
 public:
  // Returns true when the field was one of the status fields.
  bool take(std::string_view name, std::string_view value);
  bool has_status() const noexcept { return has_code_; }
  // The status; a malformed grpc-status reads as UNKNOWN.
  Status status() const;

 private:
  bool has_code_ = false;
  bool bad_code_ = false;
  StatusCode code_ = StatusCode::unknown;
  std::string message_;
  std::string details_;
};

}  // namespace pronto::call

// services/reflection_service.h — server reflection (gRPC proposal A15):
// grpc.reflection.v1.ServerReflection and grpc.reflection.v1alpha.
// ServerReflection, whose bidirectional ServerReflectionInfo answers each
// request on the stream with one response, from a ReflectionIndex:
// list_services, file_by_filename, file_containing_symbol,
// file_containing_extension, all_extension_numbers_of_type. An unknown name
// gives an error_response with NOT_FOUND and the stream goes on; a request
// with none of these set gives UNIMPLEMENTED the same way (as grpc++). A
// request that does not parse ends the call with INTERNAL.
//
// Ownership: owned by the server (ServerImpl::add_owned_service); the index
// is shared by the two versions.
// Threading: set_index() before the server starts; afterwards calls on
// every loop read the (immutable) index at once.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "pronto/service.h"
#include "services/reflection_index.h"

namespace pronto::detail {

class ReflectionService final : public Service {
 public:
  enum class Version { v1, v1alpha };
  static constexpr std::string_view v1_name = "grpc.reflection.v1.ServerReflection";
  static constexpr std::string_view v1alpha_name = "grpc.reflection.v1alpha.ServerReflection";

  explicit ReflectionService(Version version);
  // Before start(); every call answers from it.
  void set_index(std::shared_ptr<const ReflectionIndex> index) { index_ = std::move(index); }

 private:
  template <class Req, class Resp>
  Task<Status> serve(ServerContext& ctx, ServerStream<Req, Resp>& stream);

  std::shared_ptr<const ReflectionIndex> index_;
};

// One request answered outside a call (the fuzz target, tests): parses
// `request` as a v1 ServerReflectionRequest and returns the serialized
// v1 ServerReflectionResponse; INTERNAL when the bytes do not parse.
Result<std::string> answer_reflection_request(const ReflectionIndex& index, std::string_view request);

}  // namespace pronto::detail

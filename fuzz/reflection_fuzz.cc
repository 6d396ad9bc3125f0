// libFuzzer target for server reflection (services/reflection_service.h,
// services/reflection_index.h): arbitrary bytes as a v1
// ServerReflectionRequest, answered from an index over the reflection
// services themselves and over descriptor.proto (nested messages, enums,
// extension ranges, options).
//
// Input: the first byte picks the mode. Even: the rest is the request's
// wire bytes. Odd: byte 1 picks a request kind and the rest is its name (so
// the fuzzer reaches the name lookups without learning protobuf framing
// first); for extensions, the last 4 bytes are the number.
//
// Invariants:
//  - bytes that do not parse give INTERNAL; bytes that parse always give a
//    response that parses back, with original_request equal to the request
//    and exactly one answer set;
//  - a file answer holds FileDescriptorProtos that parse, each file once,
//    and every file's imports are in the same answer;
//  - an error answer is NOT_FOUND or (nothing asked) UNIMPLEMENTED.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "grpc/reflection/v1/reflection.pb.h"
#include "services/reflection_index.h"
#include "services/reflection_service.h"

namespace {

namespace v1 = grpc::reflection::v1;
using pronto::detail::ReflectionIndex;
using pronto::detail::ReflectionService;

// A service without methods whose file is descriptor.proto.
class DescriptorFileService final : public pronto::Service {
 public:
  DescriptorFileService() : Service("fuzz.Descriptors") {
    set_file_descriptor(google::protobuf::FileDescriptorProto::descriptor()->file());
  }
};

const ReflectionIndex& index() {
  static ReflectionService* v1_service = new ReflectionService(ReflectionService::Version::v1);
  static ReflectionService* alpha = new ReflectionService(ReflectionService::Version::v1alpha);
  static DescriptorFileService* descriptors = new DescriptorFileService;
  static const ReflectionIndex* built = new ReflectionIndex({v1_service, alpha, descriptors});
  return *built;
}

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "reflection_fuzz invariant broken: %s\n", what);
  std::abort();
}

std::string request_from_name(const std::uint8_t* data, std::size_t size) {
  v1::ServerReflectionRequest req;
  if (size == 0) return req.SerializeAsString();
  const std::uint8_t kind = data[0] % 5;
  std::string name(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (kind) {
    case 0:
      req.set_file_by_filename(name);
      break;
    case 1:
      req.set_file_containing_symbol(name);
      break;
    case 2:
      req.set_all_extension_numbers_of_type(name);
      break;
    case 3:
      req.set_list_services(name);
      break;
    default: {
      std::int32_t number = 0;
      if (name.size() >= 4) {
        std::memcpy(&number, name.data() + name.size() - 4, 4);
        name.resize(name.size() - 4);
      }
      req.mutable_file_containing_extension()->set_containing_type(name);
      req.mutable_file_containing_extension()->set_extension_number(number);
    }
  }
  return req.SerializeAsString();
}

void check_files(const v1::FileDescriptorResponse& files) {
  std::set<std::string> names;
  std::set<std::string> imports;
  for (const std::string& bytes : files.file_descriptor_proto()) {
    google::protobuf::FileDescriptorProto proto;
    if (!proto.ParseFromString(bytes)) fail("a FileDescriptorProto does not parse");
    if (!names.insert(proto.name()).second) fail("a file sent twice in one answer");
    for (const std::string& dep : proto.dependency()) imports.insert(dep);
  }
  if (names.empty()) fail("a file answer without files");
  for (const std::string& dep : imports) {
    if (!names.count(dep)) fail("an import missing from the answer");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string request = (data[0] & 1) ? request_from_name(data + 1, size - 1)
                                      : std::string(reinterpret_cast<const char*>(data + 1), size - 1);
  v1::ServerReflectionRequest parsed;
  const bool parses = parsed.ParseFromString(request);
  pronto::Result<std::string> answer = pronto::detail::answer_reflection_request(index(), request);
  if (!parses) {
    if (answer || answer.status().code() != pronto::StatusCode::internal) fail("bad bytes not INTERNAL");
    return 0;
  }
  if (!answer) fail("a request that parses was refused");
  v1::ServerReflectionResponse resp;
  if (!resp.ParseFromString(*answer)) fail("the response does not parse");
  if (resp.original_request().SerializeAsString() != parsed.SerializeAsString()) {
    fail("original_request differs from the request");
  }
  switch (resp.message_response_case()) {
    case v1::ServerReflectionResponse::kFileDescriptorResponse:
      check_files(resp.file_descriptor_response());
      break;
    case v1::ServerReflectionResponse::kErrorResponse: {
      const int code = resp.error_response().error_code();
      const bool nothing_asked =
          parsed.message_request_case() == v1::ServerReflectionRequest::MESSAGE_REQUEST_NOT_SET;
      if (code != static_cast<int>(nothing_asked ? pronto::StatusCode::unimplemented
                                                 : pronto::StatusCode::not_found)) {
        fail("unexpected error code");
      }
      break;
    }
    case v1::ServerReflectionResponse::kAllExtensionNumbersResponse:
    case v1::ServerReflectionResponse::kListServicesResponse:
      break;
    default:
      fail("no answer set");
  }
  return 0;
}

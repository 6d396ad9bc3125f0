#include "services/reflection_service.h"

#include <google/protobuf/descriptor.h>

#include <unordered_set>
#include <vector>

#include "grpc/reflection/v1/reflection.pb.h"
#include "grpc/reflection/v1alpha/reflection.pb.h"

namespace pronto::detail {
namespace {

namespace pb = google::protobuf;

// The files of one answer, with their imports, each once.
template <class Resp>
void add_files(const ReflectionIndex& index, std::initializer_list<const pb::FileDescriptor*> files,
               Resp& resp) {
  std::unordered_set<const pb::FileDescriptor*> seen;
  std::vector<const std::string*> out;
  for (const pb::FileDescriptor* file : files) index.append_file_with_imports(file, seen, out);
  auto* fdr = resp.mutable_file_descriptor_response();
  for (const std::string* bytes : out) fdr->add_file_descriptor_proto(*bytes);
}

template <class Resp>
void set_error(Resp& resp, StatusCode code, std::string_view message) {
  resp.mutable_error_response()->set_error_code(static_cast<int>(code));
  resp.mutable_error_response()->set_error_message(std::string(message));
}

// The answer to one request. Same messages as grpc++'s reflection server.
template <class Req, class Resp>
Resp answer(const ReflectionIndex& index, const Req& req) {
  Resp resp;
  resp.set_valid_host(req.host());
  *resp.mutable_original_request() = req;
  switch (req.message_request_case()) {
    case Req::kListServices:
      for (const std::string& name : index.service_names()) {
        resp.mutable_list_services_response()->add_service()->set_name(name);
      }
      break;
    case Req::kFileByFilename:
      if (const auto* file = index.file_by_name(req.file_by_filename())) {
        add_files(index, {file}, resp);
      } else {
        set_error(resp, StatusCode::not_found, "File not found.");
      }
      break;
    case Req::kFileContainingSymbol:
      if (const auto* file = index.file_containing_symbol(req.file_containing_symbol())) {
        add_files(index, {file}, resp);
      } else {
        set_error(resp, StatusCode::not_found, "Symbol not found.");
      }
      break;
    case Req::kFileContainingExtension: {
      const auto& ext = req.file_containing_extension();
      if (!index.has_message_type(ext.containing_type())) {
        set_error(resp, StatusCode::not_found, "Type not found.");
      } else if (const auto* field = index.extension(ext.containing_type(), ext.extension_number())) {
        add_files(index, {field->file()}, resp);
      } else {
        set_error(resp, StatusCode::not_found, "Extension not found.");
      }
      break;
    }
    case Req::kAllExtensionNumbersOfType: {
      const std::string& type = req.all_extension_numbers_of_type();
      if (!index.has_message_type(type)) {
        set_error(resp, StatusCode::not_found, "Type not found.");
        break;
      }
      auto* numbers = resp.mutable_all_extension_numbers_response();
      numbers->set_base_type_name(type);
      for (int n : index.extension_numbers(type)) numbers->add_extension_number(n);
      break;
    }
    default:
      set_error(resp, StatusCode::unimplemented, "The request is not supported.");
      break;
  }
  return resp;
}

namespace v1 = grpc::reflection::v1;
namespace v1alpha = grpc::reflection::v1alpha;

}  // namespace

ReflectionService::ReflectionService(Version version)
    : Service(std::string(version == Version::v1 ? v1_name : v1alpha_name)) {
  if (version == Version::v1) {
    set_file_descriptor(v1::ServerReflectionRequest::descriptor()->file());
    add_bidi_streaming("ServerReflectionInfo",
                       &ReflectionService::serve<v1::ServerReflectionRequest, v1::ServerReflectionResponse>);
  } else {
    set_file_descriptor(v1alpha::ServerReflectionRequest::descriptor()->file());
    add_bidi_streaming(
        "ServerReflectionInfo",
        &ReflectionService::serve<v1alpha::ServerReflectionRequest, v1alpha::ServerReflectionResponse>);
  }
}

template <class Req, class Resp>
Task<Status> ReflectionService::serve(ServerContext& ctx, ServerStream<Req, Resp>& stream) {
  // One response per request, in order, until the client half-closes. A
  // request that does not parse ends read() (the call fails INTERNAL).
  while (auto req = co_await stream.read()) {
    Status st = co_await stream.write(answer<Req, Resp>(*index_, *req));
    if (!st.ok()) co_return st;
  }
  if (ctx.is_cancelled()) co_return Status::cancelled();
  co_return Status{};
}

Result<std::string> answer_reflection_request(const ReflectionIndex& index, std::string_view request) {
  v1::ServerReflectionRequest req;
  if (!req.ParseFromArray(request.data(), static_cast<int>(request.size()))) {
    return Status::internal("cannot parse the reflection request");
  }
  return answer<v1::ServerReflectionRequest, v1::ServerReflectionResponse>(index, req).SerializeAsString();
}

}  // namespace pronto::detail

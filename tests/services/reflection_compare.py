#!/usr/bin/python3
"""reflection_compare.py — pronto's reflection answers against grpc++'s.

  reflection_compare.py PRONTO_SERVER GRPCPP_SERVER

Starts both servers (each prints "listening on port N"; both serve
helloworld.Greeter and refl.Shop with reflection on), asks each the same
requests on grpc.reflection.v1alpha (grpc++ 1.51 serves only v1alpha), one
stream per request (grpc++ 1.51 reuses one response message for a whole
stream, so its later answers carry the earlier ones' files and extension
numbers too; pronto's answers on one stream are tested in
reflection_test.cc), and compares: service sets; for file answers the
FileDescriptorProtos (parsed, compared as sets by name, and their order);
extension number sets; error codes. Exits 1 on any difference.
"""

import os
import subprocess
import sys

import grpc
from google.protobuf import descriptor_pb2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from grpc_reflect import reflection_messages  # noqa: E402

INFO = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"
Request, Response = reflection_messages("v1alpha")


def ext(type_name, number):
    return Request(file_containing_extension={"containing_type": type_name, "extension_number": number})


REQUESTS = [
    Request(list_services=""),
    Request(file_by_filename="helloworld.proto"),
    Request(file_by_filename="refl/shop.proto"),
    Request(file_by_filename="refl/base.proto"),
    Request(file_by_filename="google/protobuf/empty.proto"),
    Request(file_by_filename="no/such.proto"),
    Request(file_containing_symbol="helloworld.Greeter"),
    Request(file_containing_symbol="helloworld.Greeter.SayHello"),
    Request(file_containing_symbol="helloworld.HelloReply"),
    Request(file_containing_symbol="helloworld.HelloRequest.name"),
    Request(file_containing_symbol="refl.Shop.Chat"),
    Request(file_containing_symbol="refl.Order.Line"),
    Request(file_containing_symbol="refl.Order.Line.quantity"),
    Request(file_containing_symbol="refl.Order.card"),
    Request(file_containing_symbol="refl.Order.payment"),
    Request(file_containing_symbol="refl.Base.Inner.Kind"),
    Request(file_containing_symbol="refl.Base.Inner.KIND_B"),
    Request(file_containing_symbol="refl.Color"),
    Request(file_containing_symbol="refl.COLOR_BLUE"),
    Request(file_containing_symbol="refl.weight"),
    Request(file_containing_symbol="refl.Holder.label"),
    Request(file_containing_symbol="refl.Nope"),
    # (Not grpc.reflection.v1alpha.ServerReflection: grpc++ compiled its
    # reflection.proto as "src/proto/grpc/reflection/v1alpha/reflection.proto".)
    ext("refl.Base", 100),
    ext("refl.Base", 101),
    ext("refl.Base", 150),
    ext("refl.Nope", 100),
    Request(all_extension_numbers_of_type="refl.Base"),
    Request(all_extension_numbers_of_type="refl.Order"),
    Request(all_extension_numbers_of_type="refl.Nope"),
    Request(),  # no request set
]

def start(binary):
    proc = subprocess.Popen([binary], stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    if "listening on port" not in line:
        proc.kill()
        raise RuntimeError(f"{binary} did not start: {line!r}")
    return proc, int(line.split()[-1])


def ask_all(port):
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        info = channel.stream_stream(INFO, request_serializer=lambda m: m.SerializeToString(),
                                     response_deserializer=Response.FromString)
        answers = []
        for request in REQUESTS:
            answers += list(info(iter([request]), timeout=20))
        return answers


def summary(resp):
    """What must agree, as comparable Python values."""
    kind = resp.WhichOneof("message_response")
    if kind == "list_services_response":
        return kind, {s.name for s in resp.list_services_response.service}
    if kind == "file_descriptor_response":
        files = [descriptor_pb2.FileDescriptorProto.FromString(b)
                 for b in resp.file_descriptor_response.file_descriptor_proto]
        return kind, ([f.name for f in files], {f.name: f for f in files})
    if kind == "all_extension_numbers_response":
        r = resp.all_extension_numbers_response
        return kind, (r.base_type_name, set(r.extension_number))
    if kind == "error_response":
        return kind, resp.error_response.error_code
    return kind, None


def compare(i, pronto, grpcpp):
    request = REQUESTS[i]
    what = str(request).strip().replace("\n", " ") or "(empty request)"
    pk, pv = summary(pronto)
    gk, gv = summary(grpcpp)
    if pk != gk:
        return [f"{what}: pronto answers {pk} ({pv}), grpc++ {gk} ({gv})"]
    if pk == "list_services_response":
        # pronto serves grpc.reflection.v1 as well as v1alpha, and health (on by default).
        if pv != gv | {"grpc.reflection.v1.ServerReflection", "grpc.health.v1.Health"}:
            return [f"{what}: services differ: pronto {sorted(pv)}, grpc++ {sorted(gv)}"]
        return []
    if pk == "file_descriptor_response":
        (p_order, p_files), (g_order, g_files) = pv, gv
        problems = []
        if set(p_files) != set(g_files):
            problems.append(f"{what}: files differ: pronto {p_order}, grpc++ {g_order}")
        elif p_order != g_order:
            problems.append(f"{what}: file order differs: pronto {p_order}, grpc++ {g_order}")
        for name in set(p_files) & set(g_files):
            if p_files[name] != g_files[name]:
                problems.append(f"{what}: FileDescriptorProto of {name} differs")
        return problems
    if pv != gv:
        return [f"{what}: pronto {pv}, grpc++ {gv}"]
    return []


def main(argv):
    if len(argv) != 3:
        print(__doc__)
        return 2
    procs = []
    try:
        pronto_proc, pronto_port = start(argv[1])
        procs.append(pronto_proc)
        grpcpp_proc, grpcpp_port = start(argv[2])
        procs.append(grpcpp_proc)
        pronto = ask_all(pronto_port)
        grpcpp = ask_all(grpcpp_port)
    finally:
        for p in procs:
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
    if len(pronto) != len(REQUESTS) or len(grpcpp) != len(REQUESTS):
        print(f"FAIL: {len(REQUESTS)} requests, pronto answered {len(pronto)}, grpc++ {len(grpcpp)}")
        return 1
    problems = []
    for i in range(len(REQUESTS)):
        problems += compare(i, pronto[i], grpcpp[i])
    for p in problems:
        print("FAIL:", p)
    print(f"{len(REQUESTS)} requests, {len(problems)} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

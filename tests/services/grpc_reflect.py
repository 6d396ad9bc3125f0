#!/usr/bin/python3
"""grpc_reflect.py — a grpcurl-compatible reflection client, independent of pronto.

It uses only python3-grpcio and python3-protobuf: the service's message types
come from the server's reflection answers (descriptor_pool, message_factory),
requests and replies are JSON (json_format). No .proto of the service is read.
The reflection protocol's own messages are compiled from Debian grpc-proto's
reflection.proto into a descriptor set by protoc (as grpcurl compiles them in).

  grpc_reflect.py HOST:PORT list
  grpc_reflect.py HOST:PORT describe SYMBOL
  grpc_reflect.py HOST:PORT call package.Service/Method '{"json": "request"}'
  grpc_reflect.py --self-test SERVER_BINARY
      Starts SERVER_BINARY --port=0 (helloworld-server), then lists,
      describes and calls helloworld.Greeter/SayHello; exits 1 on a mismatch.
"""

import os
import subprocess
import sys
import tempfile

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory

PROTO_DIR = os.environ.get("PRONTO_GRPC_PROTO_DIR", "/usr/share/grpc-proto")
INFO = "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"


def message_class(pool, full_name):
    desc = pool.FindMessageTypeByName(full_name)
    if hasattr(message_factory, "GetMessageClass"):
        return message_factory.GetMessageClass(desc)
    return message_factory.MessageFactory(pool).GetPrototype(desc)


def reflection_messages(version="v1"):
    """(Request, Response) classes of grpc.reflection.<version>, from reflection.proto."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "reflection.pb")
        proto = f"grpc/reflection/{version}/reflection.proto"
        subprocess.run(["protoc", f"-I{PROTO_DIR}", f"--descriptor_set_out={out}", proto], check=True)
        fds = descriptor_pb2.FileDescriptorSet.FromString(open(out, "rb").read())
    pool = descriptor_pool.DescriptorPool()
    for f in fds.file:
        pool.Add(f)
    return (message_class(pool, f"grpc.reflection.{version}.ServerReflectionRequest"),
            message_class(pool, f"grpc.reflection.{version}.ServerReflectionResponse"))


class ReflectionError(Exception):
    def __init__(self, code, message):
        super().__init__(f"{grpc.StatusCode.NOT_FOUND.name if code == 5 else code}: {message}")
        self.code = code


class Client:
    def __init__(self, target):
        self.channel = grpc.insecure_channel(target)
        self.Request, self.Response = reflection_messages()
        self.info = self.channel.stream_stream(INFO, request_serializer=lambda m: m.SerializeToString(),
                                               response_deserializer=self.Response.FromString)
        self.files = {}  # name -> FileDescriptorProto
        self.pool = descriptor_pool.DescriptorPool()
        self.added = set()

    def ask(self, **fields):
        """One request on its own stream; the response (error_response raises)."""
        responses = list(self.info(iter([self.Request(**fields)]), timeout=10))
        if len(responses) != 1:
            raise RuntimeError(f"expected one response, got {len(responses)}")
        resp = responses[0]
        if resp.WhichOneof("message_response") == "error_response":
            raise ReflectionError(resp.error_response.error_code, resp.error_response.error_message)
        return resp

    def list_services(self):
        return [s.name for s in self.ask(list_services="").list_services_response.service]

    def _add(self, name):
        if name in self.added:
            return
        proto = self.files[name]
        for dep in proto.dependency:
            if dep not in self.files:  # not sent along: ask for it
                self._load(self.ask(file_by_filename=dep))
            self._add(dep)
        self.pool.Add(proto)
        self.added.add(name)

    def _load(self, resp):
        names = []
        for raw in resp.file_descriptor_response.file_descriptor_proto:
            proto = descriptor_pb2.FileDescriptorProto.FromString(raw)
            self.files.setdefault(proto.name, proto)
            names.append(proto.name)
        for name in names:
            self._add(name)
        return names

    def load_symbol(self, symbol):
        self._load(self.ask(file_containing_symbol=symbol))

    def describe(self, symbol):
        self.load_symbol(symbol)
        try:
            svc = self.pool.FindServiceByName(symbol)
            lines = [f"{svc.full_name} is a service:", f"service {svc.name} {{"]
            for m in svc.methods:
                cs = "stream " if m.client_streaming else ""
                ss = "stream " if m.server_streaming else ""
                lines.append(f"  rpc {m.name} ( {cs}.{m.input_type.full_name} ) returns "
                             f"( {ss}.{m.output_type.full_name} );")
            return "\n".join(lines + ["}"])
        except KeyError:
            pass
        msg = self.pool.FindMessageTypeByName(symbol)
        lines = [f"{msg.full_name} is a message:", f"message {msg.name} {{"]
        for f in msg.fields:
            lines.append(f"  {f.number}: {f.name}")
        return "\n".join(lines + ["}"])

    def call(self, method_path, request_json):
        service_name, method_name = method_path.split("/")
        self.load_symbol(service_name)
        method = self.pool.FindServiceByName(service_name).methods_by_name[method_name]
        Req = message_class(self.pool, method.input_type.full_name)
        Resp = message_class(self.pool, method.output_type.full_name)
        request = json_format.Parse(request_json, Req())
        unary = self.channel.unary_unary(f"/{service_name}/{method_name}",
                                         request_serializer=lambda m: m.SerializeToString(),
                                         response_deserializer=Resp.FromString)
        return json_format.MessageToJson(unary(request, timeout=10), indent=None)


def self_test(server_binary):
    proc = subprocess.Popen([server_binary, "--port=0"], stdout=subprocess.PIPE, text=True)
    failures = []
    try:
        line = proc.stdout.readline()
        if "listening on port" not in line:
            print(f"server did not start: {line!r}")
            return 1
        port = int(line.split()[-1])
        client = Client(f"127.0.0.1:{port}")

        services = client.list_services()
        print("list:", services)
        for want in ("helloworld.Greeter", "grpc.reflection.v1.ServerReflection",
                     "grpc.reflection.v1alpha.ServerReflection"):
            if want not in services:
                failures.append(f"list lacks {want}")

        text = client.describe("helloworld.Greeter")
        print(text)
        if "rpc SayHello ( .helloworld.HelloRequest ) returns ( .helloworld.HelloReply );" not in text:
            failures.append("describe helloworld.Greeter lacks SayHello")
        text = client.describe("helloworld.HelloRequest")
        print(text)
        if "1: name" not in text:
            failures.append("describe helloworld.HelloRequest lacks field 1 name")

        reply = client.call("helloworld.Greeter/SayHello", '{"name": "reflection"}')
        print("call:", reply)
        if reply != '{"message": "Hello reflection"}':
            failures.append(f"SayHello answered {reply}")

        try:
            client.describe("helloworld.NoSuchThing")
            failures.append("describe of an unknown symbol succeeded")
        except ReflectionError as e:
            print("unknown symbol:", e)
            if e.code != grpc.StatusCode.NOT_FOUND.value[0]:
                failures.append(f"unknown symbol gave code {e.code}, not NOT_FOUND")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


def main(argv):
    if len(argv) == 3 and argv[1] == "--self-test":
        return self_test(argv[2])
    if len(argv) < 3:
        print(__doc__)
        return 2
    client = Client(argv[1])
    try:
        if argv[2] == "list":
            print("\n".join(client.list_services()))
        elif argv[2] == "describe" and len(argv) == 4:
            print(client.describe(argv[3]))
        elif argv[2] == "call" and len(argv) == 5:
            print(client.call(argv[3], argv[4]))
        else:
            print(__doc__)
            return 2
    except ReflectionError as e:
        print(e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

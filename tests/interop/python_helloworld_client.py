#!/usr/bin/python3
"""The official Python gRPC client (python3-grpcio) calling a pronto example server.

    python_helloworld_client.py --server_port=N [--server_host=localhost] [--test_case=all|say_hello]

Calls helloworld.Greeter/SayHello(name="python") on the server (build/bin/helloworld-server,
examples/helloworld) and checks the reply is exactly "Hello python". Takes the interop
clients' flags and prints their output (`PASS say_hello` or `FAIL say_hello: reason`, then
`N passed, M failed`), so that run-pair can drive it:

    tests/interop/run-pair --server=build/bin/helloworld-server \
        --client="/usr/bin/python3 tests/interop/python_helloworld_client.py" --cases=say_hello

Nothing generated is committed: helloworld_pb2 / helloworld_pb2_grpc are generated from
examples/helloworld/helloworld.proto ($PRONTO_HELLOWORLD_PROTO_DIR overrides the directory)
into a temporary directory, removed at exit, with `python3 -m grpc_tools.protoc` if
installed, else `protoc` + `grpc_python_plugin`, as interop_protos.py does.
Exit status: 0 if the call passed, 1 if not, 2 on bad usage.
"""

import atexit
import importlib
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile

import grpc

sys.dont_write_bytecode = True  # no __pycache__ for interop_flags in the source tree

from interop_flags import FlagError, parse_flags, parse_int

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO_DIR = os.environ.get("PRONTO_HELLOWORLD_PROTO_DIR",
                           os.path.join(HERE, "..", "..", "examples", "helloworld"))
RPC_TIMEOUT = 20.0
CASES = ["say_hello"]


def generate_helloworld():
    """Compiles helloworld.proto into a temporary directory and imports the two modules."""
    out_dir = tempfile.mkdtemp(prefix="pronto-helloworld-py-")
    atexit.register(shutil.rmtree, out_dir, True)
    args = [f"-I{PROTO_DIR}", f"--python_out={out_dir}", f"--grpc_python_out={out_dir}", "helloworld.proto"]
    if importlib.util.find_spec("grpc_tools") is not None:
        command = [sys.executable, "-m", "grpc_tools.protoc"] + args
    else:
        protoc, plugin = shutil.which("protoc"), shutil.which("grpc_python_plugin")
        if not protoc or not plugin:
            raise RuntimeError("need grpc_tools, or protoc and grpc_python_plugin (protobuf-compiler-grpc)")
        command = [protoc, f"--plugin=protoc-gen-grpc_python={plugin}"] + args
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"generating helloworld Python code failed:\n{result.stderr}")
    sys.path.insert(0, out_dir)
    return importlib.import_module("helloworld_pb2"), importlib.import_module("helloworld_pb2_grpc")


def say_hello(channel, pb2, pb2_grpc):
    """SayHello(name="python") must answer exactly "Hello python"."""
    reply = pb2_grpc.GreeterStub(channel).SayHello(pb2.HelloRequest(name="python"), timeout=RPC_TIMEOUT)
    if reply.message != "Hello python":
        return f"reply {reply.message!r}, expected 'Hello python'"
    return None


def usage(error):
    print(f"python_helloworld_client: {error}\nusage: python_helloworld_client.py --server_port=N "
          "[--server_host=localhost] [--test_case=all|say_hello]", file=sys.stderr)
    return 2


def main(argv):
    try:
        flags = parse_flags(argv, {"server_host": "localhost", "server_port": "", "test_case": "all"})
        port = parse_int(flags, "server_port", 1, 65535)
    except FlagError as e:
        return usage(e)
    selected = CASES if flags["test_case"] == "all" else flags["test_case"].split(",")
    for name in selected:
        if name not in CASES:
            return usage(f"unknown test case: {name}")

    pb2, pb2_grpc = generate_helloworld()
    passed = failed = 0
    with grpc.insecure_channel(f"{flags['server_host']}:{port}") as channel:
        for name in selected:
            try:
                failure = say_hello(channel, pb2, pb2_grpc)
            except grpc.RpcError as e:
                failure = f"RPC failed with status {e.code().value[0]} {e.details()!r}"
            if failure is None:
                print(f"PASS {name}", flush=True)
                passed += 1
            else:
                print(f"FAIL {name}: {failure}", flush=True)
                failed += 1
    print(f"{passed} passed, {failed} failed", flush=True)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

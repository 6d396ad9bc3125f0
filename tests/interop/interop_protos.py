"""Generates and imports the grpc.testing Python modules for the Python interop peers.

Nothing generated is committed: on import, this module compiles empty/messages/test.proto
(from $PRONTO_GRPC_PROTO_DIR, default /usr/share/grpc-proto) into a private temporary
directory, removed again at exit, using `python3 -m grpc_tools.protoc` when grpc_tools is
installed, else `protoc --python_out` plus `grpc_python_plugin` (protobuf-compiler-grpc).

The generated code imports itself as `grpc.testing.*`, but `grpc` is grpcio's package, so
the temporary `grpc/` directory is appended to `grpc.__path__` to make `grpc.testing`
resolvable without touching the installed package.

Exports: empty_pb2, messages_pb2, test_pb2, test_pb2_grpc.
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

PROTO_DIR = os.environ.get("PRONTO_GRPC_PROTO_DIR", "/usr/share/grpc-proto")
PROTOS = ["grpc/testing/empty.proto", "grpc/testing/messages.proto", "grpc/testing/test.proto"]


def _protoc_command(out_dir):
    """The compiler invocation: grpc_tools if importable, else protoc + grpc_python_plugin."""
    args = [f"-I{PROTO_DIR}", f"--python_out={out_dir}", f"--grpc_python_out={out_dir}"]
    if importlib.util.find_spec("grpc_tools") is not None:
        return [sys.executable, "-m", "grpc_tools.protoc"] + args + PROTOS
    protoc = shutil.which("protoc")
    plugin = shutil.which("grpc_python_plugin")
    if not protoc or not plugin:
        raise RuntimeError("need grpc_tools, or protoc and grpc_python_plugin (protobuf-compiler-grpc)")
    return [protoc, f"--plugin=protoc-gen-grpc_python={plugin}"] + args + PROTOS


def _generate():
    out_dir = tempfile.mkdtemp(prefix="pronto-interop-py-")
    atexit.register(shutil.rmtree, out_dir, True)
    result = subprocess.run(_protoc_command(out_dir), capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"generating grpc.testing Python code failed:\n{result.stderr}")
    return out_dir


_out_dir = _generate()
grpc.__path__.append(os.path.join(_out_dir, "grpc"))
empty_pb2 = importlib.import_module("grpc.testing.empty_pb2")
messages_pb2 = importlib.import_module("grpc.testing.messages_pb2")
test_pb2 = importlib.import_module("grpc.testing.test_pb2")
test_pb2_grpc = importlib.import_module("grpc.testing.test_pb2_grpc")

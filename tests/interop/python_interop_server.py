#!/usr/bin/python3
"""Reference interop server on the official gRPC Python library (python3-grpcio).

Implements grpc.testing.TestService as described in grpc/grpc
doc/interop-test-descriptions.md ("Server" section). Same flags and output as
pronto-interop-server:

    python_interop_server.py --port=N [--use_tls=false] [--tls_cert_file=F --tls_key_file=F]

--port=0 picks a free port. Once serving, prints `listening on port N` to stdout.
Listens on localhost only. SIGINT/SIGTERM shut it down.

Compression:
  * CompressedResponse: SimpleRequest.response_compressed = true sends the UnaryCall response
    gzip-compressed (context.set_compression). In the streaming methods a request whose
    ResponseParameters carry `compressed` makes the call gzip-encoded, and a `compressed:
    false` response goes uncompressed (context.disable_next_message_compression()).
  * CompressedRequest: NOT checked. grpcio shows a servicer neither the request's
    grpc-encoding (invocation_metadata() leaves it out) nor a message's compressed flag, so
    `expect_compressed` cannot be verified and is ignored: the client_compressed_* probes
    (an uncompressed request claiming expect_compressed=true) get OK instead of
    INVALID_ARGUMENT, and those two cases cannot pass against this server (run-matrix leaves
    them out for it; see README.md).

Not implemented (on purpose):
  * UnimplementedCall: must answer UNIMPLEMENTED, which the generated base class does.
  * CacheableUnaryCall: only meaningful behind a caching proxy.
  * Echo auth information (fill_username / fill_oauth_scope): cloud-to-prod only.
"""

import signal
import sys
import threading
import time
from concurrent import futures

import grpc

sys.dont_write_bytecode = True  # no __pycache__ for the helpers below in the source tree

from interop_flags import FlagError, parse_bool, parse_flags, parse_int
from interop_protos import empty_pb2, messages_pb2, test_pb2_grpc

ECHO_INITIAL_KEY = "x-grpc-test-echo-initial"
ECHO_TRAILING_BIN_KEY = "x-grpc-test-echo-trailing-bin"
CODES = {code.value[0]: code for code in grpc.StatusCode}


def echo_metadata(context):
    """Echo Metadata: copy the two magic request headers back as initial / trailing metadata."""
    initial, trailing = [], []
    for key, value in context.invocation_metadata():
        if key == ECHO_INITIAL_KEY:
            initial.append((key, value))
        elif key == ECHO_TRAILING_BIN_KEY:
            trailing.append((key, value))
    if initial:
        context.send_initial_metadata(initial)
    if trailing:
        context.set_trailing_metadata(trailing)


def make_payload(response_type, size, context):
    """`size` zero bytes of the requested type (only COMPRESSABLE exists)."""
    if response_type != messages_pb2.COMPRESSABLE:
        context.abort(grpc.StatusCode.INVALID_ARGUMENT, "unsupported response_type")
    if size < 0:
        context.abort(grpc.StatusCode.INVALID_ARGUMENT, "negative response size")
    return messages_pb2.Payload(type=response_type, body=b"\0" * size)


def responses_for(request, context):
    """One response per ResponseParameters, each after sleeping its interval_us.

    CompressedResponse: parameters with `compressed` make the call gzip-encoded (effective
    before the first response only: the encoding goes out with the headers), and a
    `compressed: false` response is sent uncompressed.
    """
    if any(params.HasField("compressed") for params in request.response_parameters):
        context.set_compression(grpc.Compression.Gzip)
    for params in request.response_parameters:
        if params.interval_us > 0:
            time.sleep(params.interval_us / 1e6)
        response = messages_pb2.StreamingOutputCallResponse(
            payload=make_payload(request.response_type, params.size, context))
        if params.HasField("compressed") and not params.compressed.value:
            context.disable_next_message_compression()
        yield response


def echo_status(context, echo):
    """Echo Status: ends the RPC with the requested code and message (no-op for OK).

    context.abort() raises, so nothing after it runs and no response message is sent.
    grpcio can only send the 17 canonical codes; any other code becomes UNKNOWN.
    """
    code = CODES.get(echo.code, grpc.StatusCode.UNKNOWN)
    if code is not grpc.StatusCode.OK:
        context.abort(code, echo.message)


class TestService(test_pb2_grpc.TestServiceServicer):
    def EmptyCall(self, request, context):
        """Returns the empty message immediately."""
        echo_metadata(context)
        return empty_pb2.Empty()

    def UnaryCall(self, request, context):
        """Payload of response_size zeros, or the echoed status if one is requested."""
        echo_metadata(context)
        # expect_compressed cannot be checked with grpcio (see the module docstring).
        if request.response_compressed.value:
            context.set_compression(grpc.Compression.Gzip)
        payload = make_payload(request.response_type, request.response_size, context)
        if request.HasField("response_status"):
            echo_status(context, request.response_status)
        return messages_pb2.SimpleResponse(payload=payload)

    def StreamingOutputCall(self, request, context):
        """One response per ResponseParameters, then OK (or the echoed status)."""
        echo_metadata(context)
        yield from responses_for(request, context)
        if request.HasField("response_status"):
            echo_status(context, request.response_status)

    def StreamingInputCall(self, request_iterator, context):
        """On half-close, the sum of all request payload sizes (expect_compressed unchecked)."""
        echo_metadata(context)
        total = sum(len(request.payload.body) for request in request_iterator)
        return messages_pb2.StreamingInputCallResponse(aggregated_payload_size=total)

    def FullDuplexCall(self, request_iterator, context):
        """Answers each request as it arrives; a request carrying response_status ends the call."""
        echo_metadata(context)
        for request in request_iterator:
            if request.HasField("response_status"):
                echo_status(context, request.response_status)
                return
            yield from responses_for(request, context)

    def HalfDuplexCall(self, request_iterator, context):
        """Buffers every request until half-close, then answers them in order."""
        echo_metadata(context)
        for request in list(request_iterator):
            if request.HasField("response_status"):
                echo_status(context, request.response_status)
                return
            yield from responses_for(request, context)


def usage(error):
    print(f"python_interop_server: {error}\nusage: python_interop_server.py --port=N [--use_tls=false] "
          "[--tls_cert_file=PEM --tls_key_file=PEM]", file=sys.stderr)
    return 2


def main(argv):
    try:
        flags = parse_flags(argv, {"port": "", "use_tls": "false", "tls_cert_file": "", "tls_key_file": ""})
        port = parse_int(flags, "port", 0, 65535)
        use_tls = parse_bool(flags, "use_tls")
    except FlagError as e:
        return usage(e)

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=32))
    test_pb2_grpc.add_TestServiceServicer_to_server(TestService(), server)
    address = f"localhost:{port}"
    if use_tls:
        if not flags["tls_cert_file"] or not flags["tls_key_file"]:
            return usage("--use_tls=true needs --tls_cert_file and --tls_key_file")
        try:
            with open(flags["tls_key_file"], "rb") as k, open(flags["tls_cert_file"], "rb") as c:
                creds = grpc.ssl_server_credentials([(k.read(), c.read())])
        except OSError as e:
            return usage(f"cannot read TLS files: {e}")
        bound_port = server.add_secure_port(address, creds)
    else:
        bound_port = server.add_insecure_port(address)
    if bound_port == 0:
        print(f"python_interop_server: failed to listen on {address}", file=sys.stderr)
        return 1

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    server.start()
    print(f"listening on port {bound_port}", flush=True)
    while not stop.wait(1):
        pass
    server.stop(grace=1).wait()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

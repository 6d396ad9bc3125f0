#!/usr/bin/python3
"""Reference interop client on the official gRPC Python library (python3-grpcio).

Runs the test cases of grpc/grpc doc/interop-test-descriptions.md against a TestService
server. Same flags and output as pronto-interop-client:

    python_interop_client.py --server_port=N [--server_host=localhost] [--test_case=all|a,b,...]
                             [--use_tls=false] [--server_host_override=NAME] [--ca_file=PEM]
                             [--soak_iterations=10] [--soak_max_failures=0]
                             [--soak_per_iteration_max_acceptable_latency_ms=1000]
                             [--soak_overall_timeout_seconds=10] [--soak_min_time_ms_between_rpcs=0]

Prints `PASS name` (or `PASS name: details`) or `FAIL name: reason` per case, then
`N passed, M failed`; exits 1 if any case failed (2 on bad usage). Assertions are strict:
exact sizes, zero-filled payloads, exact status codes/messages and metadata values.

Compression cases, as far as grpcio allows (requests compressed with grpc.Compression.Gzip):
  * server_compressed_unary / server_compressed_streaming: the calls and payloads are
    checked, NOT the responses' compressed flags: grpcio hands over decompressed messages and
    shows neither a message's flag nor the response grpc-encoding.
  * client_compressed_streaming: grpcio cannot switch compression off for one message of a
    request stream, so the second message (45904 bytes) goes compressed too, and is sent
    with expect_compressed unset instead of false (a server that checks would rightly refuse
    `false` on a compressed message). The probe and the first message are as the spec says.

`all` includes the soak cases, as the official C++ client's `all` does; the --soak_*
defaults (grpc-go's) keep them short. Not implemented: auth (cloud-to-prod) cases,
cacheable_unary (needs a caching proxy).
"""

import math
import queue
import sys
import time

import grpc

sys.dont_write_bytecode = True  # no __pycache__ for the helpers below in the source tree

from interop_flags import FlagError, parse_bool, parse_flags, parse_int
from interop_protos import empty_pb2, messages_pb2, test_pb2_grpc

# ---- Spec constants ---------------------------------------------------------------------

LARGE_REQUEST_SIZE = 271828
LARGE_RESPONSE_SIZE = 314159
REQUEST_STREAM_SIZES = [27182, 8, 1828, 45904]  # sum 74922
RESPONSE_STREAM_SIZES = [31415, 9, 2653, 58979]
ECHO_INITIAL = ("x-grpc-test-echo-initial", "test_initial_metadata_value")
ECHO_TRAILING_BIN = ("x-grpc-test-echo-trailing-bin", b"\xab\xab\xab")  # spec: 0xababab
STATUS_MESSAGE = "test status message"
SPECIAL_STATUS_MESSAGE = "\t\ntest with whitespace\r\nand Unicode BMP \u263a and non-BMP \U0001f608\t\n"
# Every RPC (except timeout_on_sleeping_server) gets this deadline so a broken peer fails
# the case instead of hanging the run.
RPC_TIMEOUT = 20.0
COMPRESSED_STREAM_SIZES = [27182, 45904]  # client_compressed_streaming: sum 73086
SERVER_COMPRESSED_RESPONSES = [(True, 31415), (False, 92653)]  # server_compressed_streaming
# The soak flags and their defaults (grpc-go's: small enough for CI).
SOAK_FLAGS = {"soak_iterations": (10, 1), "soak_max_failures": (0, 0),
              "soak_per_iteration_max_acceptable_latency_ms": (1000, 1),
              "soak_overall_timeout_seconds": (10, 1), "soak_min_time_ms_between_rpcs": (0, 0)}


# ---- Assertion helpers: a failed check raises CaseFailure with a one-line reason ---------

class CaseFailure(Exception):
    pass


def check(ok, what):
    if not ok:
        raise CaseFailure(what)


def describe(error):
    return f"status {error.code().value[0]} {error.details()!r}"


def check_zeros(body, size, what):
    """The payload body must be exactly `size` zero bytes."""
    check(len(body) == size, f"{what}: payload size {len(body)}, expected {size}")
    check(body == b"\0" * size, f"{what}: payload is not all zeros")


def check_metadata(metadata, key, want, what):
    """`metadata` must hold `key` exactly once, with value `want`."""
    got = [v for k, v in (metadata or ()) if k == key]
    check(len(got) == 1, f"{what}: expected one {key!r} entry, got {len(got)}")
    check(got[0] == want, f"{what}: {key!r} is {got[0]!r}, expected {want!r}")


def check_status(call_or_error, code, message, what):
    """The call ended with `code` (and exactly `message`, unless None)."""
    got = call_or_error.code()
    check(got is code, f"{what}: expected {code.name}, got {got.name} {call_or_error.details()!r}")
    if message is not None:
        details = call_or_error.details()
        check(details == message, f"{what}: message {details!r}, expected {message!r}")


def streaming_request(response_size, payload_size):
    return messages_pb2.StreamingOutputCallRequest(
        response_parameters=[messages_pb2.ResponseParameters(size=response_size)],
        payload=messages_pb2.Payload(body=b"\0" * payload_size))


def large_unary_request(**fields):
    return messages_pb2.SimpleRequest(response_size=LARGE_RESPONSE_SIZE,
                                      payload=messages_pb2.Payload(body=b"\0" * LARGE_REQUEST_SIZE), **fields)


def bool_value(value):
    return messages_pb2.BoolValue(value=value)


def check_probe_refused(rpc, what):
    """The client_compressed_* probe: a server that checks expect_compressed refuses it."""
    try:
        rpc()
    except grpc.RpcError as e:
        check(e.code() is grpc.StatusCode.INVALID_ARGUMENT,
              f"{what}: expected INVALID_ARGUMENT (the server must check expect_compressed), got {describe(e)}")
    else:
        raise CaseFailure(f"{what}: expected INVALID_ARGUMENT (the server must check expect_compressed), got OK")


def latency_summary(ms):
    """"latency ms min 1.2, median 2.0, p90 3.1, max 9.9" (nearest-rank)."""
    if not ms:
        return "no latencies"
    ms = sorted(ms)

    def rank(p):
        return ms[min(max(math.ceil(p / 100 * len(ms)), 1), len(ms)) - 1]
    return f"latency ms min {ms[0]:.1f}, median {rank(50):.1f}, p90 {rank(90):.1f}, max {ms[-1]:.1f}"


def next_response(responses, what):
    """The next message of a response stream; fails if the stream ended instead."""
    try:
        return next(responses)
    except StopIteration:
        raise CaseFailure(f"{what}: stream ended early with OK") from None
    except grpc.RpcError as e:
        raise CaseFailure(f"{what}: stream ended early with {describe(e)}") from None


class Pipe:
    """A request iterator fed by the test: add() queues a request, close() half-closes."""
    _CLOSE = object()

    def __init__(self):
        self._queue = queue.Queue()
        self.call = None  # the call this pipe feeds, cancelled on __exit__

    def add(self, request):
        self._queue.put(request)

    def close(self):
        self._queue.put(self._CLOSE)

    def __iter__(self):
        return self

    def __next__(self):
        item = self._queue.get()
        if item is self._CLOSE:
            raise StopIteration
        return item

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()  # never leave grpcio's request-consumer thread blocked
        if self.call is not None:
            self.call.cancel()  # no-op if finished; stops a call a failed check left open


# ---- The test cases ---------------------------------------------------------------------

class Cases:
    """Each case returns None or the details for its PASS line, or raises CaseFailure."""

    def __init__(self, new_channel, soak):
        self.new_channel = new_channel  # a new channel (own connection) to the server
        self.channel = new_channel()
        self.stub = test_pb2_grpc.TestServiceStub(self.channel)
        self.unimplemented_stub = test_pb2_grpc.UnimplementedServiceStub(self.channel)
        self.soak = soak  # the --soak_* flags, by name without the prefix

    def close(self):
        self.channel.close()

    def empty_unary(self):
        response = self.stub.EmptyCall(empty_pb2.Empty(), timeout=RPC_TIMEOUT)
        check(isinstance(response, empty_pb2.Empty), "response is not an Empty")

    def large_unary(self):
        response = self.stub.UnaryCall(large_unary_request(), timeout=RPC_TIMEOUT)
        check_zeros(response.payload.body, LARGE_RESPONSE_SIZE, "response")

    def client_compressed_unary(self):
        """The probe (uncompressed, expect_compressed=true: refused), then gzip with
        expect_compressed=true and uncompressed with expect_compressed=false: both OK."""
        probe = large_unary_request(expect_compressed=bool_value(True))
        check_probe_refused(lambda: self.stub.UnaryCall(probe, timeout=RPC_TIMEOUT,
                                                        compression=grpc.Compression.NoCompression),
                            "probe UnaryCall")
        for compressed in (True, False):
            what = f"UnaryCall ({'compressed' if compressed else 'uncompressed'})"
            request = large_unary_request(expect_compressed=bool_value(compressed))
            compression = grpc.Compression.Gzip if compressed else grpc.Compression.NoCompression
            try:
                response = self.stub.UnaryCall(request, timeout=RPC_TIMEOUT, compression=compression)
            except grpc.RpcError as e:
                raise CaseFailure(f"{what}: expected OK, got {describe(e)}") from None
            check_zeros(response.payload.body, LARGE_RESPONSE_SIZE, f"{what} response")

    def server_compressed_unary(self):
        """UnaryCall asking for a compressed, then an uncompressed response. The responses'
        compressed flags are not checked: grpcio does not show them."""
        for compressed in (True, False):
            what = f"UnaryCall (response_compressed={'true' if compressed else 'false'})"
            request = large_unary_request(response_compressed=bool_value(compressed))
            try:
                response = self.stub.UnaryCall(request, timeout=RPC_TIMEOUT)
            except grpc.RpcError as e:
                raise CaseFailure(f"{what}: expected OK, got {describe(e)}") from None
            check_zeros(response.payload.body, LARGE_RESPONSE_SIZE, f"{what} response")

    def client_streaming(self):
        requests = [messages_pb2.StreamingInputCallRequest(payload=messages_pb2.Payload(body=b"\0" * size))
                    for size in REQUEST_STREAM_SIZES]
        response = self.stub.StreamingInputCall(iter(requests), timeout=RPC_TIMEOUT)
        check(response.aggregated_payload_size == 74922,
              f"aggregated_payload_size {response.aggregated_payload_size}, expected 74922")

    def client_compressed_streaming(self):
        """The probe call (one uncompressed message claiming expect_compressed=true: refused),
        then a gzip call with two messages: 73086. The second goes compressed too, with
        expect_compressed unset (grpcio has no per-message "don't compress" for requests)."""
        first_size, second_size = COMPRESSED_STREAM_SIZES
        probe = messages_pb2.StreamingInputCallRequest(expect_compressed=bool_value(True),
                                                       payload=messages_pb2.Payload(body=b"\0" * first_size))
        check_probe_refused(lambda: self.stub.StreamingInputCall(iter([probe]), timeout=RPC_TIMEOUT,
                                                                 compression=grpc.Compression.NoCompression),
                            "probe StreamingInputCall")
        requests = [
            messages_pb2.StreamingInputCallRequest(expect_compressed=bool_value(True),
                                                   payload=messages_pb2.Payload(body=b"\0" * first_size)),
            # Should be expect_compressed=false, written uncompressed: not possible with grpcio.
            messages_pb2.StreamingInputCallRequest(payload=messages_pb2.Payload(body=b"\0" * second_size)),
        ]
        try:
            response = self.stub.StreamingInputCall(iter(requests), timeout=RPC_TIMEOUT,
                                                    compression=grpc.Compression.Gzip)
        except grpc.RpcError as e:
            raise CaseFailure(f"StreamingInputCall: expected OK, got {describe(e)}") from None
        total = sum(COMPRESSED_STREAM_SIZES)
        check(response.aggregated_payload_size == total,
              f"aggregated_payload_size {response.aggregated_payload_size}, expected {total}")

    def server_compressed_streaming(self):
        """StreamingOutputCall asking for a compressed 31415-byte response, then an
        uncompressed 92653-byte one (flags not checked: grpcio does not show them)."""
        request = messages_pb2.StreamingOutputCallRequest(response_parameters=[
            messages_pb2.ResponseParameters(compressed=bool_value(compressed), size=size)
            for compressed, size in SERVER_COMPRESSED_RESPONSES])
        call = self.stub.StreamingOutputCall(request, timeout=RPC_TIMEOUT)
        responses = list(call)
        check_status(call, grpc.StatusCode.OK, None, "StreamingOutputCall")
        check(len(responses) == 2, f"got {len(responses)} responses, expected 2")
        for i, (response, (compressed, size)) in enumerate(zip(responses, SERVER_COMPRESSED_RESPONSES)):
            check_zeros(response.payload.body, size,
                        f"response #{i} ({'compressed' if compressed else 'uncompressed'})")

    def rpc_soak(self):
        return self._soak(reset_channel=False)

    def channel_soak(self):
        return self._soak(reset_channel=True)

    def _soak_iteration(self, reset_channel, overall_deadline):
        """One large_unary on the shared channel or a new one: (ok, elapsed ms, error)."""
        start = time.monotonic()
        channel = self.new_channel() if reset_channel else self.channel
        try:
            stub = test_pb2_grpc.TestServiceStub(channel)
            # No deadline of its own beyond the overall timeout, like the official client.
            response = stub.UnaryCall(large_unary_request(), timeout=max(overall_deadline - start, 0.001))
            check_zeros(response.payload.body, LARGE_RESPONSE_SIZE, "response")
            error = None
        except grpc.RpcError as e:
            error = f"UnaryCall: expected OK, got {describe(e)}"
        except CaseFailure as e:
            error = str(e)
        finally:
            elapsed_ms = (time.monotonic() - start) * 1000
            if reset_channel:
                channel.close()
        max_ms = self.soak["per_iteration_max_acceptable_latency_ms"]
        if error is None and elapsed_ms > max_ms:
            error = f"{elapsed_ms:.1f} ms exceeds the max acceptable latency of {max_ms} ms"
        return error is None, elapsed_ms, error

    def _soak(self, reset_channel):
        """rpc_soak / channel_soak, with the semantics of the official C++ client's
        PerformSoakTest: an iteration fails on a non-OK call (or a wrong payload) or when
        slower than soak_per_iteration_max_acceptable_latency_ms; iterations start at least
        soak_min_time_ms_between_rpcs apart and none after soak_overall_timeout_seconds; the
        case passes if all soak_iterations ran and at most soak_max_failures failed."""
        cfg = self.soak
        overall_deadline = time.monotonic() + cfg["overall_timeout_seconds"]
        latencies, failures, first_failure = [], 0, None
        for i in range(cfg["iterations"]):
            if time.monotonic() >= overall_deadline:
                break
            earliest_next = time.monotonic() + cfg["min_time_ms_between_rpcs"] / 1000
            ok, elapsed_ms, error = self._soak_iteration(reset_channel, overall_deadline)
            latencies.append(elapsed_ms)
            if not ok:
                failures += 1
                first_failure = first_failure or f"iteration {i}: {error}"
            time.sleep(max(earliest_next - time.monotonic(), 0))
        counts = (f"{len(latencies)} of {cfg['iterations']} iterations ran, {failures} failed "
                  f"(max_failures {cfg['max_failures']}); {latency_summary(latencies)}")
        first = f"; first failure: {first_failure}" if first_failure else ""
        check(len(latencies) == cfg["iterations"],
              f"overall timeout of {cfg['overall_timeout_seconds']} s: {counts}{first}")
        check(failures <= cfg["max_failures"], counts + first)
        return counts + first

    def server_streaming(self):
        request = messages_pb2.StreamingOutputCallRequest(
            response_parameters=[messages_pb2.ResponseParameters(size=size) for size in RESPONSE_STREAM_SIZES])
        call = self.stub.StreamingOutputCall(request, timeout=RPC_TIMEOUT)
        responses = list(call)
        check_status(call, grpc.StatusCode.OK, None, "StreamingOutputCall")
        check(len(responses) == 4, f"got {len(responses)} responses, expected 4")
        for i, (response, size) in enumerate(zip(responses, RESPONSE_STREAM_SIZES)):
            check_zeros(response.payload.body, size, f"response #{i}")

    def ping_pong(self):
        with Pipe() as pipe:
            responses = pipe.call = self.stub.FullDuplexCall(pipe, timeout=RPC_TIMEOUT)
            for i, (request_size, response_size) in enumerate(zip(REQUEST_STREAM_SIZES, RESPONSE_STREAM_SIZES)):
                pipe.add(streaming_request(response_size, request_size))
                response = next_response(responses, f"response #{i}")
                check_zeros(response.payload.body, response_size, f"response #{i}")
            pipe.close()
            extra = list(responses)
            check(not extra, f"{len(extra)} unexpected extra responses")
            check_status(responses, grpc.StatusCode.OK, None, "FullDuplexCall")

    def empty_stream(self):
        call = self.stub.FullDuplexCall(iter([]), timeout=RPC_TIMEOUT)
        responses = list(call)
        check(not responses, f"{len(responses)} unexpected responses")
        check_status(call, grpc.StatusCode.OK, None, "FullDuplexCall")

    def timeout_on_sleeping_server(self):
        with Pipe() as pipe:  # never half-closed during the call: the server keeps waiting
            responses = pipe.call = self.stub.FullDuplexCall(pipe, timeout=0.001)
            pipe.add(messages_pb2.StreamingOutputCallRequest(payload=messages_pb2.Payload(body=b"\0" * 27182)))
            try:
                next(responses)
                raise CaseFailure("unexpected response")
            except StopIteration:
                raise CaseFailure("call ended with OK") from None
            except grpc.RpcError as e:
                check_status(e, grpc.StatusCode.DEADLINE_EXCEEDED, None, "FullDuplexCall")

    def cancel_after_begin(self):
        with Pipe() as pipe:
            future = pipe.call = self.stub.StreamingInputCall.future(pipe, timeout=RPC_TIMEOUT)
            future.cancel()
            check(future.cancelled(), "call not cancelled")
            check_status(future, grpc.StatusCode.CANCELLED, None, "StreamingInputCall")

    def cancel_after_first_response(self):
        with Pipe() as pipe:
            responses = pipe.call = self.stub.FullDuplexCall(pipe, timeout=RPC_TIMEOUT)
            pipe.add(streaming_request(31415, 27182))
            response = next_response(responses, "first response")
            check_zeros(response.payload.body, 31415, "first response")
            responses.cancel()
            check_status(responses, grpc.StatusCode.CANCELLED, None, "FullDuplexCall")

    def custom_metadata(self):
        metadata = [ECHO_INITIAL, ECHO_TRAILING_BIN]
        request = messages_pb2.SimpleRequest(response_size=LARGE_RESPONSE_SIZE,
                                             payload=messages_pb2.Payload(body=b"\0" * LARGE_REQUEST_SIZE))
        response, call = self.stub.UnaryCall.with_call(request, metadata=metadata, timeout=RPC_TIMEOUT)
        check_zeros(response.payload.body, LARGE_RESPONSE_SIZE, "UnaryCall response")
        self._check_echoed_metadata(call, "UnaryCall")

        call = self.stub.FullDuplexCall(iter([streaming_request(LARGE_RESPONSE_SIZE, LARGE_REQUEST_SIZE)]),
                                        metadata=metadata, timeout=RPC_TIMEOUT)
        responses = list(call)
        check_status(call, grpc.StatusCode.OK, None, "FullDuplexCall")
        check(len(responses) == 1, f"FullDuplexCall: got {len(responses)} responses, expected 1")
        check_zeros(responses[0].payload.body, LARGE_RESPONSE_SIZE, "FullDuplexCall response")
        self._check_echoed_metadata(call, "FullDuplexCall")

    def status_code_and_message(self):
        echo = messages_pb2.EchoStatus(code=2, message=STATUS_MESSAGE)
        self._expect_error(lambda: self.stub.UnaryCall(messages_pb2.SimpleRequest(response_status=echo),
                                                       timeout=RPC_TIMEOUT),
                           grpc.StatusCode.UNKNOWN, STATUS_MESSAGE, "UnaryCall")
        request = messages_pb2.StreamingOutputCallRequest(response_status=echo)
        self._expect_error(lambda: list(self.stub.FullDuplexCall(iter([request]), timeout=RPC_TIMEOUT)),
                           grpc.StatusCode.UNKNOWN, STATUS_MESSAGE, "FullDuplexCall")

    def special_status_message(self):
        echo = messages_pb2.EchoStatus(code=2, message=SPECIAL_STATUS_MESSAGE)
        self._expect_error(lambda: self.stub.UnaryCall(messages_pb2.SimpleRequest(response_status=echo),
                                                       timeout=RPC_TIMEOUT),
                           grpc.StatusCode.UNKNOWN, SPECIAL_STATUS_MESSAGE, "UnaryCall")

    def unimplemented_method(self):
        self._expect_error(lambda: self.stub.UnimplementedCall(empty_pb2.Empty(), timeout=RPC_TIMEOUT),
                           grpc.StatusCode.UNIMPLEMENTED, None, "TestService/UnimplementedCall")

    def unimplemented_service(self):
        self._expect_error(
            lambda: self.unimplemented_stub.UnimplementedCall(empty_pb2.Empty(), timeout=RPC_TIMEOUT),
            grpc.StatusCode.UNIMPLEMENTED, None, "UnimplementedService/UnimplementedCall")

    @staticmethod
    def _check_echoed_metadata(call, what):
        check_metadata(call.initial_metadata(), *ECHO_INITIAL, f"{what} initial metadata")
        check_metadata(call.trailing_metadata(), *ECHO_TRAILING_BIN, f"{what} trailing metadata")

    @staticmethod
    def _expect_error(rpc, code, message, what):
        try:
            rpc()
        except grpc.RpcError as e:
            check_status(e, code, message, what)
        else:
            raise CaseFailure(f"{what}: expected {code.name}, got OK")


# The cases `--test_case=all` runs, in the spec's order (soak cases last).
ALL_CASES = [
    "empty_unary", "large_unary", "client_compressed_unary", "server_compressed_unary", "client_streaming",
    "client_compressed_streaming", "server_streaming", "server_compressed_streaming", "ping_pong",
    "empty_stream", "timeout_on_sleeping_server", "cancel_after_begin", "cancel_after_first_response",
    "custom_metadata", "status_code_and_message", "special_status_message", "unimplemented_method",
    "unimplemented_service", "rpc_soak", "channel_soak",
]


def usage(error):
    print(f"python_interop_client: {error}\nusage: python_interop_client.py --server_port=N "
          "[--server_host=localhost] [--test_case=all|name[,name...]] [--use_tls=false] "
          "[--server_host_override=NAME] [--ca_file=PEM] [--soak_iterations=10] [--soak_max_failures=0] "
          "[--soak_per_iteration_max_acceptable_latency_ms=1000] [--soak_overall_timeout_seconds=10] "
          "[--soak_min_time_ms_between_rpcs=0]", file=sys.stderr)
    return 2


def channel_factory(flags, use_tls, port):
    """A function making new channels to the server. Each has its own subchannel pool, so
    that channel_soak's new channels cannot reuse another channel's connection."""
    target = f"{flags['server_host']}:{port}"
    override = flags["server_host_override"]
    options = [("grpc.use_local_subchannel_pool", 1)]
    if not use_tls:
        if override:
            options.append(("grpc.default_authority", override))
        return lambda: grpc.insecure_channel(target, options=options)
    roots = None  # None = system roots
    if flags["ca_file"]:
        with open(flags["ca_file"], "rb") as f:
            roots = f.read()
    if override:
        options.append(("grpc.ssl_target_name_override", override))
    credentials = grpc.ssl_channel_credentials(root_certificates=roots)
    return lambda: grpc.secure_channel(target, credentials, options=options)


def main(argv):
    try:
        flags = parse_flags(argv, {"server_host": "localhost", "server_port": "", "test_case": "all",
                                   "use_tls": "false", "server_host_override": "", "ca_file": "",
                                   **{name: str(default) for name, (default, _) in SOAK_FLAGS.items()}})
        port = parse_int(flags, "server_port", 1, 65535)
        use_tls = parse_bool(flags, "use_tls")
        soak = {name[len("soak_"):]: parse_int(flags, name, low, 1 << 30) for name, (_, low) in SOAK_FLAGS.items()}
    except FlagError as e:
        return usage(e)
    selected = ALL_CASES if flags["test_case"] == "all" else flags["test_case"].split(",")
    for name in selected:
        if name not in ALL_CASES:
            return usage(f"unknown test case: {name}")
    try:
        new_channel = channel_factory(flags, use_tls, port)
    except OSError as e:
        return usage(f"cannot read --ca_file: {e}")

    passed = failed = 0
    cases = Cases(new_channel, soak)
    try:
        for name in selected:
            try:
                note = getattr(cases, name)()
                print(f"PASS {name}: {note}" if note else f"PASS {name}", flush=True)
                passed += 1
            except CaseFailure as e:
                print(f"FAIL {name}: {e}", flush=True)
                failed += 1
            except grpc.RpcError as e:
                print(f"FAIL {name}: RPC failed with {describe(e)}", flush=True)
                failed += 1
            except Exception as e:  # a bug or a protocol surprise: still report it as one line
                print(f"FAIL {name}: {type(e).__name__}: {e!r}", flush=True)
                failed += 1
    finally:
        cases.close()
    print(f"{passed} passed, {failed} failed", flush=True)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

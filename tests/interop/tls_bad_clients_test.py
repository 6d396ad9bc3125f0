#!/usr/bin/python3
"""Bad clients on a TLS port: each is refused, and the server keeps serving.

    tls_bad_clients_test.py --server=CMD [--client=CMD] [--rounds=3]

Starts `SERVER --port=0` with TLS (test certificates from interop_certs.py, made with
openssl in a temporary directory), then, --rounds times each:

  no_alpn_h2        a TLS client offering ALPN "http/1.1" only (Python ssl,
                    set_alpn_protocols(['http/1.1'])), as gRPC requires h2: the handshake
                    must fail, or the server must close the connection without answering;
  plaintext_h2      a plaintext client on the TLS port: the HTTP/2 preface and a SETTINGS
                    frame in the clear on a raw socket; the server must close the
                    connection without answering in HTTP/2;
  plaintext_grpc    the same with grpcio (insecure channel): the call fails UNAVAILABLE;
  plaintext_client  (with --client, e.g. pronto-interop-client) the interop client without
                    --use_tls: its empty_unary fails with status 14 (UNAVAILABLE);
  wrong_name        a grpcio TLS client verifying a name the certificate does not have: the
                    call fails UNAVAILABLE (the client refuses; the server sees an aborted
                    handshake).

After every check the server process must still be running and a normal TLS call (grpcio,
the test CA, --server_host_override foo.test.google.fr) must succeed. Prints `PASS name` or
`FAIL name: reason` per check, then `N passed, M failed`; exit status 0 only if all passed.
The server is always stopped (SIGTERM, then SIGKILL) and the certificates removed.
"""

import argparse
import os
import queue
import re
import shlex
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ for the helpers below in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import grpc  # noqa: E402

from interop_certs import HOST_OVERRIDE, TestCerts  # noqa: E402
from interop_protos import empty_pb2, test_pb2_grpc  # noqa: E402

TIMEOUT = 5.0  # seconds for any one connection or call
H2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
H2_EMPTY_SETTINGS = b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"  # length 0, type SETTINGS, flags 0, stream 0


class CheckFailure(Exception):
    pass


def read_until_closed(sock):
    """Everything the peer sends until it closes (b"" on a reset); CheckFailure if it keeps
    the connection open for TIMEOUT seconds."""
    sock.settimeout(TIMEOUT)
    data = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return data
            data += chunk
    except (ConnectionResetError, BrokenPipeError):
        return data
    except ssl.SSLError:  # e.g. the server's alert after the handshake
        return data
    except socket.timeout:
        raise CheckFailure(f"connection still open after {TIMEOUT:g}s (received {data[:40]!r})") from None


def looks_like_h2_frames(data):
    """True if `data` starts like an HTTP/2 frame (a 9-byte header with a known type)."""
    return len(data) >= 9 and data[3] <= 0x09


class Checks:
    def __init__(self, server, port, certs, client_cmd):
        self.server, self.port, self.certs, self.client_cmd = server, port, certs, client_cmd
        with open(certs.ca, "rb") as f:
            self.credentials = grpc.ssl_channel_credentials(root_certificates=f.read())

    def good_call(self):
        """The server is alive and a normal TLS call works."""
        if self.server.poll() is not None:
            raise CheckFailure(f"server exited (code {self.server.returncode})")
        options = [("grpc.ssl_target_name_override", HOST_OVERRIDE), ("grpc.use_local_subchannel_pool", 1)]
        with grpc.secure_channel(f"localhost:{self.port}", self.credentials, options=options) as channel:
            try:
                test_pb2_grpc.TestServiceStub(channel).EmptyCall(empty_pb2.Empty(), timeout=TIMEOUT)
            except grpc.RpcError as e:
                raise CheckFailure(f"then a normal TLS call failed: {e.code().name} {e.details()!r}") from None

    def no_alpn_h2(self):
        context = ssl.create_default_context(cafile=self.certs.ca)
        context.set_alpn_protocols(["http/1.1"])
        with socket.create_connection(("127.0.0.1", self.port), timeout=TIMEOUT) as raw:
            try:
                tls = context.wrap_socket(raw, server_hostname=HOST_OVERRIDE)
            except (ssl.SSLError, ConnectionResetError) as e:
                return f"handshake refused ({e})"
            with tls:
                selected = tls.selected_alpn_protocol()
                if selected == "h2":
                    raise CheckFailure("the server selected h2, which the client did not offer")
                try:
                    tls.sendall(b"GET / HTTP/1.1\r\nHost: " + HOST_OVERRIDE.encode() + b"\r\n\r\n")
                except (ssl.SSLError, OSError):
                    pass  # already closed
                data = read_until_closed(tls)
                if data.startswith(b"HTTP/"):
                    raise CheckFailure(f"the server answered in HTTP/1: {data[:60]!r}")
                return f"handshake done (ALPN {selected!r}), then closed after {len(data)} bytes"

    def plaintext_h2(self):
        with socket.create_connection(("127.0.0.1", self.port), timeout=TIMEOUT) as sock:
            try:
                sock.sendall(H2_PREFACE + H2_EMPTY_SETTINGS)
            except OSError:
                pass  # already closed
            data = read_until_closed(sock)
            if looks_like_h2_frames(data):
                raise CheckFailure(f"the server answered in HTTP/2: {data[:40]!r}")
            return f"closed after {len(data)} bytes {data[:7]!r}"

    def plaintext_grpc(self):
        options = [("grpc.use_local_subchannel_pool", 1)]
        with grpc.insecure_channel(f"localhost:{self.port}", options=options) as channel:
            try:
                test_pb2_grpc.TestServiceStub(channel).EmptyCall(empty_pb2.Empty(), timeout=TIMEOUT)
            except grpc.RpcError as e:
                if e.code() is not grpc.StatusCode.UNAVAILABLE:
                    raise CheckFailure(f"expected UNAVAILABLE, got {e.code().name} {e.details()!r}") from None
                return f"UNAVAILABLE {e.details()!r}"
            raise CheckFailure("a plaintext call on the TLS port succeeded")

    def plaintext_client(self):
        argv = shlex.split(self.client_cmd) + ["--server_host=localhost", f"--server_port={self.port}",
                                               "--test_case=empty_unary"]
        try:
            result = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                    timeout=4 * TIMEOUT)
        except subprocess.TimeoutExpired:
            raise CheckFailure(f"the client did not finish within {4 * TIMEOUT:g}s") from None
        fail = [line for line in result.stdout.splitlines() if line.startswith("FAIL empty_unary")]
        if result.returncode != 1 or not fail:
            raise CheckFailure(f"expected exit 1 and a FAIL line, got exit {result.returncode}: "
                               f"{result.stdout.strip()!r} {result.stderr.strip()[-200:]!r}")
        if not re.search(r"\b14\b|UNAVAILABLE", fail[0]):
            raise CheckFailure(f"expected UNAVAILABLE: {fail[0]}")
        return fail[0]

    def wrong_name(self):
        options = [("grpc.ssl_target_name_override", "not-in-the-cert.example"),
                   ("grpc.use_local_subchannel_pool", 1)]
        with grpc.secure_channel(f"localhost:{self.port}", self.credentials, options=options) as channel:
            try:
                test_pb2_grpc.TestServiceStub(channel).EmptyCall(empty_pb2.Empty(), timeout=TIMEOUT)
            except grpc.RpcError as e:
                if e.code() is not grpc.StatusCode.UNAVAILABLE:
                    raise CheckFailure(f"expected UNAVAILABLE, got {e.code().name} {e.details()!r}") from None
                return "UNAVAILABLE"
            raise CheckFailure("a call verifying the wrong name succeeded")


def start_server(argv):
    """Starts the server in its own process group; (process, port or None after 10 s)."""
    server = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True,
                              start_new_session=True)
    lines = queue.Queue()

    def pump():  # keeps draining stdout, so the server never blocks on a full pipe
        for line in server.stdout:
            lines.put(line)
        lines.put(None)
    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + 10
    while (remaining := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=remaining)
        except queue.Empty:
            break
        if line is None:
            break
        match = re.match(r"^listening on port (\d+)$", line.strip())
        if match:
            return server, int(match.group(1))
    return server, None


def stop_server(server):
    for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(server.pid, sig)
        except ProcessLookupError:
            return
        try:
            server.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", required=True, help="server command (gets --port=0 and the TLS flags)")
    parser.add_argument("--client", help="an interop client command, run without TLS (plaintext_client)")
    parser.add_argument("--rounds", type=int, default=3, help="times to run each check")
    args = parser.parse_args()
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda signum, _: sys.exit(128 + signum))

    passed = failed = 0
    server = None
    with TestCerts() as certs:
        try:
            server, port = start_server(shlex.split(args.server) + certs.server_flags() + ["--port=0"])
            if port is None:
                print(f"FAIL start: the server did not print its port (exit {server.poll()})", flush=True)
                return 1
            checks = Checks(server, port, certs, args.client)
            names = ["no_alpn_h2", "plaintext_h2", "plaintext_grpc"] + (["plaintext_client"] if args.client else [])
            names.append("wrong_name")
            try:
                checks.good_call()
            except CheckFailure as e:
                print(f"FAIL baseline TLS call: {e}", flush=True)
                return 1
            for name in names:
                outcomes = []
                try:
                    for _ in range(args.rounds):
                        outcomes.append(getattr(checks, name)())
                        checks.good_call()
                except CheckFailure as e:
                    print(f"FAIL {name}: {e}", flush=True)
                    failed += 1
                    continue
                except OSError as e:
                    print(f"FAIL {name}: {type(e).__name__}: {e}", flush=True)
                    failed += 1
                    continue
                print(f"PASS {name}: {outcomes[-1]}; the server kept serving", flush=True)
                passed += 1
        finally:
            if server is not None:
                stop_server(server)
    print(f"{passed} passed, {failed} failed", flush=True)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Hostile-peer tests against a pronto server process (pronto-echo-server).

Each case talks raw HTTP/2 (python3-h2) or raw TCP to the server and checks
the exact answer; after all of them the same server process must still
answer a normal call. Usage: hostile_peers.py /path/to/pronto-echo-server
"""
import gzip
import os
import socket
import struct
import subprocess
import sys
import time

import h2.config
import h2.connection
import h2.events

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hostile_resources import varint  # noqa: E402

FAILURES = []


def check(cond, what):
    if not cond:
        FAILURES.append(what)
        print("FAIL", what)
    return cond


def echo_request(message: bytes, delay_ms: int = 0) -> bytes:
    """pronto.test.EchoRequest{message=1, delay_ms=3}, hand-encoded."""
    body = b"\x0a" + bytes([len(message)]) + message
    if delay_ms:
        body += b"\x18" + varint(delay_ms)
    return body


def frame(payload: bytes, compressed: int = 0) -> bytes:
    return bytes([compressed]) + struct.pack(">I", len(payload)) + payload


class Client:
    """A raw HTTP/2 client connection."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
        self.conn.initiate_connection()
        self.flush()

    def flush(self):
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def request(self, path="/pronto.test.Echo/Unary", extra=(), ctype="application/grpc", method="POST"):
        sid = self.conn.get_next_available_stream_id()
        headers = [(":method", method), (":scheme", "http"), (":path", path), (":authority", "x"),
                   ("content-type", ctype), ("te", "trailers")] + list(extra)
        self.conn.send_headers(sid, headers)
        self.flush()
        return sid

    def send(self, sid, data, end=True):
        """Sends data in frames of at most 16 KiB (flow control permitting)."""
        step = 16384
        chunks = [data[i:i + step] for i in range(0, len(data), step)] or [b""]
        for i, chunk in enumerate(chunks):
            self.conn.send_data(sid, chunk, end_stream=end and i == len(chunks) - 1)
        self.flush()

    def collect(self, sid, timeout=5.0):
        """Reads until the stream ends: (headers, data, trailers, reset_code)."""
        headers, trailers, data, reset = {}, {}, b"", None
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            for ev in self.conn.receive_data(chunk):
                if isinstance(ev, h2.events.ResponseReceived) and ev.stream_id == sid:
                    headers = {k.decode(): v.decode() for k, v in ev.headers}
                elif isinstance(ev, h2.events.TrailersReceived) and ev.stream_id == sid:
                    trailers = {k.decode(): v.decode() for k, v in ev.headers}
                elif isinstance(ev, h2.events.DataReceived) and ev.stream_id == sid:
                    data += ev.data
                    self.conn.acknowledge_received_data(ev.flow_controlled_length, sid)
                elif isinstance(ev, h2.events.StreamReset) and ev.stream_id == sid:
                    reset = ev.error_code
                    self.flush()
                    return headers, data, trailers, reset
                elif isinstance(ev, h2.events.StreamEnded) and ev.stream_id == sid:
                    self.flush()
                    # A RST_STREAM may follow the end; pick it up if already here.
                    return headers, data, trailers, reset
            self.flush()
        return headers, data, trailers, reset

    def close(self):
        self.sock.close()


def status_of(headers, trailers):
    merged = dict(headers)
    merged.update(trailers)
    return merged.get("grpc-status"), merged.get("grpc-message", "")


def normal_call(port, tag):
    c = Client(port)
    sid = c.request()
    c.send(sid, frame(echo_request(b"still alive")))
    headers, data, trailers, _ = c.collect(sid)
    c.close()
    ok = check(status_of(headers, trailers)[0] == "0" and b"still alive" in data, f"normal call after {tag}")
    return ok


def case_garbage_bytes(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"\x00\xffthis is not http/2 at all\r\n\r\n" * 100)
    # The server ends the connection (GOAWAY then close).
    s.settimeout(5)
    got = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
    except (ConnectionResetError, socket.timeout):
        pass
    s.close()
    check(True, "garbage")  # survival is checked by the normal call
    normal_call(port, "garbage bytes")


def case_http1_request(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    try:
        s.recv(65536)
    except (ConnectionResetError, socket.timeout):
        pass
    s.close()
    normal_call(port, "an HTTP/1.1 request")


def case_vanish_mid_stream(port):
    for i in range(20):
        c = Client(port)
        sid = c.request("/pronto.test.Echo/ClientStream")
        c.send(sid, frame(echo_request(b"part")), end=False)
        c.send(sid, frame(echo_request(b"half"))[:7], end=False)  # half a message
        c.sock.shutdown(socket.SHUT_RDWR)
        c.close()
    normal_call(port, "clients vanishing mid-stream")


def case_thousand_deadlines(port):
    c = Client(port)
    sids = []
    # 1,000 calls that each hit a 1 ms deadline (the handler sleeps 10 s),
    # kept under the 100 concurrent streams the server allows.
    done = 0
    statuses = {}
    pending = set()
    while done < 1000:
        while len(pending) < 90 and len(sids) < 1000:
            sid = c.request(extra=[("grpc-timeout", "1m")])
            c.send(sid, frame(echo_request(b"late", delay_ms=10000)))
            sids.append(sid)
            pending.add(sid)
        chunk = c.sock.recv(65536)
        if not chunk:
            break
        for ev in c.conn.receive_data(chunk):
            sid = getattr(ev, "stream_id", None)
            if isinstance(ev, (h2.events.ResponseReceived, h2.events.TrailersReceived)):
                for k, v in ev.headers:
                    if k == b"grpc-status":
                        statuses[sid] = v.decode()
            elif isinstance(ev, h2.events.DataReceived):
                c.conn.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
            if isinstance(ev, (h2.events.StreamEnded, h2.events.StreamReset)) and sid in pending:
                pending.discard(sid)
                done += 1
        c.flush()
    c.close()
    deadline_count = sum(1 for s in statuses.values() if s == "4")
    check(done == 1000, f"1000 deadline calls all ended (got {done})")
    check(deadline_count == 1000, f"1000 calls answered DEADLINE_EXCEEDED (got {deadline_count})")
    normal_call(port, "1,000 deadline calls")


def case_rapid_reset(port):
    """5,000 calls opened and reset at once on one connection (the HTTP/2
    rapid-reset pattern, and what a client cancelling many calls does). The
    server bounds the handlers of reset streams itself, keeps the connection,
    and answers on it afterwards."""
    c = Client(port)
    goaway = None
    for batch in range(50):
        if goaway is not None:
            break
        for _ in range(100):
            sid = c.request()
            c.conn.send_data(sid, frame(echo_request(b"reset me", delay_ms=10000)), end_stream=True)
            c.conn.reset_stream(sid, error_code=8)  # CANCEL
        c.flush()
        c.sock.settimeout(0.001)
        try:
            while True:
                chunk = c.sock.recv(65536)
                if not chunk:
                    break
                for ev in c.conn.receive_data(chunk):
                    if isinstance(ev, h2.events.ConnectionTerminated):
                        goaway = ev.error_code
                    elif isinstance(ev, h2.events.DataReceived):
                        c.conn.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
                c.flush()
        except (socket.timeout, BlockingIOError):
            pass
        c.sock.settimeout(10)
    check(goaway is None, f"rapid reset: no GOAWAY (got error code {goaway})")
    if goaway is None:
        # Streams arriving while the reset calls' handlers are still winding
        # down may be refused (REFUSED_STREAM: not processed, safe to retry).
        for attempt in range(20):
            sid = c.request()
            c.send(sid, frame(echo_request(b"same connection")))
            headers, data, trailers, reset = c.collect(sid)
            if reset != 7:
                break
            time.sleep(0.05)
        check(status_of(headers, trailers)[0] == "0" and b"same connection" in data,
              f"rapid reset: the same connection answers a call afterwards (reset {reset})")
    c.close()
    normal_call(port, "rapid reset")


def case_reset_after_status_is_no_error(port):
    """A status sent while the client still streams (deadline, bad message)
    is followed by RST_STREAM(NO_ERROR) only: grpc-core clients would take
    any other code over the status."""
    for tag, extra, body in (("deadline", [("grpc-timeout", "20m")], frame(echo_request(b"x", delay_ms=5000))),
                             ("unparseable request", [], frame(b"\xff\xff\xff\xff"))):
        c = Client(port)
        sid = c.request(extra=extra)
        c.send(sid, body, end=False)  # no half-close: the client is "still sending"
        headers, _, trailers, reset = c.collect(sid)
        if reset is None:  # the reset may arrive just after the end of the stream
            c.sock.settimeout(1)
            try:
                for ev in c.conn.receive_data(c.sock.recv(65536)):
                    if isinstance(ev, h2.events.StreamReset) and ev.stream_id == sid:
                        reset = ev.error_code
            except socket.timeout:
                pass
        c.close()
        got, _ = status_of(headers, trailers)
        check(got in ("4", "13"), f"{tag}: a status before any reset (got {got})")
        check(reset in (None, 0), f"{tag}: reset after the status is NO_ERROR (got {reset})")


def case_bad_content_type(port):
    c = Client(port)
    sid = c.request(ctype="application/json")
    c.send(sid, b"{}")
    headers, _, trailers, _ = c.collect(sid)
    c.close()
    check(headers.get(":status") == "415", f"non-gRPC content-type answers HTTP 415 (got {headers})")


def case_get_method(port):
    c = Client(port)
    sid = c.request(method="GET")
    headers, _, _, _ = c.collect(sid)
    c.close()
    check(headers.get(":status") == "405", f"GET answers HTTP 405 (got {headers})")


def expect_status(port, tag, code, path="/pronto.test.Echo/Unary", extra=(), body=None, end=True):
    c = Client(port)
    sid = c.request(path, extra=extra)
    c.send(sid, body if body is not None else frame(echo_request(b"x")), end=end)
    headers, _, trailers, _ = c.collect(sid)
    c.close()
    got, msg = status_of(headers, trailers)
    check(got == str(code), f"{tag}: grpc-status {code} (got {got} '{msg}')")
    merged = dict(headers)
    merged.update(trailers)
    return merged


def main():
    server = subprocess.Popen([sys.argv[1], "--port=0"], stdout=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        port = int(line.strip().rsplit(" ", 1)[1])
        case_bad_content_type(port)
        case_get_method(port)
        case_reset_after_status_is_no_error(port)
        expect_status(port, "unknown method", 12, path="/pronto.test.Echo/Nope")
        expect_status(port, "unknown service", 12, path="/no.Such/Thing")
        expect_status(port, "malformed grpc-timeout", 13, extra=[("grpc-timeout", "12x")])
        expect_status(port, "9-digit grpc-timeout", 13, extra=[("grpc-timeout", "123456789S")])
        expect_status(port, "bad base64 in -bin metadata", 13, extra=[("x-data-bin", "!!!not base64")])
        h = expect_status(port, "unknown grpc-encoding", 12, extra=[("grpc-encoding", "snappy")],
                          body=frame(b"whatever", compressed=1))
        check("gzip" in h.get("grpc-accept-encoding", ""), f"UNIMPLEMENTED names grpc-accept-encoding (got {h})")
        bomb = gzip.compress(b"\0" * (64 << 20))
        check(len(bomb) < 128 * 1024, "the bomb is small on the wire")
        expect_status(port, "gzip bomb (64 MiB inflated)", 8, extra=[("grpc-encoding", "gzip")],
                      body=frame(bomb, compressed=1))
        corrupt = bytearray(gzip.compress(echo_request(b"x") * 50))
        corrupt[len(corrupt) // 2] ^= 0xFF
        expect_status(port, "corrupt gzip body", 13, extra=[("grpc-encoding", "gzip")],
                      body=frame(bytes(corrupt), compressed=1))
        expect_status(port, "compressed flag under grpc-encoding identity", 13,
                      extra=[("grpc-encoding", "identity")], body=frame(echo_request(b"x"), compressed=1))
        expect_status(port, "gzip request", 0, extra=[("grpc-encoding", "gzip")],
                      body=frame(gzip.compress(echo_request(b"zipped")), compressed=1))
        expect_status(port, "compressed flag without grpc-encoding", 13,
                      body=frame(echo_request(b"x"), compressed=1))
        expect_status(port, "bad compressed-flag byte", 13, body=frame(echo_request(b"x"), compressed=7))
        expect_status(port, "message cut short at end of stream", 13, body=frame(echo_request(b"xyz"))[:-2])
        expect_status(port, "declared length over 4 MiB", 8, body=b"\x00" + struct.pack(">I", 5 << 20) + b"abc",
                      end=False)
        # A request cardinality violation is INTERNAL, as grpc-go and
        # grpc-java answer it.
        expect_status(port, "unary with no request message", 13, body=b"")
        expect_status(port, "unary with two request messages", 13,
                      body=frame(echo_request(b"one")) + frame(echo_request(b"two")))
        expect_status(port, "server streaming with two request messages", 13,
                      path="/pronto.test.Echo/ServerStream",
                      body=frame(echo_request(b"one")) + frame(echo_request(b"two")))
        expect_status(port, "request that is not protobuf", 13, body=frame(b"\xff\xff\xff\xff"))
        case_garbage_bytes(port)
        case_http1_request(port)
        case_vanish_mid_stream(port)
        case_thousand_deadlines(port)
        case_rapid_reset(port)
        check(server.poll() is None, "server process still running")
        normal_call(port, "everything")
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
    if FAILURES:
        print(f"{len(FAILURES)} failed")
        sys.exit(1)
    print("all hostile-peer cases passed")


if __name__ == "__main__":
    main()

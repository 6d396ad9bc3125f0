#!/usr/bin/env python3
"""The admin HTTP/1.1 listener against raw-socket clients, honest and not.

Usage: admin_http.py /path/to/pronto-echo-server

Starts the echo server with --admin (small limits: header timeout 500 ms, 4
admin connections, 1024-byte heads) and checks the exact answer to each
case: GET /metrics and /healthz, 404, 405, 400, 431, 505, pipelining
answered in order, slowloris heads (408 at the timeout), idle connections
closed, the connection cap (503), truncated requests, junk bursts.
"""
import re
import socket
import subprocess
import sys
import time

FAILURES = []


def check(cond, what):
    if not cond:
        FAILURES.append(what)
        print("FAIL:", what, flush=True)
    else:
        print("ok:", what, flush=True)


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_all(s, timeout=5.0):
    """Everything until the server closes (or the timeout)."""
    s.settimeout(timeout)
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except socket.timeout:
        pass
    except ConnectionResetError:
        pass
    return data


def read_responses(s, count, timeout=5.0):
    """Reads `count` complete responses (Content-Length framed)."""
    s.settimeout(timeout)
    data = b""
    out = []
    while len(out) < count:
        m = re.match(rb"HTTP/1\.1 (\d{3}) [^\r]*\r\n((?:[^\r]+\r\n)*)\r\n", data)
        if m:
            headers = dict(
                (k.lower(), v) for k, v in (h.split(b": ", 1) for h in m.group(2).split(b"\r\n") if h))
            n = int(headers.get(b"content-length", b"0"))
            if len(data) >= m.end() + n:
                out.append((int(m.group(1)), headers, data[m.end():m.end() + n]))
                data = data[m.end() + n:]
                continue
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    return out


def status_of(raw):
    m = re.match(rb"HTTP/1\.1 (\d{3}) ", raw)
    return int(m.group(1)) if m else None


def one(port, request):
    s = connect(port)
    s.sendall(request)
    raw = read_all(s)
    s.close()
    return raw


def main():
    server = subprocess.Popen(
        [sys.argv[1], "--port=0", "--admin", "--admin-header-timeout-ms=500", "--admin-max-connections=4",
         "--admin-max-header-size=1024"], stdout=subprocess.PIPE, text=True)
    try:
        server.stdout.readline()  # listening on port N
        admin = int(server.stdout.readline().split()[-1])

        # Honest requests, keep-alive on one connection.
        s = connect(admin)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        r = read_responses(s, 1)
        check(r and r[0][0] == 200 and r[0][2] == b"ok\n", "GET /healthz is 200 ok")
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        r = read_responses(s, 1)
        check(r and r[0][0] == 200 and r[0][1].get(b"content-type", b"").startswith(b"text/plain; version=0.0.4"),
              "GET /metrics is 200 text/plain; version=0.0.4 on the same connection")
        check(r and b"# TYPE grpc_server_call_duration_seconds histogram" in r[0][2], "metrics use OTel names")
        s.sendall(b"GET /metrics?format=go HTTP/1.1\r\n\r\n")
        r = read_responses(s, 1)
        check(r and b"# TYPE grpc_server_handling_seconds histogram" in r[0][2], "?format=go gives go names")
        s.close()

        check(status_of(one(admin, b"GET /nope HTTP/1.1\r\nConnection: close\r\n\r\n")) == 404, "other path: 404")
        raw = one(admin, b"POST /metrics HTTP/1.1\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc")
        check(status_of(raw) == 405 and b"\r\nAllow: GET\r\n" in raw, "POST: 405 with Allow: GET")
        check(status_of(one(admin, b"DELETE /healthz HTTP/1.1\r\nConnection: close\r\n\r\n")) == 405,
              "DELETE: 405")
        for bad in [b"GARBAGE\r\n\r\n", b"GET / HTTP/1.1\r\nNo colon here\r\n\r\n", b"HTTP/1.1 200 OK\r\n\r\n",
                    b"POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"]:
            raw = one(admin, bad)
            check(status_of(raw) == 400 and b"Connection: close" in raw, "malformed %r: 400 and close" % bad[:20])
        raw = one(admin, b"GET / HTTP/1.1\r\nX: " + b"v" * 2000 + b"\r\n\r\n")
        check(status_of(raw) == 431, "oversize head: 431")
        raw = one(admin, b"GET /healthz HTTP/2.0\r\n\r\n")
        check(status_of(raw) == 505, "HTTP/2.0 request line: 505")
        raw = one(admin, b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
        check(status_of(raw) in (400, 505), "HTTP/2 preface: 400 or 505, never 200")

        # Pipelining: four requests in one write, answered in order.
        s = connect(admin)
        s.sendall(b"GET /healthz HTTP/1.1\r\n\r\nGET /nope HTTP/1.1\r\n\r\n"
                  b"GET /metrics HTTP/1.1\r\n\r\nPUT /x HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
        r = read_responses(s, 4)
        check([x[0] for x in r] == [200, 404, 200, 405], "pipelined: 200, 404, 200, 405 in order (%s)" %
              [x[0] for x in r])
        # A bad request after good ones: the good ones answered, then 400, then close.
        s.sendall(b"GET /healthz HTTP/1.1\r\n\r\nBROKEN\r\n\r\nGET /healthz HTTP/1.1\r\n\r\n")
        raw = read_all(s)
        codes = [int(c) for c in re.findall(rb"HTTP/1\.1 (\d{3}) ", raw)]
        check(codes == [200, 400], "good then bad pipelined: 200 then 400 and close (%s)" % codes)
        s.close()

        # Slowloris: a head one byte at a time never completes: 408 at the timeout.
        s = connect(admin)
        start = time.monotonic()
        head = b"GET /metrics HTTP/1.1\r\nX-Slow: " + b"a" * 100
        raw = b""
        try:
            for b in head:
                s.sendall(bytes([b]))
                time.sleep(0.02)
        except (BrokenPipeError, ConnectionResetError):
            pass
        raw = read_all(s, 3)
        took = time.monotonic() - start
        check(status_of(raw) == 408 and took < 2.5, "slowloris head: 408 after the 500 ms timeout (%.2fs)" % took)
        s.close()

        # An idle connection is closed silently at the timeout.
        s = connect(admin)
        start = time.monotonic()
        raw = read_all(s, 3)
        check(raw == b"" and time.monotonic() - start < 2.5, "idle connection closed without an answer")
        s.close()

        # A truncated request (the client shuts its side): 400.
        s = connect(admin)
        s.sendall(b"POST /x HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc")
        s.shutdown(socket.SHUT_WR)
        check(status_of(read_all(s)) == 400, "truncated body then EOF: 400")
        s.close()

        # The connection cap: 4 held open, the fifth gets 503 and a close.
        held = [connect(admin) for _ in range(4)]
        for h in held:  # each sends a partial head so it counts as busy
            h.sendall(b"GET /")
        time.sleep(0.1)
        raw = one(admin, b"GET /healthz HTTP/1.1\r\n\r\n")
        check(status_of(raw) == 503, "fifth connection over the cap: 503")
        for h in held:
            h.close()
        time.sleep(0.2)
        raw = one(admin, b"GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n")
        check(status_of(raw) == 200, "after the held connections closed: 200 again")

        # Many hostile connections at once do not stop honest scrapes.
        junk = []
        for i in range(20):
            try:
                j = connect(admin)
                j.sendall(b"\x00" * 64)
                junk.append(j)
            except OSError:
                pass
        for j in junk:
            j.close()
        time.sleep(0.2)
        raw = one(admin, b"GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n")
        check(status_of(raw) == 200, "healthz still 200 after a burst of junk")
        check(server.poll() is None, "server still running")
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    if FAILURES:
        print("%d failure(s)" % len(FAILURES))
        sys.exit(1)
    print("all admin HTTP cases passed")


if __name__ == "__main__":
    main()

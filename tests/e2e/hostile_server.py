#!/usr/bin/env python3
"""A hostile HTTP/2 server for pronto clients, and the raw HTTP/2 helpers
hostile_resources.py shares (frames and HPACK by hand: python3-h2 will not
send these header blocks, nor stop reading on purpose).

    hostile_server.py --mode=MODE [--code=N] [--stall-seconds=30] [--max-seconds=60]

Binds 127.0.0.1 port 0, prints "listening on port N", serves ONE connection
and exits (or after --max-seconds). Modes:
  normal         answers the first call with HEADERS, one message
                 (helloworld.HelloReply{message="Hello hostile"}) and OK
                 trailers: the well-behaved reference
  bomb-headers   the same, but the response HEADERS (HEADERS + 8
                 CONTINUATION, 144 KiB) insert a ~4 KB header into the HPACK
                 dynamic table and then reference it ~140,000 times: about
                 570 MB of decoded headers
  bomb-trailers  the same bomb in the trailers
  stall          grants huge windows (SETTINGS_INITIAL_WINDOW_SIZE 2^31-1 and a
                 connection WINDOW_UPDATE to 2^31-1), reads the request
                 HEADERS, then stops reading its socket (small SO_RCVBUF)
                 for --stall-seconds
Modes that break the protocol or the gRPC framing (hostile_families.py):
  silent         reads the preface and the request, never writes a byte (no SETTINGS)
  garbage        answers the preface with bytes that are not HTTP/2
  goaway         SETTINGS then at once GOAWAY(last_stream_id 0, NO_ERROR),
                 before reading any request
  rst            answers the request HEADERS with RST_STREAM(--code=N)
  huge-length    response HEADERS, then a message declaring 4 GiB - 1
  cut-off        HEADERS, half a message, END_STREAM on that DATA (no trailers)
  cut-off-trailers  HEADERS, half a message, then OK trailers
  no-status      HEADERS, a whole message, trailers without grpc-status
  http-503       :status 503 (text/plain) and a body, no grpc-status
  http-503-only  :status 503 alone, END_STREAM on the HEADERS
  text-html      :status 200, content-type text/html, an HTML body
  data-flood     HEADERS, then 32 MiB of DATA (16 KiB messages) ignoring the
                 client's windows
  no-message     HEADERS and OK trailers, no message (a unary call's answer)
  many-messages  HEADERS, 100,000 empty messages (500 KB, within the window),
                 OK trailers
"""
import select
import socket
import struct
import sys
import time

import hpack

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, PRIORITY, RST_STREAM, SETTINGS, PUSH_PROMISE, PING, GOAWAY, WINDOW_UPDATE, CONTINUATION = range(10)
FLAG_END_STREAM = 0x1
FLAG_ACK = 0x1
FLAG_END_HEADERS = 0x4
FLAG_PADDED = 0x8
FLAG_PRIORITY = 0x20
SETTINGS_HEADER_TABLE_SIZE = 1
SETTINGS_MAX_CONCURRENT_STREAMS = 3
SETTINGS_INITIAL_WINDOW_SIZE = 4
SETTINGS_MAX_FRAME_SIZE = 5
MAX_WINDOW = 2**31 - 1
MAX_FRAME = 16384
BOMB_BLOCK_LEN = 9 * MAX_FRAME  # HEADERS + 8 CONTINUATION: nghttp2 accepts at most 8


def readable(socks, timeout):
    """The sockets of `socks` that are readable (or closed) within `timeout`
    seconds: poll(), as select() fails on fds over 1023."""
    poller = select.poll()
    by_fd = {}
    for s in socks:
        by_fd[s.fileno()] = s
        poller.register(s, select.POLLIN | select.POLLPRI | select.POLLHUP | select.POLLERR)
    return [by_fd[fd] for fd, _ in poller.poll(max(0.0, timeout) * 1000)]


def frame(ftype: int, flags: int, sid: int, payload: bytes = b"") -> bytes:
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + struct.pack(">I", sid) + payload


def settings_frame(values=(), ack=False) -> bytes:
    return frame(SETTINGS, FLAG_ACK if ack else 0, 0, b"".join(struct.pack(">HI", k, v) for k, v in values))


def window_update(sid: int, increment: int) -> bytes:
    return frame(WINDOW_UPDATE, 0, sid, struct.pack(">I", increment))


def grpc_message(payload: bytes, compressed: int = 0) -> bytes:
    return bytes([compressed]) + struct.pack(">I", len(payload)) + payload


def hpack_int(value: int, prefix_bits: int, first: int = 0) -> bytes:
    limit = (1 << prefix_bits) - 1
    if value < limit:
        return bytes([first | value])
    out = bytearray([first | limit])
    value -= limit
    while value >= 128:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def hpack_str(s: bytes) -> bytes:
    return hpack_int(len(s), 7) + s  # no Huffman


def literal(name, value, index=False) -> bytes:
    """A literal field with a new name: with incremental indexing (0x40,
    inserted into the peer's dynamic table) or without indexing (0x00)."""
    name = name.encode() if isinstance(name, str) else name
    value = value.encode() if isinstance(value, str) else value
    return (b"\x40" if index else b"\x00") + hpack_str(name) + hpack_str(value)


def plain_block(fields) -> bytes:
    """A header block of literals without indexing: leaves the peer's
    dynamic table alone, so it can follow raw bomb blocks on a connection."""
    return b"".join(literal(n, v) for n, v in fields)


def bomb_block(fields, value_len: int = 4000, block_len: int = BOMB_BLOCK_LEN) -> bytes:
    """`fields` as plain literals, then one x-bomb header of `value_len`
    bytes inserted into the dynamic table (it becomes index 62) and as many
    one-byte references to it (0xBE) as fit in `block_len` bytes."""
    head = plain_block(fields) + literal("x-bomb", b"b" * value_len, index=True)
    return head + b"\xbe" * (block_len - len(head))


def header_frames(sid: int, block: bytes, end_stream: bool, max_frame: int = MAX_FRAME) -> bytes:
    """HEADERS then CONTINUATION frames carrying `block`."""
    chunks = [block[i:i + max_frame] for i in range(0, len(block), max_frame)] or [b""]
    out = []
    for i, chunk in enumerate(chunks):
        last = i == len(chunks) - 1
        if i == 0:
            flags = (FLAG_END_STREAM if end_stream else 0) | (FLAG_END_HEADERS if last else 0)
            out.append(frame(HEADERS, flags, sid, chunk))
        else:
            out.append(frame(CONTINUATION, FLAG_END_HEADERS if last else 0, sid, chunk))
    return b"".join(out)


class RawConn:
    """Frame-level HTTP/2 on a socket. Reads frames, assembles header blocks
    (decoding every block, so the HPACK context stays in sync), answers
    SETTINGS and PING, and returns events:
      ("headers", sid, [(name, value)], end_stream)   (names/values: str)
      ("data", sid, bytes, end_stream)
      ("rst", sid, code)   ("goaway", last_sid, code)   ("settings", {k: v})
      ("window", sid, increment)   ("eof",)
    """

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.buf = b""
        self.pos = 0  # next_frame's read offset into buf (no copy per frame)
        self.decoder = hpack.Decoder()
        self.decoder.max_header_list_size = 1 << 30
        self.pending_block = None  # (sid, end_stream, bytes) while CONTINUATION is expected
        self.eof = False

    def send(self, data: bytes):
        self.sock.sendall(data)

    def _fill(self, timeout):
        if self.eof:
            return False
        if not readable([self.sock], timeout):
            return False
        try:
            chunk = self.sock.recv(1 << 20)
        except (ConnectionResetError, BrokenPipeError):
            chunk = b""
        except (BlockingIOError, socket.timeout):
            return False
        if not chunk:
            self.eof = True
            return False
        self.buf = self.buf[self.pos:] + chunk if self.pos else self.buf + chunk
        self.pos = 0
        return True

    def next_frame(self, timeout: float):
        """(type, flags, sid, payload), ("eof",) or None on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            p, buf = self.pos, self.buf
            if len(buf) - p >= 9:
                length = int.from_bytes(buf[p:p + 3], "big")
                if len(buf) - p >= 9 + length:
                    ftype, flags = buf[p + 3], buf[p + 4]
                    sid = struct.unpack(">I", buf[p + 5:p + 9])[0] & 0x7FFFFFFF
                    payload = buf[p + 9:p + 9 + length]
                    self.pos = p + 9 + length
                    return ftype, flags, sid, payload
            if self.eof:
                return ("eof",)
            left = deadline - time.monotonic()
            if left <= 0 or not self._fill(left):
                if self.eof:
                    return ("eof",)
                if time.monotonic() >= deadline:
                    return None

    def next_event(self, timeout: float):
        deadline = time.monotonic() + timeout
        while True:
            f = self.next_frame(max(0.0, deadline - time.monotonic()))
            if f is None or f[0] == "eof":
                return f
            ftype, flags, sid, payload = f
            if ftype == SETTINGS:
                if flags & FLAG_ACK:
                    continue
                self.send(settings_frame(ack=True))
                return ("settings", {struct.unpack(">H", payload[i:i + 2])[0]: struct.unpack(">I", payload[i + 2:i + 6])[0]
                                     for i in range(0, len(payload), 6)})
            if ftype == PING:
                if not flags & FLAG_ACK:
                    self.send(frame(PING, FLAG_ACK, 0, payload))
                continue
            if ftype == HEADERS:
                pad = 0
                if flags & FLAG_PADDED:
                    pad = payload[0]
                    payload = payload[1:]
                if flags & FLAG_PRIORITY:
                    payload = payload[5:]
                if pad:
                    payload = payload[:-pad]
                self.pending_block = (sid, bool(flags & FLAG_END_STREAM), payload)
                if flags & FLAG_END_HEADERS:
                    return self._finish_block()
                continue
            if ftype == CONTINUATION and self.pending_block:
                s, end, block = self.pending_block
                self.pending_block = (s, end, block + payload)
                if flags & FLAG_END_HEADERS:
                    return self._finish_block()
                continue
            if ftype == DATA:
                if flags & FLAG_PADDED:
                    payload = payload[1:len(payload) - payload[0]]
                return ("data", sid, payload, bool(flags & FLAG_END_STREAM))
            if ftype == RST_STREAM:
                return ("rst", sid, struct.unpack(">I", payload[:4])[0])
            if ftype == GOAWAY:
                return ("goaway", struct.unpack(">I", payload[:4])[0] & 0x7FFFFFFF, struct.unpack(">I", payload[4:8])[0])
            if ftype == WINDOW_UPDATE:
                return ("window", sid, struct.unpack(">I", payload[:4])[0] & 0x7FFFFFFF)
            # PRIORITY, PUSH_PROMISE, unknown: ignored

    def _finish_block(self):
        sid, end, block = self.pending_block
        self.pending_block = None
        headers = [(n.decode() if isinstance(n, bytes) else n, v.decode() if isinstance(v, bytes) else v)
                   for n, v in self.decoder.decode(block, raw=True)]
        return ("headers", sid, headers, end)


# ---- the server --------------------------------------------------------------

HELLO_REPLY = b"\x0a\x0dHello hostile"  # helloworld.HelloReply{message=1}


MODES = ("normal", "bomb-headers", "bomb-trailers", "stall", "silent", "garbage", "goaway", "rst", "huge-length",
         "cut-off", "cut-off-trailers", "no-status", "http-503", "http-503-only", "text-html", "data-flood",
         "many-messages", "no-message")
GRPC_RESPONSE = [(":status", "200"), ("content-type", "application/grpc")]
OK_TRAILERS = [("grpc-status", "0")]


def linger(conn: RawConn, end: float):
    """Reads (answering SETTINGS and PING) until the client goes away."""
    try:
        while time.monotonic() < end:
            ev = conn.next_event(end - time.monotonic())
            if ev is None or ev[0] == "eof":
                return
    except OSError:
        pass


def response(mode: str, sid: int, code: int) -> bytes:
    """The answer to the request on stream `sid` for the modes that send
    one in a single write (all but stall, silent, garbage, goaway, data-flood)."""
    hello = grpc_message(HELLO_REPLY)
    if mode == "rst":
        return frame(RST_STREAM, 0, sid, struct.pack(">I", code))
    if mode == "http-503-only":
        return header_frames(sid, plain_block([(":status", "503")]), end_stream=True)
    if mode == "http-503":
        return (header_frames(sid, plain_block([(":status", "503"), ("content-type", "text/plain")]), False) +
                frame(DATA, FLAG_END_STREAM, sid, b"Service Unavailable"))
    if mode == "text-html":
        return (header_frames(sid, plain_block([(":status", "200"), ("content-type", "text/html")]), False) +
                frame(DATA, FLAG_END_STREAM, sid, b"<html><body>Hello hostile</body></html>"))
    head = header_frames(sid, bomb_block(GRPC_RESPONSE) if mode == "bomb-headers" else plain_block(GRPC_RESPONSE),
                         end_stream=False)
    if mode == "huge-length":
        return head + frame(DATA, 0, sid, b"\x00\xff\xff\xff\xff" + b"x" * 1000)
    if mode == "cut-off":
        return head + frame(DATA, FLAG_END_STREAM, sid, hello[:len(hello) // 2])
    if mode == "cut-off-trailers":
        return (head + frame(DATA, 0, sid, hello[:len(hello) // 2]) +
                header_frames(sid, plain_block(OK_TRAILERS), end_stream=True))
    if mode == "no-status":
        return head + frame(DATA, 0, sid, hello) + header_frames(sid, plain_block([("x-no-status", "1")]), True)
    if mode == "no-message":
        return head + header_frames(sid, plain_block(OK_TRAILERS), end_stream=True)
    if mode == "many-messages":
        per_frame = MAX_FRAME // 5  # 3276 empty messages a frame
        body = b"".join(frame(DATA, 0, sid, grpc_message(b"") * min(per_frame, 100000 - i))
                        for i in range(0, 100000, per_frame))
        return head + body + header_frames(sid, plain_block(OK_TRAILERS), end_stream=True)
    trailers = OK_TRAILERS
    return head + frame(DATA, 0, sid, hello) + header_frames(
        sid, bomb_block(trailers) if mode == "bomb-trailers" else plain_block(trailers), end_stream=True)


def flood(conn: RawConn, sid: int, end: float, total: int = 32 << 20) -> int:
    """HEADERS, then `total` bytes of DATA on `sid` whatever the client's
    windows say: the bytes it took before it closed or stopped reading."""
    conn.send(header_frames(sid, plain_block(GRPC_RESPONSE), end_stream=False))
    # Whole messages (one per frame): the client credits a stream window as
    # the application takes messages, so unread ones pin it at once.
    rest = frame(DATA, 0, sid, grpc_message(b"f" * (MAX_FRAME - 5)))
    conn.sock.settimeout(2)
    sent = 0
    try:
        while sent < total and time.monotonic() < end:
            conn.sock.sendall(rest * 16)
            sent += 16 * MAX_FRAME
    except OSError:  # the client closed, or stopped reading for 2 s
        pass
    print(f"flooded {sent} bytes of DATA", file=sys.stderr, flush=True)
    return sent


def serve(mode: str, stall_seconds: float, max_seconds: float, code: int = 0):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if mode == "stall":
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # inherited by the accepted socket
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    print(f"listening on port {listener.getsockname()[1]}", flush=True)
    end = time.monotonic() + max_seconds
    if not readable([listener], max_seconds):
        print("no client", file=sys.stderr)
        return 1
    sock, _ = listener.accept()
    listener.close()
    conn = RawConn(sock)
    # Client preface.
    while len(conn.buf) < len(PREFACE) and time.monotonic() < end:
        if not conn._fill(end - time.monotonic()) and conn.eof:
            return 1
    if not conn.buf.startswith(PREFACE):
        print("bad client preface", file=sys.stderr)
        return 1
    conn.buf = conn.buf[len(PREFACE):]
    if mode == "silent":
        while time.monotonic() < end and (conn._fill(end - time.monotonic()) or not conn.eof):
            conn.buf = b""
        sock.close()
        return 0
    if mode == "garbage":
        try:
            conn.send(b"HTTP/1.1 400 Bad Request\r\n\r\n" + b"\x00\xff garbage \xfe\x01" * 64)
        except OSError:
            pass
        linger_raw(conn, end)
        sock.close()
        return 0
    if mode == "stall":
        conn.send(settings_frame([(SETTINGS_INITIAL_WINDOW_SIZE, MAX_WINDOW)]) + window_update(0, MAX_WINDOW - 65535))
    else:
        conn.send(settings_frame([(SETTINGS_MAX_CONCURRENT_STREAMS, 100)]))
    if mode == "goaway":
        conn.send(frame(GOAWAY, 0, 0, struct.pack(">II", 0, 0)))
        linger(conn, min(end, time.monotonic() + 5))
        sock.close()
        return 0
    request_sid = None
    while time.monotonic() < end:
        ev = conn.next_event(end - time.monotonic())
        if ev is None or ev[0] == "eof":
            break
        if ev[0] == "headers" and request_sid is None:
            request_sid = ev[1]
            if mode == "stall":
                print(f"stalling for {stall_seconds}s", file=sys.stderr, flush=True)
                time.sleep(min(stall_seconds, max(0.0, end - time.monotonic())))
                sock.close()
                return 0
            if ev[3] or mode in ("rst", "data-flood"):
                break
        elif ev[0] == "data" and ev[1] == request_sid and ev[3]:
            break
    if request_sid is None:
        print("no request", file=sys.stderr)
        return 1
    try:
        if mode == "data-flood":
            flood(conn, request_sid, end)
            conn.sock.settimeout(None)
        else:
            conn.send(response(mode, request_sid, code))
        if mode == "rst":
            # Every later request is reset the same way: a client retries a
            # REFUSED_STREAM (code 7) transparently, once.
            while time.monotonic() < end:
                ev = conn.next_event(end - time.monotonic())
                if ev is None or ev[0] == "eof":
                    break
                if ev[0] == "headers" and ev[1] != request_sid:
                    conn.send(response(mode, ev[1], code))
        # Until the client goes away (it may reset the stream, GOAWAY, close).
        linger(conn, end)
    except OSError:
        pass
    sock.close()
    return 0


def linger_raw(conn: RawConn, end: float):
    """Reads and drops bytes until the client closes (no frame parsing)."""
    while time.monotonic() < end and not conn.eof:
        conn._fill(end - time.monotonic())
        conn.buf = b""


def main():
    mode, stall_seconds, max_seconds, code = "normal", 30.0, 60.0, 0
    for arg in sys.argv[1:]:
        if arg.startswith("--mode="):
            mode = arg[7:]
        elif arg.startswith("--code="):
            code = int(arg[7:])
        elif arg.startswith("--stall-seconds="):
            stall_seconds = float(arg[16:])
        elif arg.startswith("--max-seconds="):
            max_seconds = float(arg[14:])
        else:
            print(__doc__, file=sys.stderr)
            sys.exit(2)
    if mode not in MODES:
        print(f"unknown mode {mode}", file=sys.stderr)
        sys.exit(2)
    sys.exit(serve(mode, stall_seconds, max_seconds, code))


if __name__ == "__main__":
    main()

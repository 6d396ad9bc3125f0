#!/usr/bin/python3
"""Writes the committed seed corpora under fuzz/corpus-seed/<target>/.

Run with the system python (python3-h2): /usr/bin/python3 fuzz/make_seeds.py
The HTTP/2 bytes are produced by the h2 library (hyper-h2), playing the
client for server_conn_fuzz and the server for client_conn_fuzz; the input
layouts (flag bytes) are described at the top of each harness.
"""
import base64
import gzip
import os
import shutil
import struct
import zlib

import h2.config
import h2.connection
import h2.events
import h2.settings

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus-seed")
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


def grpc_frame(payload, compressed=False):
    return bytes([1 if compressed else 0]) + struct.pack(">I", len(payload)) + payload


def write(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- server_conn_fuzz: client bytes ------------------------------------------------


class Client:
    def __init__(self, settings=None):
        self.c = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding=None))
        self.c.initiate_connection()
        if settings:
            self.c.update_settings(settings)
        self.out = self.c.data_to_send()
        assert self.out.startswith(PREFACE)
        self.out = self.out[len(PREFACE):]

    def flush(self):
        self.out += self.c.data_to_send()

    def request(self, method, extra=(), http_method="POST", content_type="application/grpc", end=False):
        sid = self.c.get_next_available_stream_id()
        headers = [(":method", http_method), (":scheme", "http"), (":path", "/fuzz.Fuzz/" + method),
                   (":authority", "fuzz"), ("content-type", content_type), ("te", "trailers")] + list(extra)
        self.c.send_headers(sid, headers, end_stream=end)
        self.flush()
        return sid

    def data(self, sid, payload, end=False, pad=None):
        self.c.send_data(sid, payload, end_stream=end, pad_length=pad)
        self.flush()

    def msg(self, sid, body, end=False, compressed=False, encoding=None):
        if compressed:
            body = gzip.compress(body) if encoding == "gzip" else zlib.compress(body)
        self.data(sid, grpc_frame(body, compressed), end)

    def end(self, sid):
        self.c.end_stream(sid)
        self.flush()

    def input(self, flags=0x01, chunk=0):
        return bytes([flags, chunk]) + self.out


def server_seeds():
    t = "server_conn_fuzz"
    # Unary, every handler op (low 3 bits), each with a body.
    for op in range(8):
        c = Client()
        s = c.request("Unary")
        c.msg(s, bytes([op]) + b"hello", end=True)
        write(t, "unary_op%d" % op, c.input())
    # Unary: metadata, deadline, accept-encoding, compressed response.
    c = Client()
    s = c.request("Unary", [("grpc-timeout", "10S"), ("grpc-accept-encoding", "identity,deflate,gzip"),
                            ("user-agent", "fuzz/1.0"), ("x-key", "value"),
                            ("x-bin", base64.b64encode(b"\x00\xff").decode().rstrip("="))])
    c.msg(s, bytes([2 | 8 | 16]) + b"key-value", end=True)
    write(t, "unary_metadata", c.input())
    for op in (3 | (1 << 3), 3 | (2 << 3) | (3 << 5), 6 | 8):
        c = Client()
        s = c.request("Unary", [("grpc-accept-encoding", "gzip,deflate")])
        c.msg(s, bytes([op]) + b"compress me " * 4, end=True)
        write(t, "unary_compressed_response_%02x" % op, c.input())
    for enc in ("gzip", "deflate"):
        c = Client()
        s = c.request("Unary", [("grpc-encoding", enc), ("grpc-accept-encoding", enc)])
        c.msg(s, b"\x00compressed request " * 8, end=True, compressed=True, encoding=enc)
        write(t, "unary_compressed_request_" + enc, c.input())
    # Deadlines: one that fires at once, one malformed.
    for name, value in (("deadline_1n", "1n"), ("deadline_bad", "12x")):
        c = Client()
        s = c.request("Unary", [("grpc-timeout", value)])
        c.msg(s, bytes([5]) + b"wait", end=True)
        write(t, "unary_" + name, c.input())
    # Errors before a handler: method, :method, content-type, interceptor.
    c = Client()
    s = c.request("NoSuchMethod")
    c.msg(s, b"\x00x", end=True)
    write(t, "unknown_method", c.input())
    c = Client()
    c.request("Unary", http_method="GET", end=True)
    write(t, "get", c.input())
    c = Client()
    s = c.request("Unary", content_type="text/plain")
    c.msg(s, b"\x00x", end=True)
    write(t, "bad_content_type", c.input())
    c = Client()
    s = c.request("Unary", [("fuzz-reject", "1")])
    c.msg(s, b"\x00x", end=True)
    write(t, "interceptor_reject", c.input())
    c = Client()
    s = c.request("Unary", [("grpc-encoding", "snappy")])
    c.msg(s, b"\x00x", end=True)
    write(t, "unknown_encoding", c.input())
    # Server streaming: count in bits 3-5, mode in bits 0-2.
    for mode in range(8):
        c = Client()
        s = c.request("ServerStream", [("grpc-accept-encoding", "gzip,deflate")])
        c.msg(s, bytes([(3 << 3) | mode]) + b"stream", end=True)
        write(t, "server_stream_mode%d" % mode, c.input())
    # Client streaming.
    c = Client()
    s = c.request("ClientStream")
    for i in range(3):
        c.msg(s, b"part%d" % i)
    c.end(s)
    write(t, "client_stream", c.input())
    for op in (0xFE, 0xFD, 0xFC):
        c = Client()
        s = c.request("ClientStream", [("grpc-accept-encoding", "gzip")])
        c.msg(s, b"first")
        c.msg(s, bytes([op]) + b"stop")
        c.msg(s, b"after")
        c.end(s)
        write(t, "client_stream_%02x" % op, c.input())
    # Bidi.
    c = Client()
    s = c.request("Bidi")
    c.msg(s, b"one")
    c.msg(s, b"two", end=True)
    write(t, "bidi", c.input())
    for op in (0xFE, 0xFD, 0xFC, 0xFF):
        c = Client()
        s = c.request("Bidi", [("grpc-accept-encoding", "deflate")])
        c.msg(s, b"one")
        c.msg(s, bytes([op]) + b"two")
        write(t, "bidi_%02x" % op, c.input())
    # Trailers from the client; padding; a message split over DATA frames.
    c = Client()
    s = c.request("ClientStream")
    c.msg(s, b"x")
    c.c.send_headers(s, [("x-trailer", "t")], end_stream=True)
    c.flush()
    write(t, "client_trailers", c.input())
    c = Client()
    s = c.request("Unary")
    f = grpc_frame(b"\x00split message body")
    c.data(s, f[:3], pad=7)
    c.data(s, f[3:10])
    c.data(s, f[10:], end=True, pad=0)
    write(t, "split_padded", c.input())
    # Stream ended inside a message.
    c = Client()
    s = c.request("Unary")
    c.data(s, grpc_frame(b"\x00abcdef")[:8], end=True)
    write(t, "truncated_message", c.input())
    # Cancellation: RST_STREAM while the handler waits; GOAWAY.
    c = Client()
    s = c.request("Unary")
    c.msg(s, b"\x05wait", end=True)
    c.c.reset_stream(s)
    c.flush()
    write(t, "rst_while_waiting", c.input())
    c = Client()
    s = c.request("Bidi")
    c.msg(s, b"one")
    c.c.close_connection()
    c.flush()
    write(t, "goaway", c.input())
    # Several streams at once, pings and window updates.
    c = Client()
    ids = [c.request(m) for m in ("Unary", "ServerStream", "ClientStream", "Bidi")]
    c.c.ping(b"12345678")
    for sid in ids:
        c.msg(sid, bytes([0x18]) + b"multi")
    c.c.increment_flow_control_window(1 << 20)
    for sid in ids:
        c.end(sid)
    c.flush()
    write(t, "four_streams", c.input())
    # Flow control: a tiny window with a large response (the writer waits),
    # then a window update.
    c = Client({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 1})
    s = c.request("Unary")
    c.msg(s, b"\x06big", end=True)
    write(t, "tiny_window", c.input())
    c.c.increment_flow_control_window(1 << 16, stream_id=s)
    c.c.increment_flow_control_window(1 << 16)
    c.flush()
    write(t, "tiny_window_update", c.input())
    # Headers over CONTINUATION frames.
    c = Client()
    s = c.request("Unary", [("x-big-%d" % i, "v" * 1000) for i in range(20)])
    c.msg(s, b"\x00big headers", end=True)
    write(t, "continuation", c.input())
    # Too many streams for the small server (flags bit 1).
    c = Client()
    for i in range(6):
        s = c.request("Unary")
        c.msg(s, b"\x05wait", end=True)
    write(t, "many_waiting_small", c.input(flags=0x03))
    # Flag variants on a plain unary call.
    c = Client()
    s = c.request("Bidi")
    c.msg(s, b"one")
    c.msg(s, b"\x05two")
    for flags, chunk in ((0x05, 0), (0x09, 0), (0x11, 0), (0x21, 0), (0x01, 7), (0x07, 1)):
        write(t, "bidi_flags%02x_chunk%d" % (flags, chunk), c.input(flags, chunk))
    # Without the automatic preface: the raw bytes, preface included.
    c = Client()
    s = c.request("Unary")
    c.msg(s, b"\x00raw", end=True)
    write(t, "explicit_preface", bytes([0x00, 0x00]) + PREFACE + c.out)


# ---- client_conn_fuzz: server bytes -------------------------------------------------


def server_bytes(kind, build):
    """Runs an h2 client (standing in for pronto's) and an h2 server; returns
    what the server sends after `build(server, stream_id)`."""
    cc = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding=None))
    cc.initiate_connection()
    sid = cc.get_next_available_stream_id()
    cc.send_headers(sid, [(":method", "POST"), (":scheme", "http"), (":path", "/fuzz.Fuzz/" + kind),
                          (":authority", "fuzz"), ("content-type", "application/grpc"), ("te", "trailers")])
    sc = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False, header_encoding=None))
    sc.initiate_connection()
    sc.receive_data(cc.data_to_send())
    build(sc, sid)
    return sc.data_to_send()


OK_HEADERS = [(":status", "200"), ("content-type", "application/grpc"), ("grpc-accept-encoding", "identity,gzip")]


def client_seeds():
    t = "client_conn_fuzz"
    kinds = ["Unary", "ServerStream", "ClientStream", "Bidi"]

    def full(messages, headers=OK_HEADERS, trailers=(("grpc-status", "0"),), compressed=None):
        def b(sc, sid):
            sc.send_headers(sid, list(headers))
            for m in messages:
                if compressed:
                    m = gzip.compress(m) if compressed == "gzip" else zlib.compress(m)
                sc.send_data(sid, grpc_frame(m, compressed is not None))
            sc.send_headers(sid, list(trailers), end_stream=True)
        return b

    for k, kind in enumerate(kinds):
        write(t, "ok_%s" % kind, bytes([k]) + server_bytes(kind, full([b"response"])))
        write(t, "two_msgs_%s" % kind, bytes([k]) + server_bytes(kind, full([b"one", b"two"])))
        write(t, "trailers_only_%s" % kind, bytes([k]) + server_bytes(kind, lambda sc, sid: sc.send_headers(
            sid, OK_HEADERS + [("grpc-status", "5"), ("grpc-message", "not%20found%E2%82%AC")], end_stream=True)))
        write(t, "no_trailers_%s" % kind, bytes([k]) + server_bytes(kind, lambda sc, sid: (
            sc.send_headers(sid, OK_HEADERS), sc.send_data(sid, grpc_frame(b"x")))))
        write(t, "keep_open_ok_%s" % kind, bytes([k | 4]) + server_bytes(kind, full([b"response"])))
        write(t, "cancel_%s" % kind, bytes([k | 64]) + server_bytes(kind, full([b"a", b"b", b"c"])))
    write(t, "keep_open_incomplete", bytes([4 | 1]) + server_bytes("ServerStream", lambda sc, sid: (
        sc.send_headers(sid, OK_HEADERS), sc.send_data(sid, grpc_frame(b"x")))))
    # Compressed responses, one per algorithm; a wrong one.
    for enc in ("gzip", "deflate"):
        write(t, "compressed_" + enc, bytes([1 | 8]) + server_bytes(
            "ServerStream", full([b"compressed " * 10, b"two"], OK_HEADERS + [("grpc-encoding", enc)], compressed=enc)))
    write(t, "compressed_without_encoding", bytes([0]) + server_bytes("Unary", full([b"x"], compressed="gzip")))
    write(t, "unknown_encoding", bytes([0]) + server_bytes(
        "Unary", full([b"x"], OK_HEADERS + [("grpc-encoding", "br")], compressed="gzip")))
    # Metadata and rich status.
    write(t, "metadata", bytes([32]) + server_bytes("Unary", full(
        [b"m"], OK_HEADERS + [("x-initial", "v"), ("x-initial-bin", "AAEC")],
        [("grpc-status", "3"), ("grpc-message", "bad%20arg"), ("grpc-status-details-bin", "CAMSA2JhZA"),
         ("x-trailing", "t"), ("x-trailing-bin", "/w")])))
    write(t, "bad_metadata", bytes([32]) + server_bytes("Unary", full(
        [b"m"], OK_HEADERS + [("X-Upper", "v"), ("x-bad-bin", "!!!")], [("grpc-status", "99")])))
    # HTTP errors, bad content-type.
    for code in ("503", "404", "200"):
        write(t, "http_" + code, bytes([0]) + server_bytes("Unary", lambda sc, sid, code=code: sc.send_headers(
            sid, [(":status", code), ("content-type", "text/html")], end_stream=True)))
    write(t, "html_body", bytes([1]) + server_bytes("ServerStream", lambda sc, sid: (
        sc.send_headers(sid, [(":status", "200"), ("content-type", "text/html")]),
        sc.send_data(sid, b"<html>hello</html>", end_stream=True))))
    # Too large for the 1 KiB limit (flags bit 4).
    write(t, "too_large", bytes([16]) + server_bytes("Unary", full([b"L" * 5000])))
    # Resets and GOAWAY.
    write(t, "rst_after_headers", bytes([1]) + server_bytes("ServerStream", lambda sc, sid: (
        sc.send_headers(sid, OK_HEADERS), sc.reset_stream(sid, 8))))
    write(t, "goaway", bytes([3]) + server_bytes("Bidi", lambda sc, sid: (
        sc.send_headers(sid, OK_HEADERS), sc.close_connection(0, last_stream_id=sid))))
    write(t, "goaway_refused", bytes([0]) + server_bytes("Unary", lambda sc, sid: sc.close_connection(0, last_stream_id=0)))
    # Flow control and pings from the server; split message.
    def misc(sc, sid):
        sc.ping(b"pingpong")
        sc.increment_flow_control_window(1 << 20)
        sc.update_settings({h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS: 1,
                            h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 10})
        sc.send_headers(sid, OK_HEADERS)
        f = grpc_frame(b"split across frames")
        sc.send_data(sid, f[:4], pad_length=3)
        sc.send_data(sid, f[4:])
        sc.send_headers(sid, [("grpc-status", "0")], end_stream=True)
    for k in range(4):
        write(t, "misc_%d" % k, bytes([k]) + server_bytes(kinds[k], misc))
    # Only the server preface (no response at all).
    write(t, "settings_only", bytes([0]) + server_bytes("Unary", lambda sc, sid: None))
    write(t, "empty", bytes([0]))


# ---- small targets ------------------------------------------------------------------


def other_seeds():
    t = "grpc_headers_fuzz"

    def fields(*pairs):
        return b"".join(n.encode() + b"\\ " + v.encode() + b"\\ " for n, v in pairs)

    write(t, "status", fields(("grpc-status", "3"), ("grpc-message", "bad%20thing"),
                              ("grpc-status-details-bin", "CAMSA2Jhcg")))
    write(t, "metadata", fields(("x-key", "value"), ("x-key-bin", "AAEC,/w=="), ("user-agent", "u"),
                                ("content-type", "application/grpc"), (":path", "/a/b")))
    write(t, "bad", fields(("X-Upper", "v"), ("x-bin", "!!"), ("x-ctl", "a\x01b"), ("grpc-status", "17")))
    write(t, "encodings", fields(("grpc-encoding", "gzip"), ("grpc-accept-encoding", "identity, deflate ,gzip"),
                                 ("grpc-timeout", "100m")))
    t = "compression_fuzz"
    text = b"the quick brown fox jumps over the lazy dog " * 20
    write(t, "gzip", bytes([3]) + gzip.compress(text))
    write(t, "deflate", bytes([3]) + zlib.compress(text))
    write(t, "bomb", bytes([2]) + gzip.compress(b"\x00" * (1 << 20)))
    write(t, "identity", bytes([4]) + text)
    write(t, "empty_gzip", bytes([0]) + gzip.compress(b""))
    t = "deframer_fuzz"
    write(t, "two_messages", bytes([5, 1, 2]) + grpc_frame(b"hello") + grpc_frame(b"x" * 40, True))
    write(t, "too_large", bytes([2, 0, 0]) + grpc_frame(b"123456"))
    t = "wire_headers_fuzz"
    for i, v in enumerate((b"100m", b"2S", b"a%20b%ZZ", b"AAEC==", b"x-key-bin", b"16", b"99999999H")):
        write(t, "value%d" % i, v)


if __name__ == "__main__":
    for target in ("server_conn_fuzz", "client_conn_fuzz", "grpc_headers_fuzz", "compression_fuzz",
                   "deframer_fuzz", "wire_headers_fuzz"):
        shutil.rmtree(os.path.join(ROOT, target), ignore_errors=True)
    server_seeds()
    client_seeds()
    other_seeds()
    for target in sorted(os.listdir(ROOT)):
        files = os.listdir(os.path.join(ROOT, target))
        size = sum(os.path.getsize(os.path.join(ROOT, target, f)) for f in files)
        print("%-20s %3d files, %6d bytes" % (target, len(files), size))

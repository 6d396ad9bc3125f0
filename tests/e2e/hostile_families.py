"""The issue-8 hostile-peer families that hostile_peers.py and the resource
cases of hostile_resources.py do not cover. Run through hostile_resources.py
(its driver, helpers and common checks):

    hostile_resources.py --case=made_you_reset --echo-server=PATH ...

Cases (each checks the exact answer, then the common criteria of
hostile_resources.common_after: the server lives, a normal call on a fresh
connection succeeds, fds back to the baseline, RSS growth < 32 MiB; and the
server's CPU during the attack < 0.9 x wall):
  made_you_reset       the client makes the SERVER reset streams whose handlers
                       are slow ("MadeYouReset", CVE-2025-8671): WINDOW_UPDATE 0,
                       trailers without END_STREAM, DATA after END_STREAM, DATA
                       past the stream window; and handlers deaf to the reset,
                       which must hit the live-call bound (REFUSED_STREAM)
  flow_control         WINDOW_UPDATE overflowing the connection or a stream window,
                       SETTINGS_INITIAL_WINDOW_SIZE 2^31, a window shrunk to 0
                       mid-response then reopened, 1-byte WINDOW_UPDATEs
  frames_out_of_order  RFC 9113 sequence and framing errors, each on a fresh
                       connection: the GOAWAY code (or none), against
                       pronto-echo-server; frames_out_of_order_helloworld: the
                       same against helloworld-server
  slow_headers         500 connections sending their request HEADERS one byte
                       every 50 ms
  client_hostile_servers  helloworld-client (and upload_client for a silent peer)
                       against hostile_server.py modes: exit code and status text
"""
import collections
import socket
import struct
import time

import hostile_resources as hr
import hostile_server as raw
from hostile_resources import KiB, MiB, check, mib, say

ECHO = "/pronto.test.Echo/"
NO_ERROR, PROTOCOL_ERROR, INTERNAL_ERROR, FLOW_CONTROL_ERROR, STREAM_CLOSED, FRAME_SIZE_ERROR, REFUSED_STREAM = \
    0, 1, 2, 3, 5, 6, 7
CODE_NAMES = {0: "NO_ERROR", 1: "PROTOCOL_ERROR", 2: "INTERNAL_ERROR", 3: "FLOW_CONTROL_ERROR",
              4: "SETTINGS_TIMEOUT", 5: "STREAM_CLOSED", 6: "FRAME_SIZE_ERROR", 7: "REFUSED_STREAM", 8: "CANCEL",
              9: "COMPRESSION_ERROR", 10: "CONNECT_ERROR", 11: "ENHANCE_YOUR_CALM", 12: "INADEQUATE_SECURITY",
              13: "HTTP_1_1_REQUIRED"}


def name(code):
    return CODE_NAMES.get(code, str(code)) if isinstance(code, int) else str(code)


def slow_unary(delay_ms=10000, deaf=False, message=b"slow"):
    """pronto.test.EchoRequest{message, delay_ms=3, ignore_cancellation=13}."""
    body = hr.echo_request(message) + b"\x18" + hr.varint(delay_ms)
    if deaf:
        body += b"\x68\x01"
    return hr.grpc_frame(body)


def headers(sid, path=hr.ECHO_UNARY, end_stream=False):
    return raw.header_frames(sid, raw.plain_block(hr.request_headers(path)), end_stream)


def data(sid, payload, end_stream=False):
    return raw.frame(raw.DATA, raw.FLAG_END_STREAM if end_stream else 0, sid, payload)


class Peer(raw.RawConn):
    """A raw HTTP/2 client connection: preface, our SETTINGS, a connection
    WINDOW_UPDATE; then waits for the server's SETTINGS (acknowledged by
    RawConn)."""

    def __init__(self, port, settings=(), window=16 * MiB, wait=True):
        super().__init__(socket.create_connection(("127.0.0.1", port), timeout=10))
        self.send(raw.PREFACE + raw.settings_frame(settings) + (raw.window_update(0, window) if window else b""))
        self.next_sid = 1
        self.goaway = None
        self.server_settings = None
        if wait:
            while self.server_settings is None:
                ev = self.next_event(5)
                if ev is None or ev[0] == "eof":
                    raise RuntimeError("no SETTINGS from the server")
                if ev[0] == "settings":
                    self.server_settings = ev[1]

    def sid(self):
        s = self.next_sid
        self.next_sid += 2
        return s

    def answers(self, timeout, until=None):
        """Events for up to `timeout` s, or until `until(events)` holds, a
        GOAWAY or EOF: the list of events."""
        out = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                ev = self.next_event(max(0.0, deadline - time.monotonic()))
            except OSError:
                ev = ("eof",)
            if ev is None:
                break
            out.append(ev)
            if ev[0] == "goaway":
                self.goaway = ev
            if ev[0] in ("eof", "goaway") or (until and until(out)):
                break
        return out

    def unary(self, message=b"same connection", timeout=5.0, path=hr.ECHO_UNARY, body=None):
        """A normal call on this connection: (grpc-status, data, reset code)."""
        sid = self.sid()
        self.send(headers(sid, path) + data(sid, body or hr.grpc_frame(hr.echo_request(message)), True))
        status, got, reset = None, b"", None
        for ev in self.answers(timeout, lambda evs: evs[-1][0] in ("rst",) and evs[-1][1] == sid or
                               evs[-1][0] == "headers" and evs[-1][1] == sid and evs[-1][3]):
            if ev[0] == "headers" and ev[1] == sid:
                status = dict(ev[2]).get("grpc-status", status)
            elif ev[0] == "data" and ev[1] == sid:
                got += ev[2]
            elif ev[0] == "rst" and ev[1] == sid:
                reset = ev[2]
        return status, got, reset

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def same_connection_call(peer, tag, attempts=20):
    """A normal call on the attacked connection; REFUSED_STREAM (handlers of
    reset streams still winding down) is retried."""
    for _ in range(attempts):
        status, got, reset = peer.unary()
        if reset != REFUSED_STREAM:
            break
        time.sleep(0.1)
    return check(status == "0" and b"same connection" in got,
                 f"{tag}: a normal call on the SAME connection succeeds (grpc-status {status}, reset {name(reset)})")


# ---- 1. resets provoked on the server (MadeYouReset) --------------------------------

def provoke(peer, streams, build, batch, timeout=5.0):
    """Opens `streams` streams, `batch` at a time, each with the frames
    `build(sid)`; waits for every batch's answers. Returns (first RST code
    per stream, grpc-status per stream, streams without an answer)."""
    resets, statuses = {}, {}
    unanswered = 0
    sent = 0
    while sent < streams and peer.goaway is None and not peer.eof:
        sids = [peer.sid() for _ in range(min(batch, streams - sent))]
        try:
            peer.send(b"".join(build(s) for s in sids))
        except OSError:
            break
        sent += len(sids)
        pending = set(sids)

        def done(evs):
            ev = evs[-1]
            if ev[0] == "rst":
                resets.setdefault(ev[1], ev[2])
                pending.discard(ev[1])
            elif ev[0] == "headers":
                st = dict(ev[2]).get("grpc-status")
                if st is not None:
                    statuses.setdefault(ev[1], st)
            return not pending
        peer.answers(timeout, done)
        unanswered += len(pending)
    return resets, statuses, unanswered, sent


def made_you_reset_variant(srv, label, build, streams, batch, expect, status=None):
    """Stream errors the server answers with RST_STREAM (after grpc-status
    `status`, when given): all on one connection."""
    peer = Peer(srv.port)
    t0 = time.monotonic()
    resets, statuses, unanswered, sent = provoke(peer, streams, build, batch)
    took = time.monotonic() - t0
    codes = collections.Counter(name(c) for c in resets.values())
    say(f"{label}: {sent} streams on one connection in {took:.2f} s: RST_STREAM {dict(codes)}, grpc-status "
        f"{dict(collections.Counter(statuses.values()))}, unanswered {unanswered}, "
        f"GOAWAY {name(peer.goaway[2]) if peer.goaway else None}")
    got = sum(1 for c in resets.values() if c == expect)
    check(got == streams, f"{label}: every stream reset {name(expect)}: {got} of {streams}")
    if status is not None:
        answered = sum(1 for st in statuses.values() if st == status)
        check(answered == streams, f"{label}: every stream answered grpc-status {status}: {answered} of {streams}")
    check(peer.goaway is None and not peer.eof, f"{label}: the connection is kept (GOAWAY "
          f"{name(peer.goaway[2]) if peer.goaway else None}, closed {peer.eof})")
    if peer.goaway is None and not peer.eof:
        same_connection_call(peer, label)
    peer.close()


def made_you_reset_goaway(srv, label, invalid, connections, streams, expect):
    """Errors nghttp2 treats as connection errors (RFC 9113 5.4.1 allows a
    stream error to be escalated): each connection opens `streams` slow
    calls, then sends `invalid(sid)` on the last one. Every connection must
    end with GOAWAY `expect`, its handlers cancelled with it."""
    got = collections.Counter()
    t0 = time.monotonic()
    for _ in range(connections):
        peer = Peer(srv.port)
        sids = [peer.sid() for _ in range(streams)]
        peer.send(b"".join(headers(s) + data(s, slow_unary(), True) for s in sids) + invalid(sids[-1]))
        peer.answers(3.0)
        got[name(peer.goaway[2]) if peer.goaway else ("closed" if peer.eof else None)] += 1
        peer.close()
    say(f"{label}: {connections} connections x {streams} slow calls in {time.monotonic() - t0:.2f} s: "
        f"answers {dict(got)}")
    check(got[name(expect)] == connections, f"{label}: every connection ends with GOAWAY {name(expect)} "
          f"({got[name(expect)]} of {connections})")


def case_made_you_reset(args):
    srv = hr.server(args.echo_server)
    hr.warm(srv)
    w = hr.Window(srv.pid).start()
    # Trailers without END_STREAM on a call whose handler sleeps 10 s
    # (cancellable): malformed (RFC 9113 8.1), stream error PROTOCOL_ERROR;
    # the reset cancels the handler. 3,000 on one connection.
    trailers_no_end = lambda s: raw.header_frames(s, raw.plain_block([("x-t", "1")]), False)  # noqa: E731
    made_you_reset_variant(srv, "trailers without END_STREAM",
                           lambda s: headers(s) + data(s, slow_unary()) + trailers_no_end(s), 3000, 50, PROTOCOL_ERROR)
    # Extra messages on a unary call whose handler sleeps: a request
    # cardinality violation (INTERNAL, as grpc-go and grpc-java), answered at
    # once with RST_STREAM(NO_ERROR) after it (the client had not finished),
    # the handler cancelled. (Before the server checked cardinality, the
    # unread extra messages overflowed the stream window: FLOW_CONTROL_ERROR;
    # case flow_control covers window overflows.) 1,000 streams, 50 at a time.
    msg = hr.grpc_frame(b"\x0a" + hr.varint(100) + b"m" * 100)
    made_you_reset_variant(srv, "extra messages on a unary call",
                           lambda s: headers(s) + data(s, slow_unary()) + data(s, msg) * 3, 1000, 50,
                           NO_ERROR, status="13")
    # WINDOW_UPDATE of 0 on a stream (RFC 9113 6.9: stream error
    # PROTOCOL_ERROR) and DATA on a half-closed stream (5.1: stream error
    # STREAM_CLOSED): nghttp2 makes both connection errors, so one per
    # connection: 40 connections of 50 slow calls each.
    made_you_reset_goaway(srv, "WINDOW_UPDATE 0 on a stream", lambda s: raw.window_update(s, 0), 40, 50,
                          PROTOCOL_ERROR)
    made_you_reset_goaway(srv, "DATA after END_STREAM", lambda s: data(s, b"x"), 40, 50, STREAM_CLOSED)
    # Handlers deaf to the reset (the Echo handler sleeps 50 ms on the
    # blocking pool, 4 threads, whatever happens to its stream): the reset
    # streams' calls still count, so past 4 x max_concurrent_streams = 400
    # live calls new streams are refused (REFUSED_STREAM), no handler runs.
    peer = Peer(srv.port)
    t0 = time.monotonic()
    resets, statuses, unanswered, sent = provoke(
        peer, 2000, lambda s: headers(s) + data(s, slow_unary(50, deaf=True)) + trailers_no_end(s), 50)
    took = time.monotonic() - t0
    codes = collections.Counter(name(c) for c in resets.values())
    accepted = sum(1 for c in resets.values() if c == PROTOCOL_ERROR)
    refused = sum(1 for c in resets.values() if c == REFUSED_STREAM)
    # The pool finishes at most 4 handlers per 50 ms while the burst runs.
    bound = 400 + int(80 * took) + 50
    say(f"deaf handlers: {sent} streams in {took:.2f} s: RST_STREAM {dict(codes)}, unanswered {unanswered}, "
        f"GOAWAY {name(peer.goaway[2]) if peer.goaway else None}")
    check(refused > 0 and accepted + refused == sent,
          f"deaf handlers: every stream reset PROTOCOL_ERROR or REFUSED_STREAM, some refused "
          f"({accepted} + {refused} of {sent})")
    check(accepted <= bound, f"deaf handlers: calls admitted {accepted} <= 400 live + what the pool finished ({bound})")
    check(peer.goaway is None, f"deaf handlers: no GOAWAY (got {name(peer.goaway[2]) if peer.goaway else None})")
    time.sleep(max(0.0, 400 * 0.05 / 4 - (time.monotonic() - t0)) + 0.5)  # the pool drains
    if peer.goaway is None and not peer.eof:
        same_connection_call(peer, "deaf handlers")
    peer.close()
    w.stop()
    w.report("resets provoked on the server")
    hr.common_after(srv, w, "resets provoked on the server")


# ---- 2. flow-control abuse ------------------------------------------------------------

def goaway_of(peer, timeout=3.0):
    peer.answers(timeout)
    return peer.goaway[2] if peer.goaway else ("closed" if peer.eof else None)


def read_varint(buf, j):
    """A protobuf varint at buf[j]: (value, index after it)."""
    v, shift = 0, 0
    while True:
        b = buf[j]
        j += 1
        v |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return v, j


def parse_echo_responses(body):
    """gRPC-framed EchoResponse messages: [(index, payload length)]."""
    out = []
    i = 0
    while i + 5 <= len(body):
        n = struct.unpack(">I", body[i + 1:i + 5])[0]
        msg = body[i + 5:i + 5 + n]
        i += 5 + n
        index, payload, j = 0, 0, 0
        while j < len(msg):
            key = msg[j]
            if key & 7 not in (0, 2):
                break
            v, j = read_varint(msg, j + 1)
            if key & 7 == 0:
                if key >> 3 == 2:
                    index = v
            else:
                if key >> 3 == 3:
                    payload = v
                j += v
        out.append((index, payload))
    return out, len(body) - i


def download(peer, sid, credit, timeout=10.0, on_data=None):
    """Reads a response on `sid`, crediting the stream with credit(n) for
    each n bytes of DATA: (grpc-status, body, reset)."""
    status, body, reset = None, bytearray(), None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ev = peer.next_event(deadline - time.monotonic())
        if ev is None or ev[0] in ("eof", "goaway"):
            break
        if ev[0] == "headers" and ev[1] == sid:
            status = dict(ev[2]).get("grpc-status", status)
            if ev[3]:
                break
        elif ev[0] == "data" and ev[1] == sid:
            body += ev[2]
            if on_data:
                on_data(len(body))
            credit(len(ev[2]))
            if ev[3]:
                break
        elif ev[0] == "rst" and ev[1] == sid:
            reset = ev[2]
            break
    return status, bytes(body), reset


def case_flow_control(args):
    srv = hr.server(args.echo_server)
    hr.warm(srv)
    w = hr.Window(srv.pid).start()
    W = raw.MAX_WINDOW

    # Connection window past 2^31-1: RFC 9113 6.9.1 connection error FLOW_CONTROL_ERROR.
    p = Peer(srv.port)
    p.send(raw.window_update(0, W))
    got = goaway_of(p)
    check(got == FLOW_CONTROL_ERROR, f"WINDOW_UPDATE(0, 2^31-1) over the initial 65535: GOAWAY FLOW_CONTROL_ERROR "
          f"(got {name(got)})")
    p.close()

    # A stream window past 2^31-1: stream error FLOW_CONTROL_ERROR, the connection goes on.
    p = Peer(srv.port)
    sid = p.sid()
    p.send(headers(sid) + data(sid, slow_unary(), True) + raw.window_update(sid, W))
    evs = p.answers(3, lambda e: e[-1][0] == "rst")
    rst = [e[2] for e in evs if e[0] == "rst" and e[1] == sid]
    check(rst == [FLOW_CONTROL_ERROR] and p.goaway is None,
          f"WINDOW_UPDATE(stream, 2^31-1): RST_STREAM FLOW_CONTROL_ERROR, no GOAWAY "
          f"(got {[name(c) for c in rst]}, GOAWAY {name(p.goaway[2]) if p.goaway else None})")
    if p.goaway is None and not p.eof:
        same_connection_call(p, "stream window overflow")
    p.close()

    # SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1: RFC 9113 6.5.2 connection error FLOW_CONTROL_ERROR.
    p = Peer(srv.port)
    p.send(raw.settings_frame([(raw.SETTINGS_INITIAL_WINDOW_SIZE, 2**31)]))
    got = goaway_of(p)
    check(got == FLOW_CONTROL_ERROR, f"SETTINGS_INITIAL_WINDOW_SIZE 2^31: GOAWAY FLOW_CONTROL_ERROR (got {name(got)})")
    p.close()

    # A window shrunk to 0 mid-response (SETTINGS_INITIAL_WINDOW_SIZE 0: every
    # stream window drops by 65535, RFC 9113 6.9.2), then reopened: nothing
    # may be sent while it is closed, and the response completes intact.
    p = Peer(srv.port)
    sid = p.sid()
    count, size = 32, 64 * KiB
    p.send(headers(sid, ECHO + "ServerStream") +
           data(sid, hr.grpc_frame(hr.echo_request(b"w", count=count, response_size=size)), True))
    state = {"credit": True, "while_closed": 0, "closed": False}

    def credit(n):
        if state["closed"]:
            state["while_closed"] += n
        elif state["credit"]:
            p.send(raw.window_update(sid, n))

    def on_data(total):
        if total >= 256 * KiB and state["credit"]:
            # Stop crediting, then close the window: the server may still
            # send what the window it knew allowed, until it reads the SETTINGS.
            state["credit"] = False
            p.send(raw.settings_frame([(raw.SETTINGS_INITIAL_WINDOW_SIZE, 0)]))
    # What the old window allowed arrives within the first 2 s; anything in
    # the next second is a violation.
    status, body1, reset = download(p, sid, credit, timeout=2.0, on_data=on_data)
    state["closed"] = True
    quiet_from = len(body1)
    _, body2, _ = download(p, sid, credit, timeout=1.0)
    after_close = len(body2)
    state["closed"] = False
    state["credit"] = True
    p.send(raw.settings_frame([(raw.SETTINGS_INITIAL_WINDOW_SIZE, 65535)]) + raw.window_update(sid, 65535))
    status, body3, reset = download(p, sid, credit, timeout=10.0)
    body = body1 + body2 + body3
    msgs, rest = parse_echo_responses(body)
    say(f"window shrunk to 0 after {mib(quiet_from)}: {after_close} bytes arrived while closed (after 2 s), "
        f"then {len(body3)} bytes; {len(msgs)} messages, grpc-status {status}, reset {name(reset)}")
    check(after_close == 0, f"nothing sent while the window is 0 ({after_close} bytes)")
    check(status == "0" and reset is None and rest == 0 and
          [m[0] for m in msgs] == list(range(count)) and all(m[1] == size for m in msgs),
          f"the response completes intact after the window reopens: {count} messages of {size} bytes in order, OK "
          f"(got {len(msgs)}, status {status})")
    p.close()

    # 1-byte WINDOW_UPDATEs: a client with SETTINGS_INITIAL_WINDOW_SIZE 1
    # credits a 32 KiB response one byte at a time: 32,000+ DATA frames of one
    # byte. What it costs the server must stay bounded (CPU < 0.9 x wall).
    p = Peer(srv.port, settings=[(raw.SETTINGS_INITIAL_WINDOW_SIZE, 1)])
    sid = p.sid()
    size = 32 * KiB
    p.send(headers(sid, ECHO + "Unary") +
           data(sid, hr.grpc_frame(hr.echo_request(b"d", response_size=size)), True))
    frames = [0]
    w1 = hr.Window(srv.pid).start()

    def credit1(n):
        frames[0] += 1
        p.send(raw.window_update(sid, 1))
    status, body, reset = download(p, sid, credit1, timeout=30.0)
    w1.stop()
    msgs, rest = parse_echo_responses(body)
    say(f"1-byte windows: {frames[0]} DATA frames, {len(body)} bytes in {w1.wall:.2f} s, server CPU {w1.cpu:.2f} s; "
        f"grpc-status {status}")
    check(status == "0" and len(msgs) == 1 and msgs[0][1] == size and rest == 0,
          f"1-byte windows: the response completes intact (status {status}, {len(body)} bytes)")
    check(w1.cpu < 0.9 * w1.wall + 0.02, f"1-byte windows: server CPU {w1.cpu:.2f} s < 0.9 x wall {w1.wall:.2f} s")
    p.close()
    w.stop()
    w.report("flow-control abuse")
    hr.common_after(srv, w, "flow-control abuse")


# ---- 3. frames out of order -------------------------------------------------------------

def out_of_order_cases(path, body):
    """(label, bytes to send after the preface and SETTINGS, expected GOAWAY
    code or None for "the connection goes on"). The RFC 9113 section says why."""
    req = lambda s, end=True: raw.header_frames(s, raw.plain_block(hr.request_headers(path)), False) + data(s, body, end)  # noqa: E731
    hdr_block = raw.plain_block(hr.request_headers(path))
    return [
        ("DATA on stream 0 (6.1)", data(0, b"x"), PROTOCOL_ERROR),
        ("DATA on an idle stream (5.1)", data(1, hr.grpc_frame(b""), True), PROTOCOL_ERROR),
        ("CONTINUATION without HEADERS (6.10)", raw.frame(raw.CONTINUATION, raw.FLAG_END_HEADERS, 1, hdr_block),
         PROTOCOL_ERROR),
        ("HEADERS on an even stream id (5.1.1)", req(2), PROTOCOL_ERROR),
        # RFC 9113 5.1.1 says PROTOCOL_ERROR; nghttp2 ignores a HEADERS on a
        # lower (hence closed) stream id on purpose: it cannot tell it from
        # trailers racing a reset. The block is decoded and dropped; no reset.
        ("a stream id lower than a previous one (5.1.1; nghttp2 ignores it)", req(5) + req(3), None),
        ("PRIORITY on an idle stream (5.1: allowed)", raw.frame(raw.PRIORITY, 0, 9, struct.pack(">IB", 0, 15)), None),
        ("RST_STREAM on an idle stream (6.4)", raw.frame(raw.RST_STREAM, 0, 1, struct.pack(">I", 8)), PROTOCOL_ERROR),
        ("WINDOW_UPDATE on an idle stream (5.1)", raw.window_update(1, 100), PROTOCOL_ERROR),
        ("WINDOW_UPDATE 0 on the connection (6.9)", raw.window_update(0, 0), PROTOCOL_ERROR),
        ("SETTINGS ACK with nothing to acknowledge", raw.settings_frame(ack=True), PROTOCOL_ERROR),
        ("SETTINGS ACK with a payload (6.5)", raw.frame(raw.SETTINGS, raw.FLAG_ACK, 0, struct.pack(">HI", 4, 1)),
         FRAME_SIZE_ERROR),
        ("PUSH_PROMISE from a client (8.4)",
         raw.frame(raw.PUSH_PROMISE, raw.FLAG_END_HEADERS, 1, struct.pack(">I", 2) + hdr_block), PROTOCOL_ERROR),
        ("DATA larger than SETTINGS_MAX_FRAME_SIZE (4.2)",
         req(1, end=False) + data(1, b"x" * (raw.MAX_FRAME + 1), True), FRAME_SIZE_ERROR),
        ("HEADERS larger than SETTINGS_MAX_FRAME_SIZE (4.2)",
         raw.frame(raw.HEADERS, raw.FLAG_END_HEADERS, 1, hdr_block + raw.literal("x-pad", "p" * raw.MAX_FRAME)),
         FRAME_SIZE_ERROR),
        ("a DATA frame inside a header block (6.2, 6.10)",
         raw.frame(raw.HEADERS, 0, 1, hdr_block) + data(1, body), PROTOCOL_ERROR),
        ("PING of 7 bytes (6.7)", raw.frame(raw.PING, 0, 0, b"1234567"), FRAME_SIZE_ERROR),
    ]


def frames_out_of_order(srv, call_kwargs, path, body, expect):
    hr.warm(srv, **call_kwargs)
    w = hr.Window(srv.pid).start()
    for label, attack, want in out_of_order_cases(path, body):
        p = Peer(srv.port)
        p.send(attack)
        evs = p.answers(2.0 if want is None else 3.0)
        got = p.goaway[2] if p.goaway else ("closed" if p.eof else None)
        rsts = [(e[1], name(e[2])) for e in evs if e[0] == "rst"]
        say(f"{label}: GOAWAY {name(got)}{', RST_STREAM ' + str(rsts) if rsts else ''}")
        check(got == want, f"{label}: {'GOAWAY ' + name(want) if want is not None else 'no GOAWAY'} (got {name(got)})")
        if want is None and got is None:
            p.next_sid = 7  # above every id the cases use
            status, answer, reset = p.unary(path=path, body=body)
            check(status == "0" and expect in answer,
                  f"{label}: a normal call on the same connection (grpc-status {status}, reset {name(reset)})")
        p.close()
        if not check(srv.alive(), f"server alive after {label}"):
            return
        hr.normal_call(srv.port, label, **call_kwargs)
    w.stop()
    w.report("frames out of order")
    hr.common_after(srv, w, "frames out of order", call_kwargs)


def case_frames_out_of_order(args):
    srv = hr.server(args.echo_server)
    frames_out_of_order(srv, {}, hr.ECHO_UNARY, hr.grpc_frame(hr.echo_request(b"same connection")),
                        b"same connection")


HELLO_REQUEST = hr.grpc_frame(b"\x0a\x0bstill alive")  # helloworld.HelloRequest{name="still alive"}


def case_frames_out_of_order_helloworld(args):
    if not args.helloworld_server:
        return check(False, "--helloworld-server is required")
    srv = hr.server(args.helloworld_server)
    call = {"path": "/helloworld.Greeter/SayHello", "body": HELLO_REQUEST, "expect": b"Hello still alive"}
    frames_out_of_order(srv, call, call["path"], HELLO_REQUEST, b"Hello still alive")


# ---- 4. slow connections ------------------------------------------------------------------

def compact_request_headers(sid, path):
    """The request HEADERS frame in few bytes (static-table HPACK)."""
    block = (b"\x83\x86" + b"\x04" + raw.hpack_str(path.encode()) + b"\x01\x01x" +
             b"\x0f\x10" + raw.hpack_str(b"application/grpc") + raw.literal("te", "trailers"))
    return raw.frame(raw.HEADERS, raw.FLAG_END_HEADERS, sid, block)


def case_slow_headers(args):
    """500 connections, each past the preface, sending its request HEADERS
    one byte every 50 ms (slowloris inside HTTP/2: nothing but the preface
    has a timer, so the server keeps them all), then the message. Memory and
    CPU stay bounded; every call is answered OK at the end."""
    n = 500
    hr.raise_own_nofile(n + 200)
    srv = hr.server(args.echo_server, nofile=n + 200)
    hr.warm(srv)
    w = hr.Window(srv.pid).start()
    peers = [Peer(srv.port) for _ in range(n)]
    frame_bytes = compact_request_headers(1, hr.ECHO_UNARY)
    say(f"{n} connections past the preface; each sends a {len(frame_bytes)}-byte HEADERS frame one byte per 50 ms "
        f"({len(frame_bytes) * 0.05:.1f} s)")
    closed = 0
    t0 = time.monotonic()
    for i in range(len(frame_bytes)):
        tick = t0 + i * 0.05
        time.sleep(max(0.0, tick - time.monotonic()))
        for p in peers:
            try:
                p.sock.send(frame_bytes[i:i + 1])
            except OSError:
                closed += 1
    trickle = time.monotonic() - t0
    for p in peers:  # anything the server said meanwhile (nothing expected)
        p.answers(0)
    early = sum(1 for p in peers if p.eof or p.goaway)
    rss_mid = hr.rss(srv.pid) - w.rss0
    say(f"trickle done in {trickle:.1f} s: connections closed or GOAWAY by the server {early}, send errors {closed}, "
        f"RSS growth {mib(rss_mid)}")
    check(early == 0 and closed == 0, f"the server keeps connections whose HEADERS trickle in ({early} closed)")
    body = hr.grpc_frame(hr.echo_request(b"slow but sure"))
    for p in peers:
        p.send(data(1, body, True))
    ok = 0
    deadline = time.monotonic() + 10
    for p in peers:
        status, got = None, b""
        for ev in p.answers(max(0.1, deadline - time.monotonic()),
                            lambda e: e[-1][0] == "headers" and e[-1][3] or e[-1][0] == "rst"):
            if ev[0] == "headers":
                status = dict(ev[2]).get("grpc-status", status)
            elif ev[0] == "data":
                got += ev[2]
        ok += status == "0" and b"slow but sure" in got
    w.stop()
    say(f"{ok} of {n} trickled calls answered OK")
    check(ok == n, f"every trickled call is answered OK in the end ({ok} of {n})")
    check(rss_mid < 32 * MiB, f"RSS growth with {n} half-received header blocks {mib(rss_mid)} < 32 MiB")
    for p in peers:
        p.close()
    w.report(f"{n} connections trickling their HEADERS")
    hr.common_after(srv, w, f"{n} slow connections")


# ---- 5. hostile servers for the client ------------------------------------------------------

# mode, extra args, exit code, text the status must contain (any of).
# PROTOCOL-HTTP2.md maps RST_STREAM codes; http-grpc-status-mapping.md HTTP
# statuses; statuscodes.md the rest.
CLIENT_EXPECTATIONS = [
    # PROTOCOL-HTTP2.md "Connection failure": every call UNAVAILABLE.
    ("garbage", [], ("UNAVAILABLE",)),
    ("goaway", [], ("UNAVAILABLE",)),
    ("huge-length", [], ("RESOURCE_EXHAUSTED",)),
    ("cut-off", [], ("INTERNAL",)),
    ("cut-off-trailers", [], ("INTERNAL",)),
    # grpc-core answers UNKNOWN ("No status received"); INTERNAL is what most
    # implementations say for a response without a status. Either, never OK.
    ("no-status", [], ("INTERNAL", "UNKNOWN")),
    ("http-503", [], ("UNAVAILABLE",)),
    ("http-503-only", [], ("UNAVAILABLE",)),
    ("text-html", [], ("UNKNOWN",)),
    # statuscodes.md: "Flow-control protocol violation: INTERNAL". The flood's
    # 16 KiB messages may first complete a second message for the unary call
    # (a cardinality violation, also INTERNAL); either way never OK, and the
    # client never buffers past its window.
    ("data-flood", [], ("INTERNAL",)),
    # A response cardinality violation (a unary call answered with zero or
    # several messages): INTERNAL at the client, as grpc-go and grpc-java.
    ("no-message", [], ("INTERNAL",)),
    ("many-messages", [], ("INTERNAL",)),
] + [("rst", [f"--code={code}"], (status,)) for code, status in [
    (0, "INTERNAL"), (1, "INTERNAL"), (2, "INTERNAL"), (3, "INTERNAL"), (4, "INTERNAL"), (6, "INTERNAL"),
    (7, "UNAVAILABLE"), (8, "CANCELLED"), (9, "INTERNAL"), (10, "INTERNAL"), (11, "RESOURCE_EXHAUSTED"),
    (12, "PERMISSION_DENIED"), (13, "INTERNAL")]]


def case_client_hostile_servers(args):
    if not args.helloworld_client:
        return check(False, "--helloworld-client is required")
    ref = hr.hostile("normal")
    code, out, err, ref_rss, _ = hr.run_client([args.helloworld_client, f"--target=127.0.0.1:{ref.port}"], 20)
    ref.stop()
    say(f"reference (well-behaved server): exit {code}, max RSS {mib(ref_rss)}")
    check(code == 0 and "Hello hostile" in out, f"reference call OK (exit {code}, {err.strip()!r})")
    for mode, extra, wanted in CLIENT_EXPECTATIONS:
        label = mode + (" " + " ".join(extra) if extra else "")
        srv = hr.hostile(mode, "--max-seconds=20", *extra)
        t0 = time.monotonic()
        code, out, err, max_rss, _ = hr.run_client([args.helloworld_client, f"--target=127.0.0.1:{srv.port}"], 15)
        took = time.monotonic() - t0
        srv.stop()
        status = err.strip().replace("SayHello failed: ", "")
        say(f"{label}: exit {code} in {took:.2f} s, {status!r}{' stdout ' + repr(out.strip()[:60]) if out.strip() else ''}"
            f", max RSS {mib(max_rss)}")
        check(code == 1 and status.split(":")[0] in wanted,
              f"{label}: exit 1 with {' or '.join(wanted)} (got exit {code}, {status[:100]!r})")
        check(took < 5, f"{label}: the client ends within 5 s ({took:.2f} s)")
        check(max_rss - ref_rss < 32 * MiB, f"{label}: client max RSS growth {mib(max_rss - ref_rss)} < 32 MiB")
    # A server that never sends SETTINGS nor anything else: the call ends at
    # its deadline (helloworld-client has a fixed 10 s deadline, so this uses
    # upload_client with 2 s).
    if not args.upload_client:
        return check(False, "--upload-client is required")
    srv = hr.hostile("silent", "--max-seconds=20")
    t0 = time.monotonic()
    code, out, err, _, _ = hr.run_client(
        [args.upload_client, f"--target=127.0.0.1:{srv.port}", "--mib=0", "--timeout-s=2"], 10)
    took = time.monotonic() - t0
    srv.stop()
    say(f"silent (no SETTINGS), upload_client with a 2 s deadline: exit {code} in {took:.2f} s, {out.strip()!r}")
    check(code == 1 and "DEADLINE_EXCEEDED" in out, f"silent server: exit 1 with DEADLINE_EXCEEDED (got {code})")
    check(1.9 < took < 4, f"silent server: the call ends at its 2 s deadline ({took:.2f} s)")


CASES = {
    "made_you_reset": case_made_you_reset,
    "flow_control": case_flow_control,
    "frames_out_of_order": case_frames_out_of_order,
    "frames_out_of_order_helloworld": case_frames_out_of_order_helloworld,
    "slow_headers": case_slow_headers,
    "client_hostile_servers": case_client_hostile_servers,
}

#!/usr/bin/python3
"""h2hold — opens many HTTP/2 connections (and, optionally, gRPC streams) to
a server and holds them open, so bench/run can read the server's RSS
(scenario g).

    h2hold.py --port=P --connections=N [--streams=K --path=/bench.Bench/PingPong]

Each connection sends the HTTP/2 preface and an empty SETTINGS frame, and
counts as established once the server's SETTINGS arrived (and were
acknowledged). With --streams=K, each connection then opens K streams on
--path (HEADERS without END_STREAM), sends one 10-byte message on each and
waits for the echoed message: the server then really holds K live calls
per connection (a handler waiting for the next message). Nothing is ever
half-closed.

Prints "ready <connections> <streams>" on stdout when everything is
established (or "failed <reason>" and exits 1), then keeps every
connection open, answering PINGs and SETTINGS, until stdin is closed.

Raw frames and a minimal HPACK encoder (literal header fields, never
indexed, no Huffman) so that it needs nothing beyond python3: responses are
never decoded, only framed.
"""
import argparse
import asyncio
import struct
import sys

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, RST_STREAM, SETTINGS, PING, GOAWAY, WINDOW_UPDATE = 0, 1, 3, 4, 6, 7, 8
END_STREAM, ACK, END_HEADERS = 0x1, 0x1, 0x4


def frame(ftype, flags, stream, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + struct.pack(">I", stream) + payload


def hpack_int(value, prefix_bits, first=0):
    limit = (1 << prefix_bits) - 1
    if value < limit:
        return bytes([first | value])
    out = [first | limit]
    value -= limit
    while value >= 128:
        out.append((value & 127) | 128)
        value >>= 7
    out.append(value)
    return bytes(out)


def hpack_literal(name, value):
    # "Literal Header Field without Indexing -- New Name" (RFC 7541 6.2.2).
    n, v = name.encode(), value.encode()
    return b"\x00" + hpack_int(len(n), 7) + n + hpack_int(len(v), 7) + v


class Conn:
    def __init__(self, args):
        self.args = args
        self.settings = asyncio.Event()
        self.echoed = set()
        self.all_echoed = asyncio.Event()
        self.error = None
        self.writer = None

    async def open(self):
        a = self.args
        reader, self.writer = await asyncio.open_connection("127.0.0.1", a.port)
        self.writer.write(PREFACE + frame(SETTINGS, 0, 0))
        self.reader_task = asyncio.ensure_future(self.read_loop(reader))
        await asyncio.wait_for(self.settings.wait(), a.timeout)
        if a.streams:
            block = b"".join(hpack_literal(n, v) for n, v in [
                (":method", "POST"), (":scheme", "http"), (":path", a.path),
                (":authority", "127.0.0.1:%d" % a.port), ("content-type", "application/grpc"),
                ("te", "trailers")])
            blob = b"\x0a\x0a" + b"h" * 10  # bench.Blob{data: 10 bytes}
            message = b"\x00" + struct.pack(">I", len(blob)) + blob
            out = []
            for i in range(a.streams):
                sid = 1 + 2 * i
                out.append(frame(HEADERS, END_HEADERS, sid, block))
                out.append(frame(DATA, 0, sid, message))
            self.writer.write(b"".join(out))
            await asyncio.wait_for(self.all_echoed.wait(), a.timeout)
        if self.error:
            raise RuntimeError(self.error)

    async def read_loop(self, reader):
        try:
            while True:
                head = await reader.readexactly(9)
                length = int.from_bytes(head[:3], "big")
                ftype, flags = head[3], head[4]
                sid = int.from_bytes(head[5:9], "big") & 0x7FFFFFFF
                payload = await reader.readexactly(length) if length else b""
                if ftype == SETTINGS and not flags & ACK:
                    self.writer.write(frame(SETTINGS, ACK, 0))
                    self.settings.set()
                elif ftype == PING and not flags & ACK:
                    self.writer.write(frame(PING, ACK, 0, payload))
                elif ftype == DATA and sid and length:
                    self.echoed.add(sid)
                    if len(self.echoed) >= self.args.streams:
                        self.all_echoed.set()
                elif ftype == RST_STREAM or ftype == GOAWAY or (ftype in (HEADERS, DATA) and flags & END_STREAM):
                    # Nothing should end while held: a reset, a GOAWAY or a
                    # finished call (trailers) is a failure.
                    self.fail("server ended stream %d (frame type %d)" % (sid, ftype))
        except (asyncio.IncompleteReadError, ConnectionError) as e:
            self.fail("connection closed: %r" % e)
        except asyncio.CancelledError:
            pass

    def fail(self, why):
        if not self.error:
            self.error = why
        self.settings.set()
        self.all_echoed.set()


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--connections", type=int, required=True)
    p.add_argument("--streams", type=int, default=0, help="streams per connection")
    p.add_argument("--path", default="/bench.Bench/PingPong")
    p.add_argument("--parallel", type=int, default=64, help="connections being opened at once")
    p.add_argument("--timeout", type=float, default=60)
    args = p.parse_args()

    conns = [Conn(args) for _ in range(args.connections)]
    gate = asyncio.Semaphore(args.parallel)

    async def open_one(c):
        async with gate:
            await c.open()

    try:
        await asyncio.gather(*(open_one(c) for c in conns))
    except Exception as e:  # noqa: BLE001 - report whatever went wrong
        print("failed %s" % (e or type(e).__name__), flush=True)
        return 1
    print("ready %d %d" % (len(conns), len(conns) * args.streams), flush=True)

    # Hold until stdin closes; report a server-side failure meanwhile.
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)
    errors = [c.error for c in conns if c.error]
    for c in conns:
        c.reader_task.cancel()
        c.writer.close()
    if errors:
        print("failed while held: %d connections, first: %s" % (len(errors), errors[0]), flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))

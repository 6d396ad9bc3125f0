#!/usr/bin/python3
"""The official Python client (python3-grpcio) against pronto's built-in
health service: Check and Watch see SERVING, then NOT_SERVING as soon as the
server begins shutting down (SIGTERM), while a call is still in flight.

Messages come from the project's health.proto (and the Echo test proto)
through protoc --descriptor_set_out and protobuf's message factory, so no
grpc_tools (python3-grpc-tools) is needed.

usage: health_grpcio.py <pronto-echo-server> <protoc> <health.proto root> <echo.proto dir>
"""
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory


def load_messages(protoc, root, proto):
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "set.pb")
        subprocess.run([protoc, "-I", root, "--include_imports", "--descriptor_set_out=" + out, proto],
                       check=True)
        fds = descriptor_pb2.FileDescriptorSet()
        with open(out, "rb") as f:
            fds.ParseFromString(f.read())
    pool = descriptor_pool.DescriptorPool()
    for fd in fds.file:
        pool.Add(fd)
    factory = message_factory.MessageFactory(pool)
    messages = {}
    for fd in fds.file:
        for m in fd.message_type:
            full = f"{fd.package}.{m.name}" if fd.package else m.name
            messages[m.name] = factory.GetPrototype(pool.FindMessageTypeByName(full))
    return messages


def main():
    server_bin, protoc, health_root, echo_dir = sys.argv[1:5]
    health = load_messages(protoc, health_root, "grpc/health/v1/health.proto")
    echo = load_messages(protoc, echo_dir, "echo.proto")
    Req, Resp = health["HealthCheckRequest"], health["HealthCheckResponse"]
    SERVING, NOT_SERVING = Resp.SERVING, Resp.NOT_SERVING

    proc = subprocess.Popen([server_bin, "--port=0"], stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("listening on port "), line
        port = int(line.split()[-1])
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        check = channel.unary_unary("/grpc.health.v1.Health/Check", request_serializer=Req.SerializeToString,
                                    response_deserializer=Resp.FromString)
        watch = channel.unary_stream("/grpc.health.v1.Health/Watch", request_serializer=Req.SerializeToString,
                                     response_deserializer=Resp.FromString)
        slow = channel.unary_unary("/pronto.test.Echo/Unary",
                                   request_serializer=echo["EchoRequest"].SerializeToString,
                                   response_deserializer=echo["EchoResponse"].FromString)

        assert check(Req(service=""), timeout=10).status == SERVING
        assert check(Req(service="pronto.test.Echo"), timeout=10).status == SERVING
        try:
            check(Req(service="no.Such"), timeout=10)
            raise AssertionError("Check on an unknown service succeeded")
        except grpc.RpcError as e:
            assert e.code() == grpc.StatusCode.NOT_FOUND, e

        seen = queue.Queue()
        stream = watch(Req(service="pronto.test.Echo"), timeout=20)

        def read_watch():
            try:
                for m in stream:
                    seen.put((time.monotonic(), m.status))
                seen.put((time.monotonic(), "end OK"))
            except grpc.RpcError as e:
                seen.put((time.monotonic(), e.code()))

        reader = threading.Thread(target=read_watch)
        reader.start()
        assert seen.get(timeout=10)[1] == SERVING

        # A call that runs 800 ms, then SIGTERM (grace 1 s): the Watch must
        # say NOT_SERVING at the start of the shutdown, before the call ends.
        future = slow.future(echo["EchoRequest"](message="slow", delay_ms=800), timeout=10)
        time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)
        t, status = seen.get(timeout=10)
        assert status == NOT_SERVING, status
        assert not future.done(), "NOT_SERVING came only after the in-flight call ended"
        assert future.result().message == "slow"
        _, end = seen.get(timeout=10)
        assert end == grpc.StatusCode.UNAVAILABLE, end
        reader.join()
        channel.close()
        assert proc.wait(timeout=10) == 0
        print("ok: Check and Watch saw SERVING, then NOT_SERVING when shutdown began")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""The seed article's Python clients (official python3-grpcio) against seed-server.

    python_seed_client.py BIN_DIR PROTO_DIR

Starts BIN_DIR/seed-server on a free loopback port (--port=0, then the printed
"listening on port N"), makes the calls of the seed's four Python clients with
the auth metadata and a deadline, checks their results, and stops the server
(always). The *_pb2 modules are generated from PROTO_DIR into a temporary
directory with `protoc --python_out` (nothing generated is committed); the calls
go through grpc's generic channel methods, so no grpc_python_plugin is needed.
Exit status: 0 when every check passed.
"""

import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

import grpc

TOKEN = "Bearer " + "python-token-" + "0" * 40  # longer than 50: the seed's rule


def generate_modules(proto_dir, out_dir):
    protos = sorted(p for p in os.listdir(proto_dir) if p.endswith(".proto"))
    subprocess.run(["protoc", "-I.", f"--python_out={out_dir}"] + protos, cwd=proto_dir, check=True)
    sys.path.insert(0, out_dir)


def start_server(bin_dir, work_dir):
    server = subprocess.Popen(
        [os.path.join(bin_dir, "seed-server"), "--port=0", "--threads=2", f"--db={work_dir}/seed.db"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = server.stdout.readline().strip()
    if not line.startswith("listening on port "):
        server.kill()
        raise RuntimeError(f"seed-server did not start: {line!r}")
    return server, int(line.rsplit(" ", 1)[1])


def check(ok, what):
    print(("PASS " if ok else "FAIL ") + what)
    return ok


def run_clients(port):
    import analytics_service_pb2 as analytics
    import log_service_pb2 as log
    import sensor_service_pb2 as sensor
    import user_service_pb2 as user

    md = [("authorization", TOKEN)]
    ok = True
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        # Mode 1: unary, with a deadline; then NOT_FOUND and UNAUTHENTICATED.
        get = channel.unary_unary("/pronto.examples.UserService/GetUserProfile",
                                  request_serializer=user.UserRequest.SerializeToString,
                                  response_deserializer=user.UserProfile.FromString)
        profile = get(user.UserRequest(user_id="u_12345"), metadata=md, timeout=5.0)
        print(f"Username: {profile.username}\nEmail: {profile.email}")
        ok &= check(profile.username == "ada" and profile.email == "ada@example.com", "GetUserProfile")
        for user_id, metadata, code, details in (
                ("u_999", md, grpc.StatusCode.NOT_FOUND, "User u_999 not found"),
                ("u_12345", [], grpc.StatusCode.UNAUTHENTICATED, "Invalid or missing auth token")):
            try:
                get(user.UserRequest(user_id=user_id), metadata=metadata, timeout=5.0)
                ok &= check(False, f"GetUserProfile({user_id}) should fail")
            except grpc.RpcError as e:
                ok &= check(e.code() == code and e.details() == details, f"{e.code()} {e.details()}")

        # Mode 2: server streaming.
        stream_logs = channel.unary_stream("/pronto.examples.LogService/StreamLogs",
                                           request_serializer=log.LogFilter.SerializeToString,
                                           response_deserializer=log.LogEntry.FromString)
        entries = []
        for entry in stream_logs(log.LogFilter(service_name="payment-service", start_timestamp=1710000000),
                                 metadata=md, timeout=5.0):
            print(f"[{entry.level}] {entry.message}")
            entries.append(entry.message)
        ok &= check(entries == ["payment accepted order=1001", "retrying card authorization order=1002",
                                "card declined order=1003", "payment accepted order=1004"], "StreamLogs")

        # Mode 3: client streaming from a generator.
        upload = channel.stream_unary("/pronto.examples.SensorService/UploadSensorData",
                                      request_serializer=sensor.SensorReading.SerializeToString,
                                      response_deserializer=sensor.UploadSummary.FromString)

        def generate_sensor_readings(device_id):
            for i in range(10_000):
                value = -300.0 if i % 1000 == 999 else random.uniform(-10.0, 50.0)
                yield sensor.SensorReading(device_id=device_id, value=value, timestamp=int(time.time()))

        summary = upload(generate_sensor_readings("sensor_042"), metadata=md, timeout=30.0)
        print(f"Uploaded: {summary.total_stored} / {summary.total_received}\nErrors: {summary.error_count}")
        ok &= check((summary.total_received, summary.total_stored, summary.error_count) == (10000, 9990, 10),
                    "UploadSensorData")

        # Mode 4: bidirectional, events paced while results stream back.
        pipeline = channel.stream_stream("/pronto.examples.AnalyticsService/ProcessPipeline",
                                         request_serializer=analytics.AnalyticsEvent.SerializeToString,
                                         response_deserializer=analytics.ProcessedResult.FromString)

        def event_generator():
            for event_id, event_type in (("e001", "purchase"), ("e002", "page_view"), ("e003", "click")):
                yield analytics.AnalyticsEvent(event_id=event_id, event_type=event_type)
                time.sleep(0.1)

        results = []
        for result in pipeline(event_generator(), metadata=md, timeout=5.0):
            print(f"[{result.event_id}] -> {result.category} (confidence: {result.confidence:.2f})")
            results.append((result.event_id, result.category))
        ok &= check(results == [("e001", "conversion"), ("e002", "engagement"), ("e003", "interaction")],
                    "ProcessPipeline")
    return ok


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    bin_dir, proto_dir = sys.argv[1], sys.argv[2]
    work_dir = tempfile.mkdtemp(prefix="pronto-py-seed.")
    server = None
    try:
        generate_modules(proto_dir, work_dir)
        server, port = start_server(bin_dir, work_dir)
        return 0 if run_clients(port) else 1
    finally:
        if server:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        shutil.rmtree(work_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

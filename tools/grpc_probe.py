#!/usr/bin/python3
"""grpc_probe: an independent gRPC client for operators, scripts and tests.

It speaks to any partydev binary with Debian's python3-grpcio, not with our
C++ code, so it checks what other systems will see:

  grpc_probe.py health 127.0.0.1:50051 [--service NAME]   SERVING -> exit 0
  grpc_probe.py wait 127.0.0.1:50051 [--timeout 30] [--want SERVING]
  grpc_probe.py services 127.0.0.1:50051                  reflection listing

The grpc.health.v1 and grpc.reflection.v1alpha messages are generated at
first use from Debian's grpc-proto package with protoc (python3-grpcio 1.51
ships neither module), into a cache directory.
"""
import argparse
import hashlib
import importlib
import os
import subprocess
import sys
import time

import grpc

GRPC_PROTO_DIR = "/usr/share/grpc-proto"
PROTOS = ["grpc/health/v1/health.proto", "grpc/reflection/v1alpha/reflection.proto"]


def _load_messages():
    key = hashlib.sha1(open("/usr/bin/protoc", "rb").read(4096)).hexdigest()[:8]
    cache = os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")),
        "partydev", "grpc_probe-" + key)
    # The folder must not be named grpc/ at the top: it would shadow the
    # grpc package (shared/build-notes.md); protoc writes grpc/... below it,
    # so import through a package prefix instead.
    root = os.path.join(cache, "pyproto")
    if not os.path.exists(os.path.join(root, "done")):
        os.makedirs(root, exist_ok=True)
        subprocess.run(["protoc", "-I", GRPC_PROTO_DIR, "--python_out", root] +
                       [os.path.join(GRPC_PROTO_DIR, p) for p in PROTOS],
                       check=True)
        for dirpath, _, _ in os.walk(root):
            open(os.path.join(dirpath, "__init__.py"), "a").close()
        open(os.path.join(root, "done"), "w").close()
    sys.path.insert(0, cache)
    health = importlib.import_module("pyproto.grpc.health.v1.health_pb2")
    reflection = importlib.import_module(
        "pyproto.grpc.reflection.v1alpha.reflection_pb2")
    return health, reflection


def _status_name(health, status):
    return health.HealthCheckResponse.ServingStatus.Name(status)


def check(address, service, timeout=2.0):
    health, _ = _load_messages()
    with grpc.insecure_channel(address) as channel:
        call = channel.unary_unary(
            "/grpc.health.v1.Health/Check",
            request_serializer=health.HealthCheckRequest.SerializeToString,
            response_deserializer=health.HealthCheckResponse.FromString)
        try:
            response = call(health.HealthCheckRequest(service=service),
                            timeout=timeout)
            return _status_name(health, response.status)
        except grpc.RpcError as e:
            return "UNREACHABLE(%s)" % e.code().name


def services(address, timeout=5.0):
    _, reflection = _load_messages()
    with grpc.insecure_channel(address) as channel:
        call = channel.stream_stream(
            "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
            request_serializer=reflection.ServerReflectionRequest.SerializeToString,
            response_deserializer=reflection.ServerReflectionResponse.FromString)
        names = []
        for response in call(iter([reflection.ServerReflectionRequest(
                list_services="")]), timeout=timeout):
            for s in response.list_services_response.service:
                names.append(s.name)
        return sorted(names)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    h = sub.add_parser("health", help="print the health status")
    h.add_argument("address")
    h.add_argument("--service", default="")
    w = sub.add_parser("wait", help="wait until the health status is --want")
    w.add_argument("address")
    w.add_argument("--service", default="")
    w.add_argument("--timeout", type=float, default=30)
    w.add_argument("--want", default="SERVING")
    s = sub.add_parser("services", help="list services through reflection")
    s.add_argument("address")
    args = parser.parse_args()

    if args.command == "health":
        status = check(args.address, args.service)
        print(status)
        return 0 if status == "SERVING" else 1
    if args.command == "wait":
        start = time.monotonic()
        status = ""
        while time.monotonic() - start < args.timeout:
            status = check(args.address, args.service, timeout=1.0)
            if status == args.want:
                print("%s after %.1fs" % (status, time.monotonic() - start))
                return 0
            time.sleep(0.1)
        print("still %s after %.0fs" % (status, args.timeout), file=sys.stderr)
        return 1
    if args.command == "services":
        try:
            for name in services(args.address):
                print(name)
        except grpc.RpcError as e:
            print("reflection failed: %s" % e.code().name, file=sys.stderr)
            return 1
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())

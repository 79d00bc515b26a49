#!/usr/bin/python3
"""A real local webhook endpoint for notifyd's channel tests (stdlib only).

Listens on 127.0.0.1 (port given, or chosen by the OS), writes the port to
--port-file once listening, records every request as one JSON line in --log:
{"method", "path", "headers": {lower-case name: value}, "body": text}, and
answers the statuses of --statuses in turn (the last one repeats), with an
optional Retry-After. --hang makes it never answer (it reads the request,
records it, then sleeps), to test the sender's timeout.

Usage:
  webhook_receiver.py --port-file F --log F [--port N] [--statuses 500,204]
                      [--retry-after 120] [--hang]
"""

import argparse
import http.server
import json
import os
import threading
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--statuses", default="204")
    parser.add_argument("--retry-after", default="")
    parser.add_argument("--hang", action="store_true")
    args = parser.parse_args()

    statuses = [int(s) for s in args.statuses.split(",") if s]
    lock = threading.Lock()
    served = [0]

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            record = {
                "method": self.command,
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": body.decode("utf-8"),
            }
            with lock:
                with open(args.log, "a", encoding="utf-8") as log:
                    log.write(json.dumps(record, ensure_ascii=False) + "\n")
                index = min(served[0], len(statuses) - 1)
                served[0] += 1
            if args.hang:
                time.sleep(3600)
                return
            status = statuses[index]
            self.send_response(status)
            if args.retry_after:
                self.send_header("Retry-After", args.retry_after)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, fmt, *fargs):  # keep the test log quiet
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(tmp, args.port_file)  # the reader never sees half a number
    print("listening on", server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()

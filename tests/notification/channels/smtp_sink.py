#!/usr/bin/python3
"""A real local SMTP sink for notifyd's channel tests (stdlib only).

Speaks enough RFC 5321 for an SMTP client: EHLO/HELO, MAIL, RCPT, DATA
(with dot-unstuffing, §4.5.2), RSET, NOOP, QUIT. Each accepted message is
written to --out-dir as NNNN.eml (the bytes received, unstuffed) and
NNNN.json ({"mail_from", "rcpt_to": [...]}). --rcpt-reply makes every RCPT
answer that reply instead of 250 (e.g. "550 5.1.1 <x@y>: unknown user" or
"451 4.3.0 try later"). --auth USER:PASSWORD advertises AUTH PLAIN (RFC
4954) and then requires that login before MAIL. The port is written to
--port-file once listening.

Usage:
  smtp_sink.py --port-file F --out-dir D [--port N] [--rcpt-reply "550 ..."]
               [--auth USER:PASSWORD]
"""

import argparse
import base64
import json
import os
import socketserver
import threading


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--out-dir", required=True)
    parser.add_argument("--rcpt-reply", default="")
    parser.add_argument("--auth", default="")
    args = parser.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    lock = threading.Lock()
    count = [0]

    class Handler(socketserver.StreamRequestHandler):
        def reply(self, line):
            self.wfile.write(line.encode("ascii") + b"\r\n")
            self.wfile.flush()

        def handle(self):
            self.reply("220 sink.test ESMTP partydev test sink")
            mail_from, rcpt_to = None, []
            logged_in = not args.auth
            while True:
                raw = self.rfile.readline()
                if not raw:
                    return
                line = raw.decode("ascii", "replace").rstrip("\r\n")
                verb = line[:4].upper()
                if verb == "EHLO":
                    self.wfile.write(b"250-sink.test\r\n250-8BITMIME\r\n")
                    if args.auth:
                        self.wfile.write(b"250-AUTH PLAIN\r\n")
                    self.wfile.write(b"250 SIZE 10485760\r\n")
                    self.wfile.flush()
                elif verb == "AUTH" and args.auth:
                    words = line.split(" ")
                    if len(words) < 2 or words[1].upper() != "PLAIN":
                        self.reply("504 5.5.4 mechanism not supported")
                        continue
                    if len(words) >= 3:
                        response = words[2]
                    else:
                        self.reply("334 ")
                        response = self.rfile.readline().decode().strip()
                    try:
                        _, user, password = base64.b64decode(
                            response).decode().split("\0")
                    except ValueError:
                        self.reply("501 5.5.2 cannot decode")
                        continue
                    if "%s:%s" % (user, password) == args.auth:
                        logged_in = True
                        self.reply("235 2.7.0 Authentication successful")
                    else:
                        self.reply("535 5.7.8 Authentication credentials "
                                   "invalid")
                elif verb == "HELO":
                    self.reply("250 sink.test")
                elif verb == "MAIL" and not logged_in:
                    self.reply("530 5.7.0 Authentication required")
                elif verb == "MAIL":
                    # The path only, without ESMTP parameters (SIZE=...).
                    mail_from, rcpt_to = line[10:].strip().split(" ")[0], []
                    self.reply("250 2.1.0 Ok")
                elif verb == "RCPT":
                    if mail_from is None:
                        self.reply("503 5.5.1 need MAIL first")
                    elif args.rcpt_reply:
                        self.reply(args.rcpt_reply)
                    else:
                        rcpt_to.append(line[8:].strip().split(" ")[0])
                        self.reply("250 2.1.5 Ok")
                elif verb == "DATA":
                    if not rcpt_to:
                        self.reply("503 5.5.1 need RCPT first")
                        continue
                    self.reply("354 End data with <CR><LF>.<CR><LF>")
                    data = bytearray()
                    while True:
                        chunk = self.rfile.readline()
                        if not chunk:
                            return
                        if chunk in (b".\r\n", b".\n"):
                            break
                        if chunk.startswith(b"."):
                            chunk = chunk[1:]  # dot-unstuffing
                        data += chunk
                    with lock:
                        count[0] += 1
                        stem = os.path.join(args.out_dir, "%04d" % count[0])
                    with open(stem + ".json.tmp", "w") as f:
                        json.dump({"mail_from": mail_from,
                                   "rcpt_to": rcpt_to}, f)
                    with open(stem + ".eml", "wb") as f:
                        f.write(bytes(data))
                    os.replace(stem + ".json.tmp", stem + ".json")
                    mail_from, rcpt_to = None, []
                    self.reply("250 2.0.0 Ok: queued as %04d" % count[0])
                elif verb == "RSET":
                    mail_from, rcpt_to = None, []
                    self.reply("250 2.0.0 Ok")
                elif verb == "NOOP":
                    self.reply("250 2.0.0 Ok")
                elif verb == "QUIT":
                    self.reply("221 2.0.0 Bye")
                    return
                else:
                    self.reply("502 5.5.2 command not implemented")

    class Server(socketserver.ThreadingTCPServer):
        allow_reuse_address = True
        daemon_threads = True

    server = Server(("127.0.0.1", args.port), Handler)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(tmp, args.port_file)
    print("listening on", server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()

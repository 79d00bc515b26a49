#!/usr/bin/python3
"""Parses an e-mail file with Python's email package and prints what it
decoded as one JSON object, so a C++ test can compare it with the original
UTF-8 strings:
  {"subject", "from": [[name, addr]], "to": [[name, addr]...], "message_id",
   "date", "content_type", "charset", "text", "html" (or null),
   "defects": [...], "max_line_length", "all_crlf", "ascii_only"}
Line breaks of decoded bodies are given as "\\n".

Usage: check_mime.py FILE.eml
"""

import email
import email.policy
import email.utils
import json
import sys


def main():
    raw = open(sys.argv[1], "rb").read()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    defects = [type(d).__name__ for d in msg.defects]
    for part in msg.walk():
        defects += [type(d).__name__ for d in part.defects]
        for value in part.values():
            defects += [type(d).__name__ for d in getattr(value, "defects", ())]
    text = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))

    def mailboxes(header):
        return [[a.display_name, a.addr_spec] for a in msg[header].addresses]

    lines = raw.split(b"\r\n")
    out = {
        "subject": str(msg["subject"]),
        "from": mailboxes("from"),
        "to": mailboxes("to"),
        "message_id": str(msg["message-id"]),
        "date": str(msg["date"]),
        "content_type": msg.get_content_type(),
        "charset": text.get_content_charset() if text else None,
        "text": text.get_content().replace("\r\n", "\n") if text else None,
        "html": html.get_content().replace("\r\n", "\n") if html else None,
        "defects": defects,
        "max_line_length": max(len(l) for l in lines),
        "all_crlf": b"\n" not in raw.replace(b"\r\n", b""),
        "ascii_only": all(b < 0x80 for b in raw),
    }
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()

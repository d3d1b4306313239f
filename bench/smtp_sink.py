"""A real SMTP server for a benchmark (aiosmtpd on loopback, in a process of its own so that its
CPU is counted apart): it accepts every message and writes one JSON line per message, when it
answered 250, to whom, in which language, and the text read as a person does.

    python -m bench.smtp_sink --port PORT --out FILE

The moment is taken when the server has the whole message and is about to answer: what "an
email accepted by the mail server" means to the sender. Nothing is passed on.
"""

from __future__ import annotations

import argparse
import json
import re
import signal
import threading
import time
from email import policy
from email.parser import BytesParser

from aiosmtpd.controller import Controller

ALERT_LINK = re.compile(r"/alerts/([0-9a-f-]{36})")


class Sink:
    """The aiosmtpd handler: 250 to everything, a line per message."""

    def __init__(self, out):
        self.out = out
        self.parser = BytesParser(policy=policy.default)
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        at = time.time()
        message = self.parser.parsebytes(envelope.original_content)
        text = message.get_content()
        alert = ALERT_LINK.search(text)
        line = {"at": at, "to": envelope.rcpt_tos, "language": message["Content-Language"],
                "alert": alert[1] if alert else None, "text": text}  # fmt: skip
        with self.lock:
            self.out.write(json.dumps(line) + "\n")
            self.out.flush()
        return "250 OK"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    with open(args.out, "a", encoding="utf-8") as out:
        controller = Controller(Sink(out), hostname="127.0.0.1", port=args.port)
        controller.start()
        print(f"smtp sink on 127.0.0.1:{args.port}", flush=True)
        try:
            stop.wait()
        finally:
            controller.stop()


if __name__ == "__main__":
    main()

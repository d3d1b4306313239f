"""The development mail server: a real SMTP server (aiosmtpd) that keeps every message it
receives in a Maildir folder instead of passing it on, so that a new user can read the emails
the system sends (a temporary password, an invitation) without any mail account.

    python -m services.notifications.devmail serve [--host 127.0.0.1] [--port 8025]
        [--maildir var/mail]
    python -m services.notifications.devmail read [--to ADDRESS] [--last 5] [--maildir var/mail]

``./deploy/run`` starts it unless something already listens on the configured SMTP port.
"""

from __future__ import annotations

import argparse
import mailbox
import signal
import sys
import threading
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox

from services.common.config import REPO_ROOT

DEFAULT_MAILDIR = "var/mail"


def read_messages(maildir: Path, to: str | None = None) -> list[EmailMessage]:
    """The messages of the folder, oldest first, those to ``to`` only when it is given."""
    if not (maildir / "new").exists():
        return []
    box = mailbox.Maildir(maildir, factory=None, create=False)
    parser = BytesParser(policy=policy.default)
    found = []
    for key in box.iterkeys():
        with box.get_file(key) as stream:
            message = parser.parse(stream)
        if to is None or to.casefold() in str(message["To"]).casefold():
            found.append(message)
    return sorted(found, key=lambda message: message["Date"].datetime)


def serve(host: str, port: int, folder: Path, stop: threading.Event) -> None:
    """Receive and keep messages in the Maildir ``folder`` until ``stop`` is set."""
    for part in ("tmp", "new", "cur"):  # a Maildir, even where an empty folder was left
        (folder / part).mkdir(parents=True, exist_ok=True)
    controller = Controller(Mailbox(folder), hostname=host, port=port)
    controller.start()
    print(f"devmail: SMTP on {host}:{port}, messages kept in {folder}", flush=True)
    try:
        stop.wait()
    finally:
        controller.stop()


def _serve(args) -> None:
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    serve(args.host, args.port, _folder(args.maildir), stop)


def _read(args) -> None:
    messages = read_messages(_folder(args.maildir), args.to)
    for message in messages[-args.last :]:
        print(f"From: {message['From']}\nTo: {message['To']}\nDate: {message['Date']}")
        print(f"Subject: {message['Subject']}\n")
        print(message.get_content().strip())
        print("-" * 72)
    if not messages:
        print("devmail: no message yet", file=sys.stderr)


def _folder(value: str) -> Path:
    path = Path(value)
    return path if path.is_absolute() else REPO_ROOT / path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="devmail", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the development SMTP server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8025)
    serve.add_argument("--maildir", default=DEFAULT_MAILDIR)
    read = commands.add_parser("read", help="print the latest messages received")
    read.add_argument("--to", help="only the messages to this address")
    read.add_argument("--last", type=int, default=5)
    read.add_argument("--maildir", default=DEFAULT_MAILDIR)
    args = parser.parse_args(argv)
    (_serve if args.command == "serve" else _read)(args)


if __name__ == "__main__":
    main()

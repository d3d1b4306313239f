"""The development mail server of ./deploy/run: a real SMTP server that keeps each message in
a Maildir folder, even one left empty before, and prints them decoded for a new user."""

from __future__ import annotations

import smtplib
import threading
import time
from email.message import EmailMessage

from services.notifications import devmail
from tests.conftest import free_port


def test_a_message_sent_to_the_development_server_is_kept_and_read_back(tmp_path, capsys):
    folder = tmp_path / "mail"
    folder.mkdir()  # left empty by an earlier run
    port, stop = free_port(), threading.Event()
    server = threading.Thread(target=devmail.serve, args=("127.0.0.1", port, folder, stop))
    server.start()
    message = EmailMessage()
    message["From"], message["To"] = "IMI <no-reply@imi.localhost>", "anna@example.hu"
    message["Subject"], message["Date"] = (
        "Ideiglenes IMI-jelszava",
        "Sun, 06 Dec 2026 09:00:00 +0000",
    )
    message.set_content("Ideiglenes jelszó: Kx7#pQ2mW9zR4tYe")
    deadline = time.monotonic() + 10
    while True:
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=5) as client:
                client.send_message(message)
            break
        except OSError:
            assert time.monotonic() < deadline, "the development server did not start"
            time.sleep(0.1)

    stop.set()
    server.join(timeout=10)
    [kept] = devmail.read_messages(folder, "anna@example.hu")
    assert kept["Subject"] == "Ideiglenes IMI-jelszava"
    assert devmail.read_messages(folder, "someone@else.eu") == []
    devmail.main(["read", "--maildir", str(folder)])
    printed = capsys.readouterr().out
    assert "Ideiglenes jelszó: Kx7#pQ2mW9zR4tYe" in printed

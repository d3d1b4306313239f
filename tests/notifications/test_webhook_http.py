"""The webhook deliveries' HTTP client (services/notifications/webhook_http.py) against a real
endpoint on loopback that answers as told: kept-alive connections are reused, one the endpoint
closed while idle is replaced without losing the post, a redirect is an answer and not
followed, an answer may end with its connection or follow a 100 Continue, and an endpoint that
hangs up without answering is a failure."""

from __future__ import annotations

import contextlib
import socket
import threading

import pytest

from services.notifications.webhook_delivery import HttpPoster

NO_CONTENT = b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n"


class Endpoint:
    """Answers each request with the next of ``answers`` (None: close without answering),
    then keeps the connection open unless the answer says ``Connection: close``."""

    def __init__(self, *answers: bytes | None) -> None:
        self.answers = list(answers)
        self.requests: list[bytes] = []
        self.connections = 0
        self.open: list[socket.socket] = []
        self.server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}/hooks/imi?from=imi"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _address = self.server.accept()
            except OSError:
                return
            self.connections += 1
            self.open.append(connection)
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        try:
            self._answer(connection)
        finally:
            connection.close()

    def _answer(self, connection: socket.socket) -> None:
        data = b""
        while True:
            while b"\r\n\r\n" not in data:
                chunk = connection.recv(65536)
                if not chunk:
                    return
                data += chunk
            head, _, data = data.partition(b"\r\n\r\n")
            length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:"))  # fmt: skip
            while len(data) < length:
                data += connection.recv(65536)
            self.requests.append(head + b"\r\n\r\n" + data[:length])
            data = data[length:]
            answer = self.answers.pop(0) if self.answers else NO_CONTENT
            if answer is None or b"Connection: close" in answer:
                if answer:
                    connection.sendall(answer)
                return
            connection.sendall(answer)

    def hang_up_idle(self) -> None:
        """Close every connection, as an endpoint does with those idle too long."""
        for connection in self.open:
            with contextlib.suppress(OSError):  # closed already
                connection.shutdown(socket.SHUT_RDWR)
        self.open.clear()

    def close(self) -> None:
        self.hang_up_idle()
        self.server.close()


@pytest.fixture
def poster():
    posting = HttpPoster()
    yield posting
    posting.close()


def post(poster, endpoint, body=b'{"id":"e1"}'):
    return poster(endpoint.url, {"webhook-id": "msg_1"}, body)


def test_posts_share_a_kept_alive_connection_and_carry_the_headers_and_body(poster):
    endpoint = Endpoint()
    try:
        assert post(poster, endpoint).status == 204
        assert post(poster, endpoint, b'{"id":"e2"}').delivered
    finally:
        endpoint.close()
    assert endpoint.connections == 1
    first = endpoint.requests[0]
    assert first.startswith(b"POST /hooks/imi?from=imi HTTP/1.1\r\n")
    assert b"\r\nwebhook-id: msg_1\r\n" in first
    assert b"\r\nContent-Type: application/json\r\n" in first
    assert first.endswith(b'\r\n\r\n{"id":"e1"}')


def test_a_connection_the_endpoint_closed_while_idle_is_replaced(poster):
    endpoint = Endpoint()
    try:
        assert post(poster, endpoint).delivered
        endpoint.hang_up_idle()
        assert post(poster, endpoint).delivered
    finally:
        endpoint.close()
    assert endpoint.connections == 2
    assert len(endpoint.requests) == 2


def test_a_redirect_is_an_answer_and_not_followed(poster):
    endpoint = Endpoint(b"HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n")
    try:
        answer = post(poster, endpoint)
    finally:
        endpoint.close()
    assert (answer.status, answer.delivered) == (302, False)
    assert len(endpoint.requests) == 1


@pytest.mark.parametrize(
    "answer",
    [
        b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nthanks, until the end",
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
    ],
)
def test_an_answer_ending_with_its_connection_or_after_a_100_continue_is_read(poster, answer):
    endpoint = Endpoint(answer)
    try:
        assert post(poster, endpoint).status == 200
        assert post(poster, endpoint).status == 204
    finally:
        endpoint.close()


def test_an_endpoint_that_hangs_up_without_answering_is_a_failure(poster):
    endpoint = Endpoint(None)
    try:
        answer = post(poster, endpoint)
    finally:
        endpoint.close()
    assert answer.status is None
    assert not answer.delivered
    assert "closed the connection" in answer.detail
    assert len(endpoint.requests) == 1  # a new connection's failure is not tried again


def test_an_endpoint_nobody_listens_on_is_a_failure(poster):
    with socket.create_server(("127.0.0.1", 0)) as probe:
        url = f"http://127.0.0.1:{probe.getsockname()[1]}/hook"
    answer = poster(url, {}, b"{}")
    assert answer.status is None
    assert answer.detail.startswith("ConnectionRefusedError")

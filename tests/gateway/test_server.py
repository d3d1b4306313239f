"""gateway/server.py: the gateway's HTTP/1.1 connections, spoken to over a real socket.

The server runs here without nameko, on its own listening socket, in front of a small WSGI app
that answers with what it was given; the gateway's own routes are served through it in
test_service.py and tests/e2e.
"""

from __future__ import annotations

import json
import select
import socket

import eventlet
import pytest

from gateway.server import MAX_HEADER_BYTES, HttpServer

LIMIT = 1000
FILE_LIMIT = 5000  # of the one route that takes files


def echo_app(environ, start_response):
    """Answers with the request as the app saw it; /fail raises, as a bug would."""
    if environ["PATH_INFO"] == "/fail":
        raise RuntimeError("a bug")
    body = environ["wsgi.input"].read()
    seen = {
        "method": environ["REQUEST_METHOD"],
        "path": environ["PATH_INFO"],
        "query": environ["QUERY_STRING"],
        "body": body.decode("utf-8"),
        "headers": {k: v for k, v in environ.items() if k.startswith("HTTP_")},
        "content_length": environ.get("CONTENT_LENGTH"),
    }
    text = json.dumps(seen).encode()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [text]


@pytest.fixture
def address():
    listener = eventlet.listen(("127.0.0.1", 0))
    server = HttpServer(
        echo_app,
        listener.getsockname(),
        lambda method, path: FILE_LIMIT if (method, path) == ("POST", "/file") else LIMIT,
    )

    def accept():
        while True:
            connection, peer = listener.accept()
            connection.settimeout(server.socket_timeout)
            eventlet.spawn(server.serve, connection, peer)

    acceptor = eventlet.spawn(accept)
    yield listener.getsockname()
    acceptor.kill()
    listener.close()


def connect(address) -> socket.socket:
    client = socket.create_connection(address, timeout=10)
    return client


def read_response(client: socket.socket, buffer: bytearray) -> tuple[int, dict, bytes]:
    """One response from the connection (status, headers, body); what follows stays in
    ``buffer``."""
    while b"\r\n\r\n" not in buffer:
        chunk = client.recv(65536)
        if not chunk:
            raise ConnectionError("closed before a whole response")
        buffer.extend(chunk)
    head, _, rest = bytes(buffer).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(": ")
        headers[name.lower()] = value
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = client.recv(65536)
        if not chunk:
            raise ConnectionError("closed before the whole body")
        rest += chunk
    buffer[:] = rest[length:]
    return status, headers, rest[:length]


def exchange(address, raw: bytes) -> tuple[int, dict, bytes]:
    with connect(address) as client:
        client.sendall(raw)
        return read_response(client, bytearray())


def is_closed(client: socket.socket) -> bool:
    return client.recv(1) == b""


def test_pipelined_requests_are_answered_in_order_on_one_connection(address):
    with connect(address) as client:
        client.sendall(
            b"GET /first HTTP/1.1\r\nHost: x\r\n\r\n"
            b"POST /second HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi"
        )
        buffer = bytearray()
        first = read_response(client, buffer)
        second = read_response(client, buffer)
        client.sendall(b"GET /third HTTP/1.1\r\nHost: x\r\n\r\n")
        third = read_response(client, buffer)

    assert [json.loads(r[2])["path"] for r in (first, second, third)] == [
        "/first",
        "/second",
        "/third",
    ]
    assert json.loads(second[2])["body"] == "hi"
    assert "connection" not in first[1]
    assert first[1]["date"].endswith("GMT")


def test_an_http_1_0_request_is_answered_and_its_connection_closed(address):
    with connect(address) as client:
        client.sendall(b"GET /old HTTP/1.0\r\n\r\n")
        status, headers, _ = read_response(client, bytearray())

        assert status == 200
        assert headers["connection"] == "close"
        assert is_closed(client)


def test_an_http_1_0_client_that_asks_to_keep_the_connection_is_told_it_is_kept(address):
    with connect(address) as client:
        client.sendall(b"GET /one HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        buffer = bytearray()
        _, headers, _ = read_response(client, buffer)
        client.sendall(b"GET /two HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        status, _, body = read_response(client, buffer)

    assert headers["connection"] == "keep-alive"
    assert (status, json.loads(body)["path"]) == (200, "/two")


def test_the_path_is_decoded_and_the_query_left_as_sent(address):
    _, _, body = exchange(address, b"GET /a%20b/%C3%A9?q=%C3%A9&x=1 HTTP/1.1\r\nHost: x\r\n\r\n")

    seen = json.loads(body)
    assert seen["path"].encode("latin-1").decode("utf-8") == "/a b/é"
    assert seen["query"] == "q=%C3%A9&x=1"


def test_headers_reach_the_app_joined_and_those_with_underscores_are_dropped(address):
    _, _, body = exchange(
        address,
        b"GET / HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 10.0.0.1\r\n"
        b"X_Forwarded_For: 6.6.6.6\r\nAccept: a\r\nAccept: b\r\n\r\n",
    )

    headers = json.loads(body)["headers"]
    assert headers["HTTP_X_FORWARDED_FOR"] == "10.0.0.1"
    assert headers["HTTP_ACCEPT"] == "a,b"


def test_a_chunked_body_reaches_the_app_whole(address):
    _, _, body = exchange(
        address,
        b"POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
    )

    seen = json.loads(body)
    assert seen["body"] == "hello world"
    assert seen["headers"]["HTTP_TRANSFER_ENCODING"] == "chunked"


def test_a_client_that_expects_100_continue_is_told_to_go_on(address):
    with connect(address) as client:
        client.sendall(
            b"POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"
        )
        buffer = bytearray()
        interim, _, _ = read_response(client, buffer)
        client.sendall(b"hello")
        status, _, body = read_response(client, buffer)

    assert interim == 100
    assert (status, json.loads(body)["body"]) == (200, "hello")


def test_a_declared_body_over_the_limit_is_413_before_it_is_sent(address):
    with connect(address) as client:
        client.sendall(
            f"POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: {LIMIT + 1}\r\n"
            "Expect: 100-continue\r\n\r\n".encode()
        )
        status, headers, body = read_response(client, bytearray())

        assert status == 413
        assert headers["content-type"] == "application/problem+json"
        assert json.loads(body)["code"] == "error.payload_too_large"
        assert headers["connection"] == "close"
        assert is_closed(client)


def test_a_route_that_takes_files_takes_a_body_over_the_others_limit(address):
    body = b"x" * (LIMIT + 1)
    head = f"HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n\r\n".encode()

    assert exchange(address, b"POST /file " + head + body)[0] == 200
    assert exchange(address, b"POST /f%69le " + head + body)[0] == 200  # the decoded path
    assert exchange(address, b"POST /other " + head + body)[0] == 413
    too_big = b"x" * (FILE_LIMIT + 1)
    head = f"HTTP/1.1\r\nHost: x\r\nContent-Length: {len(too_big)}\r\n\r\n".encode()
    assert exchange(address, b"POST /file " + head + too_big)[0] == 413


def test_a_chunked_body_growing_over_the_limit_is_413(address):
    chunk = b"x" * 600
    status, _, _ = exchange(
        address,
        b"POST /big HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        + (b"258\r\n" + chunk + b"\r\n") * 2
        + b"0\r\n\r\n",
    )

    assert status == 413


@pytest.mark.parametrize(
    "headers",
    [
        (b"X-Filler: " + b"y" * 1000 + b"\r\n") * (MAX_HEADER_BYTES // 1000 + 1) + b"\r\n",
        b"X-Endless: " + b"y" * (MAX_HEADER_BYTES + 1),
    ],
    ids=["many headers", "one header never ended"],
)
def test_headers_over_the_limit_are_431(address, headers):
    status, _, body = exchange(address, b"GET / HTTP/1.1\r\nHost: x\r\n" + headers)

    assert status == 431
    assert json.loads(body)["status"] == 431


@pytest.mark.parametrize(
    "raw",
    [
        b"NOT HTTP AT ALL\r\n\r\n",
        b"GET / HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
        b"GET / HTTP/1.1\r\nBad Header Name: x\r\n\r\n",
        b"GET http:// HTTP/1.1\r\nHost: x\r\n\r\n",
    ],
)
def test_a_request_that_cannot_be_read_is_400_and_the_connection_closed(address, raw):
    with connect(address) as client:
        client.sendall(raw)
        status, _, body = read_response(client, bytearray())

        assert status == 400
        assert json.loads(body)["code"] == "error.bad_request"
        assert is_closed(client)


def test_a_request_to_upgrade_is_answered_in_http_1_1_and_the_connection_closed(address):
    with connect(address) as client:
        client.sendall(
            b"GET /u HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\n"
            b"Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n"
        )
        status, headers, body = read_response(client, bytearray())

        assert (status, json.loads(body)["path"]) == (200, "/u")
        assert headers["connection"] == "close"
        assert is_closed(client)


def test_a_head_request_gets_the_headers_without_the_body(address):
    with connect(address) as client:
        client.sendall(b"HEAD /h HTTP/1.1\r\nHost: x\r\n\r\n")
        client.sendall(b"GET /after HTTP/1.1\r\nHost: x\r\n\r\n")
        head = client.recv(65536)
        while b"/after" not in head:
            head += client.recv(65536)

    first, _, rest = head.partition(b"\r\n\r\n")
    assert b"Content-Length:" in first
    assert rest.startswith(b"HTTP/1.1 200 OK")


def test_a_bug_in_the_app_is_a_500_problem_and_the_server_goes_on(address):
    status, headers, body = exchange(address, b"GET /fail HTTP/1.1\r\nHost: x\r\n\r\n")

    assert status == 500
    assert headers["content-type"] == "application/problem+json"
    assert "a bug" not in body.decode()
    assert exchange(address, b"GET /ok HTTP/1.1\r\nHost: x\r\n\r\n")[0] == 200


def trickle(client: socket.socket, data: bytes, pause: float) -> int:
    """Sends ``data`` a byte at a time until the server answers; how many bytes went."""
    for sent, byte in enumerate(data):
        if select.select([client], [], [], pause)[0]:
            return sent
        client.sendall(bytes([byte]))
    return len(data)


def test_a_head_sent_byte_by_byte_is_cut_off_with_408_after_the_header_timeout(
    address, monkeypatch
):
    monkeypatch.setattr(HttpServer, "header_timeout", 0.5)
    client = connect(address)
    head = b"GET /slow HTTP/1.1\r\nHost: imi\r\nX-Padding: " + b"a" * 200 + b"\r\n\r\n"

    sent = trickle(client, head, pause=0.02)  # each byte well within the idle timeout
    status, _, body = read_response(client, bytearray())

    assert sent < len(head)
    assert status == 408
    assert json.loads(body)["code"] == "error.http_408"
    assert client.recv(1) == b""  # and the connection is closed


def test_a_slow_head_that_arrives_in_time_is_answered_and_idle_keep_alive_is_not_cut(
    address, monkeypatch
):
    monkeypatch.setattr(HttpServer, "header_timeout", 0.5)
    client = connect(address)
    buffer = bytearray()
    for part in (b"GET /first HTTP/1.1\r\n", b"Host: imi\r\n", b"\r\n"):
        client.sendall(part)
        eventlet.sleep(0.1)
    first = read_response(client, buffer)
    eventlet.sleep(0.8)  # idle between requests for longer than the header timeout
    client.sendall(b"GET /second HTTP/1.1\r\nHost: imi\r\n\r\n")
    second = read_response(client, buffer)

    assert (first[0], json.loads(first[2])["path"]) == (200, "/first")
    assert (second[0], json.loads(second[2])["path"]) == (200, "/second")

"""Registries that misbehave, faked on 127.0.0.1 (a policy names them, so they are asked): each lookup
ends with a note and no digest, within a bounded time and number of requests."""
from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Callable

import pytest

from nodeguard.model.reference import parse_image_ref
from nodeguard.remote import registry
from nodeguard.remote.registry import DigestResolver

DIGEST = "sha256:" + "a" * 64
DRIP_BYTES, DRIP_PAUSE = 200, 0.05  # a byte every 50 ms, each well within the timeout; 10 s in all


class FakeRegistry:
    """An HTTP server on 127.0.0.1 answering every request with ``answer(handler)``; ``requests`` lists
    the paths asked."""

    def __init__(self, answer: Callable[[http.server.BaseHTTPRequestHandler], None]):
        self.requests: list[str] = []
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                fake.requests.append(self.path)
                try:
                    answer(self)
                except OSError:
                    pass  # the client gave up

            do_HEAD = do_GET

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.host = f"127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def lookup(self, **options):
        resolver = DigestResolver(trusted=[self.host], attempts=1, sleep=lambda seconds: None, **options)
        return resolver.lookup(parse_image_ref(f"{self.host}/team/app:1"))

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def fake_registry():
    made = []

    def make(answer):
        made.append(FakeRegistry(answer))
        return made[-1]

    yield make
    for fake in made:
        fake.close()


def send(handler, status: int, headers: dict[str, str] | None = None, body: bytes = b"") -> None:
    handler.send_response(status)
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(body)


def drip(handler, data: bytes) -> None:
    for byte in range(len(data)):
        handler.wfile.write(data[byte:byte + 1])
        handler.wfile.flush()
        time.sleep(DRIP_PAUSE)


def challenge(handler, token_answer: Callable[[http.server.BaseHTTPRequestHandler], None]) -> None:
    """A Bearer challenge whose realm is this server's /token, answered by ``token_answer``; a HEAD with
    the token gets the digest."""
    if handler.path.startswith("/token"):
        token_answer(handler)
    elif handler.headers.get("Authorization"):
        send(handler, 200, {"Docker-Content-Digest": DIGEST})
    else:
        realm = f"http://{handler.headers['Host']}/token"
        send(handler, 401, {"WWW-Authenticate": f'Bearer realm="{realm}",service="fake"'})


def test_a_registry_that_drips_its_headers_is_given_up_at_the_timeout_without_a_digest(fake_registry):
    def answer(handler):
        handler.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        drip(handler, b"x" * DRIP_BYTES)
        handler.wfile.write(f"\r\nDocker-Content-Digest: {DIGEST}\r\nContent-Length: 0\r\n\r\n".encode())

    lookup = fake_registry(answer).lookup(timeout=1.0)
    assert lookup.digest is None
    assert "no answer within 1 s" in lookup.problem


def test_a_token_service_that_drips_its_body_is_given_up_at_the_timeout(fake_registry):
    def token(handler):
        body = b'{"token": "t"}' + b" " * DRIP_BYTES
        handler.wfile.write(f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n\r\n".encode())
        drip(handler, body)

    fake = fake_registry(lambda handler: challenge(handler, token))
    lookup = fake.lookup(timeout=1.0)
    assert lookup.digest is None
    assert "no answer within 1 s" in lookup.problem
    assert len(fake.requests) == 2  # the HEAD, the token; not the HEAD with it


def test_a_token_answer_larger_than_the_limit_is_not_read_into_memory(fake_registry, monkeypatch):
    monkeypatch.setattr(registry, "MAX_BODY_BYTES", 1024)
    fake = fake_registry(lambda handler: challenge(handler, lambda token: send(
        token, 200, {"Content-Type": "application/json"}, b'{"token": "t"}' + b" " * 4096)))
    lookup = fake.lookup()
    assert lookup.digest is None
    assert "an answer is larger than 1 KiB" in lookup.problem


@pytest.mark.parametrize("status", [203, 206, 300, 304])
def test_a_digest_header_on_an_answer_other_than_200_is_not_taken(fake_registry, status):
    lookup = fake_registry(lambda handler: send(handler, status, {"Docker-Content-Digest": DIGEST})).lookup()
    assert lookup.digest is None
    assert f"the registry answered {status}, not the manifest" in lookup.problem


@pytest.mark.parametrize("name", ["Team/app:1", "team/App:1"])
def test_an_image_name_with_upper_case_is_not_looked_up_and_says_why(fake_registry, name):
    fake = fake_registry(lambda handler: send(handler, 200, {"Docker-Content-Digest": DIGEST}))
    resolver = DigestResolver(trusted=[fake.host], attempts=1)
    lookup = resolver.lookup(parse_image_ref(f"{fake.host}/{name}"))
    assert lookup.digest is None
    assert "not a valid image name: a repository name is lower case" in lookup.problem
    assert fake.requests == []


def test_a_redirect_loop_ends_after_a_few_requests(fake_registry):
    fake = fake_registry(lambda handler: send(handler, 307, {"Location": handler.path}))
    lookup = fake.lookup()
    assert lookup.digest is None and "redirect" in lookup.problem.lower()
    assert len(fake.requests) == registry.MAX_REDIRECTS + 1


def test_a_loopback_registry_that_answered_over_http_is_not_told_of_the_https_try(fake_registry):
    """Loopback registries are tried over HTTPS, then HTTP: once HTTP answered, the failed HTTPS try
    (a plain-HTTP server cannot speak TLS) says nothing about the registry, in the first lookup or later."""
    fake = fake_registry(lambda handler: send(handler, 503))
    resolver = DigestResolver(trusted=[fake.host], attempts=1, sleep=lambda seconds: None)
    for tag in ("1", "2"):
        lookup = resolver.lookup(parse_image_ref(f"{fake.host}/team/app:{tag}"))
        assert lookup.problem == f"{fake.host} could not be reached: the registry answered 503"


def test_a_loopback_registry_that_never_answered_keeps_both_tries_in_balanced_words(unused_port_host):
    resolver = DigestResolver(trusted=[unused_port_host], attempts=1, sleep=lambda seconds: None)
    lookup = resolver.lookup(parse_image_ref(f"{unused_port_host}/team/app:1"))
    assert lookup.problem == f"{unused_port_host} could not be reached: Connection refused"


@pytest.mark.parametrize(
    ("text", "short"),
    [
        ("HTTPSConnectionPool(host='127.0.0.1', port=5000): Max retries exceeded with url: /v2/ (Caused by "
         "SSLError(SSLError(1, '[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)')))",
         "wrong version number"),
        ("HTTPConnectionPool(host='127.0.0.1', port=5000): Max retries exceeded with url: /v2/ (Caused by "
         "NewConnectionError('<urllib3.connection.HTTPConnection object at 0x7f>: Failed to establish a new "
         "connection: [Errno 111] Connection refused'))", "Connection refused"),
        ("('Connection aborted.', RemoteDisconnected('Remote end closed connection without response'))",
         "Remote end closed connection without response"),
        ("HTTPConnectionPool(host='127.0.0.1', port=5000): Read timed out. (read timeout=5)",
         "Read timed out. (read timeout=5)"),
        ("certificate verify failed: unable to get local issuer certificate (_ssl.c:1006)",
         "certificate verify failed: unable to get local issuer certificate"),
        ("x (" + "y" * 200 + ")", "x …"),
    ],
)
def test_error_texts_are_cut_to_their_readable_part_with_balanced_brackets(text, short):
    shortened = registry._short(Exception(text))
    assert shortened == short
    assert shortened.count("(") == shortened.count(")") and len(shortened) <= 161


@pytest.fixture
def unused_port_host():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{probe.getsockname()[1]}"


def busy_then_digest(retry_after: str):
    """A registry that answers 429 with ``Retry-After: retry_after`` to its first request, then the digest."""
    asked = []

    def answer(handler):
        asked.append(handler.path)
        if len(asked) == 1:
            send(handler, 429, {"Retry-After": retry_after})
        else:
            send(handler, 200, {"Docker-Content-Digest": DIGEST})

    return answer


def resolver_of(fake, slept: list[float], **options) -> DigestResolver:
    return DigestResolver(trusted=[fake.host], attempts=2, retry_pause=0.5, sleep=slept.append, **options)


@pytest.mark.parametrize(("retry_after", "pause"), [("2", 2.0), ("0", 0.0), ("5", 5.0), ("soon", 0.5)])
def test_a_short_retry_after_is_waited_through_before_asking_again(fake_registry, retry_after, pause):
    slept: list[float] = []
    fake = fake_registry(busy_then_digest(retry_after))
    lookup = resolver_of(fake, slept).lookup(parse_image_ref(f"{fake.host}/team/app:1"))
    assert lookup.digest == DIGEST
    assert slept == [pause]  # an unreadable Retry-After: the usual pause


def test_a_retry_after_given_as_a_date_is_counted_from_the_injected_clock(fake_registry):
    slept: list[float] = []
    fake = fake_registry(busy_then_digest("Tue, 01 Dec 2026 10:00:03 GMT"))
    now = 1796119200.0  # Tue, 01 Dec 2026 10:00:00 GMT
    lookup = resolver_of(fake, slept, clock=lambda: now).lookup(parse_image_ref(f"{fake.host}/team/app:1"))
    assert lookup.digest == DIGEST and slept == [3.0]


@pytest.mark.parametrize(("retry_after", "said"), [("60", "60 s"), ("Tue, 01 Dec 2026 11:00:00 GMT", "3600 s")])
def test_a_long_retry_after_gives_the_registry_up_and_says_so_without_sleeping(fake_registry, retry_after, said):
    slept: list[float] = []
    fake = fake_registry(busy_then_digest(retry_after))
    resolver = resolver_of(fake, slept, clock=lambda: 1796119200.0)
    lookup = resolver.lookup(parse_image_ref(f"{fake.host}/team/app:1"))
    assert lookup.digest is None and slept == []
    assert lookup.problem == (f"{fake.host} could not be reached: the registry answered 429 and asks to wait "
                              f"{said} (Retry-After), longer than the 5 s nodeguard waits")
    asked = len(fake.requests)
    again = resolver.lookup(parse_image_ref(f"{fake.host}/team/app:2"))
    assert again.digest is None and len(fake.requests) == asked  # given up for the run

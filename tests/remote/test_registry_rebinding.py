"""DNS rebinding: a public registry's name is resolved once, its addresses checked, and the connection made
to a checked address; a second DNS answer (pointing into the runner's network) is never asked for or used.
The Host header, the TLS server name and the certificate check stay on the name."""
from __future__ import annotations

import errno
import http.server
import threading

import pytest
import requests
import urllib3.util.connection

from nodeguard.model.reference import parse_image_ref
from nodeguard.remote.registry import DigestResolver, PinnedAddressAdapter
from tests.remote.registry_server import SERVER_NAME, Authority

PUBLIC, INWARD = "140.82.112.33", "127.0.0.1"


class Rebinding:
    """A resolver that answers ``first`` once, then ``later`` (what a rebinding DNS server does)."""

    def __init__(self, first: list[str], later: list[str]):
        self.first, self.later, self.asked = first, later, []

    def __call__(self, host: str) -> list[str]:
        self.asked.append(host)
        return self.first if len(self.asked) == 1 else self.later


@pytest.fixture
def tls_server(tmp_path):
    """An HTTPS server on 127.0.0.1 whose certificate names SERVER_NAME; it records the TLS server name
    and the Host header of each request."""
    authority = Authority(tmp_path)
    seen: list[tuple[str | None, str | None]] = []
    server_names: list[str | None] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append((server_names[-1] if server_names else None, self.headers.get("Host")))
            self.send_response(server.status)
            for name, value in server.answer_headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "2")
            self.end_headers()
            if self.command == "GET":
                self.wfile.write(b"{}")

        do_HEAD = do_GET

        def log_message(self, *args):
            pass

    context = authority.server_context()
    context.sni_callback = lambda sock, name, ctx: server_names.append(name)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.seen, server.bundle, server.status, server.answer_headers = seen, str(authority.bundle), 200, {}
    yield server
    server.shutdown()
    server.server_close()


def pinned_session(resolve) -> requests.Session:
    session = requests.Session()
    adapter = PinnedAddressAdapter(resolve)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def test_the_connection_goes_to_the_resolved_address_and_tls_stays_on_the_name(tls_server):
    port = tls_server.server_address[1]
    resolve = Rebinding(["127.0.0.1"], ["10.0.0.5"])
    with pinned_session(resolve) as session:
        response = session.get(f"https://{SERVER_NAME}:{port}/v2/", verify=tls_server.bundle, timeout=5)
    assert response.status_code == 200 and response.url == f"https://{SERVER_NAME}:{port}/v2/"
    # one answer asked for and used; SNI and Host name the registry; the name never reached the system
    # resolver (the tests' guard refuses any name but loopback ones)
    assert resolve.asked == [SERVER_NAME]
    assert tls_server.seen == [(SERVER_NAME, f"{SERVER_NAME}:{port}")]


def test_the_certificate_is_checked_against_the_name_not_the_address(tls_server):
    port = tls_server.server_address[1]
    with pinned_session(lambda host: ["127.0.0.1"]) as session, pytest.raises(requests.exceptions.SSLError):
        # 127.0.0.1 is in the certificate too: passing here would mean the address was checked
        session.get(f"https://other.nodeguard.test:{port}/v2/", verify=tls_server.bundle, timeout=5)
    assert tls_server.seen == []


@pytest.fixture
def connections(monkeypatch):
    """Every connection the HTTP client tries, by (address, port); none is made (offline)."""
    opened = []

    def refuse(address, *args, **kwargs):
        opened.append(address)
        raise OSError(errno.ENETUNREACH, "Network is unreachable")

    monkeypatch.setattr(urllib3.util.connection, "create_connection", refuse)
    return opened


def test_a_public_name_rebound_inward_after_the_check_is_not_connected_to(connections):
    resolve = Rebinding([PUBLIC], [INWARD])
    resolver = DigestResolver(resolve=resolve, retry_pause=0, sleep=lambda seconds: None)
    first = resolver.lookup(parse_image_ref("ghcr.io/acme/app:1"))
    second = resolver.lookup(parse_image_ref("ghcr.io/acme/other:2"))
    # resolved once for the run; both attempts connected to the checked address, never to the second answer
    assert resolve.asked == ["ghcr.io"]
    assert connections == [(PUBLIC, 443)] * 2
    assert first.digest is None and "ghcr.io could not be reached: Network is unreachable" in first.problem
    assert second.requests == 0 and second.problem == first.problem  # unreachable: not asked again


def test_every_checked_address_is_tried_once_in_order(connections):
    resolve = Rebinding(["2606:4700::1111", PUBLIC], [INWARD])
    resolver = DigestResolver(resolve=resolve, attempts=1)
    resolver.lookup(parse_image_ref("quay.io/acme/app:1"))
    assert connections == [("2606:4700::1111", 443), (PUBLIC, 443)] and resolve.asked == ["quay.io"]


def test_an_inward_answer_among_public_ones_stops_the_lookup_before_any_connection(connections):
    resolver = DigestResolver(resolve=Rebinding([PUBLIC, INWARD], [PUBLIC]))
    lookup = resolver.lookup(parse_image_ref("ghcr.io/acme/app:1"))
    assert connections == [] and lookup.requests == 0
    assert lookup.problem == f"ghcr.io: not looked up: the name resolves to {INWARD}, not a public address"


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_a_token_realm_is_checked_as_the_registry_is(tls_server, monkeypatch):
    """ghcr.io (here: the TLS server, reached on the checked address) answers with a Bearer challenge whose
    realm resolves inward: the realm is refused before any connection to it."""
    port = tls_server.server_address[1]
    real = urllib3.util.connection.create_connection
    opened = []

    def to_the_test_server(address, *args, **kwargs):
        opened.append(address)
        return real(("127.0.0.1", port) if address == ("127.0.0.1", 443) else address, *args, **kwargs)

    monkeypatch.setattr(urllib3.util.connection, "create_connection", to_the_test_server)
    tls_server.status = 401
    tls_server.answer_headers = {"WWW-Authenticate": 'Bearer realm="https://auth.example.test/token",service="x"'}
    answers = {"ghcr.io": ["127.0.0.1"], "auth.example.test": ["10.0.0.7"]}
    asked = []

    def resolve(host):
        asked.append(host)
        return answers[host]

    resolver = DigestResolver(resolve=resolve, address_allowed=lambda address: address == "127.0.0.1",
                              tls_verify=False)  # the test certificate does not name ghcr.io
    lookup = resolver.lookup(parse_image_ref("ghcr.io/acme/app:1"))
    assert lookup.problem == "ghcr.io: not looked up: the name resolves to 10.0.0.7, not a public address"
    assert opened == [("127.0.0.1", 443)] and asked == ["ghcr.io", "auth.example.test"]
    assert [host for _, host in tls_server.seen] == ["ghcr.io"]

"""A pull request cannot steer digest lookups into the runner's network: a registry that is neither a
well-known public one nor named under the policy's ``registries:`` is never contacted (not even its name
resolved), and a public registry's name that resolves to an internal address is not connected to."""
from __future__ import annotations

import http.server
import threading

import pytest
import urllib3.util.connection

from nodeguard.model.reference import parse_image_ref
from nodeguard.remote.digests import resolver_for
from nodeguard.remote.registry import DigestResolver, is_public_address, is_public_registry
from tests.remote.test_credentials_and_policy import policy
from tests.remote.test_registry_lookup import LAYERS


@pytest.fixture
def counting_server():
    """An HTTP server on 127.0.0.1 that answers 404 to everything and counts what reaches it."""
    seen = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_HEAD(self):
            seen.append(self.path)
            self.send_response(404)
            self.end_headers()

        do_GET = do_HEAD

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.seen = seen
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def connections(monkeypatch):
    """Every connection the HTTP client opens, by (host, port)."""
    opened = []
    real = urllib3.util.connection.create_connection

    def spy(address, *args, **kwargs):
        opened.append(address)
        return real(address, *args, **kwargs)

    monkeypatch.setattr(urllib3.util.connection, "create_connection", spy)
    return opened


def no_resolving(host):
    raise AssertionError(f"{host} was resolved")


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]"])
def test_a_loopback_registry_not_in_the_policy_gets_no_request(counting_server, connections, tmp_path, host):
    port = counting_server.server_address[1]
    resolver = resolver_for([policy(tmp_path, "rules:\n  NG101: off\n")], {"DOCKER_CONFIG": str(tmp_path)},
                            resolve=no_resolving)
    lookup = resolver.lookup(parse_image_ref(f"{host}:{port}/acme/node:24-alpine"))
    assert counting_server.seen == [] and connections == [] and lookup.requests == 0
    assert lookup.digest is None
    assert f"not looked up: {host}:{port} is neither a well-known public registry nor named under the policy's registries:" in lookup.problem


@pytest.mark.parametrize("host", ["10.0.0.5:5000", "192.168.1.2", "172.16.0.1:443", "169.254.169.254",
                                  "[fe80::1]:5000", "100.64.0.1", "0.0.0.0:5000", "registry.internal",
                                  "ghcr.io:8080", "evil.gcr.io.example.com"])
def test_an_internal_or_unknown_registry_is_never_contacted(connections, host):
    lookup = DigestResolver(resolve=no_resolving).lookup(parse_image_ref(f"{host}/x:1"))
    assert connections == [] and lookup.requests == 0 and lookup.digest is None
    assert "not looked up" in lookup.problem and "runner's network" in lookup.problem


@pytest.mark.parametrize("address", ["10.0.0.5", "127.0.0.1", "169.254.169.254", "::1", "fd00::1",
                                     "::ffff:10.0.0.5", "0.0.0.0", "224.0.0.1"])
def test_a_public_registry_name_that_resolves_inward_is_not_connected_to(connections, address):
    lookup = DigestResolver(resolve=lambda host: ["140.82.112.33", address]).lookup(parse_image_ref("ghcr.io/acme/app:1"))
    assert connections == [] and lookup.requests == 0 and lookup.digest is None
    assert f"ghcr.io: not looked up: the name resolves to {address}, not a public address" == lookup.problem


def test_the_lists_of_public_registries_and_addresses():
    assert all(is_public_registry(host) for host in (
        "docker.io", "registry-1.docker.io", "ghcr.io", "gcr.io", "eu.gcr.io", "europe-west1-docker.pkg.dev",
        "quay.io", "public.ecr.aws", "mcr.microsoft.com", "registry.k8s.io", "cgr.dev",
        "registry.access.redhat.com", "registry.gitlab.com", "GHCR.IO"))
    assert not any(is_public_registry(host) for host in (
        "localhost", "127.0.0.1", "ghcr.io:5000", "x.ghcr.io", "a.b.gcr.io", "docker-pkg.dev", "ghcr.io.evil.com"))
    assert is_public_address("140.82.112.33") and is_public_address("2606:4700::1111")


def test_a_registry_named_in_the_policy_is_looked_up_on_this_machine(open_registry, tmp_path):
    digest = open_registry.push_index("acme/node", "24-alpine", LAYERS)
    named = policy(tmp_path, f"registries:\n  '{open_registry.host}': {{}}\n")
    lookup = resolver_for([named], {"DOCKER_CONFIG": str(tmp_path)}).lookup(
        parse_image_ref(f"{open_registry.host}/acme/node:24-alpine"))
    assert lookup.digest == digest and lookup.problem is None

"""Digest lookups against a real distribution registry on 127.0.0.1: anonymous over HTTP (a mirror of
Docker Hub, so the `library/` namespace), and behind TLS with the Bearer-token challenge Docker Hub uses,
anonymous and with the Docker client's credentials."""
from __future__ import annotations

import base64
import json
import socket
import threading

import pytest

from nodeguard.model.reference import parse_image_ref
from nodeguard.policy import load_policy
from nodeguard.remote.credentials import load_credentials
from nodeguard.remote.digests import resolver_for
from nodeguard.remote.registry import DigestResolver
from tests.remote.registry_server import DOCKER_LIST, DOCKER_MANIFEST, READER

LAYERS = {"linux/amd64": b"amd64 layer", "linux/arm64": b"arm64 layer"}


@pytest.fixture(scope="module")
def hub_mirror(open_registry):
    """The open registry as a Docker Hub mirror holding the official node image: an OCI index tagged
    24.11.1-alpine3.22, a Docker manifest list tagged 22-alpine, a single-platform manifest tagged single."""
    digests = {
        "24.11.1-alpine3.22": open_registry.push_index("library/node", "24.11.1-alpine3.22", LAYERS),
        "22-alpine": open_registry.push_index("library/node", "22-alpine", LAYERS, media_type=DOCKER_LIST),
        "single": open_registry.push_image("library/node", "single", platform="linux/amd64", layer=b"one",
                                           media_type=DOCKER_MANIFEST)[0],
    }
    return open_registry, digests


def mirror_resolver(registry, **kwargs) -> DigestResolver:
    return DigestResolver({"docker.io": registry.url}, {}, **kwargs)


def test_an_official_image_is_looked_up_under_library_at_the_mirror_and_gets_the_index_digest(hub_mirror):
    registry, digests = hub_mirror
    resolver = mirror_resolver(registry)
    lookup = resolver.lookup(parse_image_ref("node:24.11.1-alpine3.22"))
    assert lookup.digest == digests["24.11.1-alpine3.22"]
    assert lookup.problem is None
    assert lookup.image == "docker.io/library/node:24.11.1-alpine3.22"
    assert lookup.requests == 1  # an open registry: one HEAD


def test_a_docker_manifest_list_and_a_single_manifest_resolve_to_what_the_tag_names(hub_mirror):
    registry, digests = hub_mirror
    resolver = mirror_resolver(registry)
    assert resolver.lookup(parse_image_ref("node:22-alpine")).digest == digests["22-alpine"]
    assert resolver.lookup(parse_image_ref("docker.io/library/node:single")).digest == digests["single"]


def test_each_image_is_looked_up_once_per_run(hub_mirror):
    registry, digests = hub_mirror
    resolver = mirror_resolver(registry)
    before = registry.manifest_requests()
    first = resolver.lookup(parse_image_ref("node:22-alpine"))
    again = resolver.lookup(parse_image_ref("docker.io/node:22-alpine"))
    assert first.digest == again.digest == digests["22-alpine"]
    assert (first.requests, again.requests) == (1, 0)
    assert registry.manifest_requests() - before == 1


def test_an_unknown_tag_says_so_without_a_digest(hub_mirror):
    registry, _ = hub_mirror
    lookup = mirror_resolver(registry).lookup(parse_image_ref("node:99-nothing"))
    assert lookup.digest is None
    assert "no tag 99-nothing in library/node (404)" in lookup.problem


def test_the_bearer_challenge_is_answered_with_an_anonymous_pull_token(token_registry):
    digest = token_registry.push_index("public/app", "1.0", LAYERS)
    resolver = DigestResolver(trusted=[token_registry.host], tls_verify=token_registry.verify)
    token_registry.tokens.requests.clear()
    lookup = resolver.lookup(parse_image_ref(f"{token_registry.host}/public/app:1.0"))
    assert lookup.digest == digest
    assert lookup.requests == 3  # HEAD (401 + challenge), the token, HEAD again
    assert token_registry.tokens.requests == [
        {"user": None, "service": "nodeguard-test-registry", "scope": "repository:public/app:pull"}
    ]


def docker_config(folder, host: str, user: str, password: str) -> dict[str, str]:
    auth = base64.b64encode(f"{user}:{password}".encode()).decode()
    (folder / "config.json").write_text(json.dumps({"auths": {f"https://{host}": {"auth": auth}}}))
    return {"DOCKER_CONFIG": str(folder)}


def test_a_private_image_is_pulled_with_the_docker_clients_credentials(token_registry, tmp_path):
    digest = token_registry.push_index("private/api", "2.0", LAYERS)
    ref = parse_image_ref(f"{token_registry.host}/private/api:2.0")
    anonymous = DigestResolver(trusted=[token_registry.host], tls_verify=token_registry.verify).lookup(ref)
    assert anonymous.digest is None and "refused" in anonymous.problem
    credentials = load_credentials(docker_config(tmp_path, token_registry.host, *READER))
    assert credentials == {token_registry.host: READER}
    token_registry.tokens.requests.clear()
    lookup = DigestResolver(credentials=credentials, trusted=[token_registry.host], tls_verify=token_registry.verify).lookup(ref)
    assert lookup.digest == digest
    assert token_registry.tokens.requests[0]["user"] == "reader"


def test_wrong_credentials_are_a_clear_refusal(token_registry, tmp_path):
    credentials = load_credentials(docker_config(tmp_path, token_registry.host, "reader", "wrong"))
    lookup = DigestResolver(credentials=credentials, trusted=[token_registry.host], tls_verify=token_registry.verify).lookup(
        parse_image_ref(f"{token_registry.host}/private/api:2.0")
    )
    assert lookup.digest is None and lookup.problem


@pytest.mark.parametrize("config, note", [
    ("{\"auths\": {", "is not valid JSON"),
    ('{"auths": ["x"]}', "has no auths mapping"),
    ('{"credsStore": "desktop", "auths": {"REGISTRY": {}}}', "credential helper (credsStore desktop), which nodeguard does not run"),
])
def test_a_refusal_says_why_the_docker_configuration_gave_no_credentials(token_registry, tmp_path, config, note):
    (tmp_path / "config.json").write_text(config.replace("REGISTRY", token_registry.host))
    (tmp_path / ".git").mkdir()
    (tmp_path / ".nodeguard.yml").write_text(f'registries:\n  "{token_registry.host}": {{}}\n')
    resolver = resolver_for([load_policy(None, str(tmp_path))], {"DOCKER_CONFIG": str(tmp_path)},
                            tls_verify=token_registry.verify)
    lookup = resolver.lookup(parse_image_ref(f"{token_registry.host}/private/api:2.0"))
    assert lookup.digest is None
    assert "access to private/api was refused" in lookup.problem
    assert note in lookup.problem


def test_a_refused_connection_is_a_note_and_the_registry_is_not_asked_again(unused_port):
    slept = []
    resolver = DigestResolver({"docker.io": f"http://127.0.0.1:{unused_port}"}, sleep=slept.append)
    lookup = resolver.lookup(parse_image_ref("node:24-alpine"))
    assert lookup.digest is None
    assert f"127.0.0.1:{unused_port} could not be reached: Connection refused" in lookup.problem
    assert "registry-1.docker.io could not be reached" in lookup.problem  # the tests let no name resolve
    second = resolver.lookup(parse_image_ref("node:22-alpine"))
    assert second.requests == 0 and second.problem == lookup.problem
    assert len(slept) == 2  # one pause between the two attempts, per endpoint


def test_a_registry_that_never_answers_times_out_within_the_limit(silent_server):
    resolver = DigestResolver({"docker.io": f"http://{silent_server}"}, timeout=0.3, attempts=2, sleep=lambda s: None)
    lookup = resolver.lookup(parse_image_ref("node:24-alpine"))
    assert lookup.digest is None
    assert f"{silent_server} could not be reached: no answer within 0.3 s" in lookup.problem


@pytest.fixture
def unused_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def silent_server():
    """Accepts connections on 127.0.0.1 and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held, stop = [], threading.Event()

    def accept():
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    listener.close()


def test_past_the_limit_images_are_not_looked_up_and_say_so(hub_mirror, monkeypatch):
    from nodeguard.remote import registry as registry_module

    registry, digests = hub_mirror
    monkeypatch.setattr(registry_module, "MAX_IMAGES", 1)
    refs = {"a": parse_image_ref("node:22-alpine"), "b": parse_image_ref("node:single")}
    found = mirror_resolver(registry).lookup_all(refs)
    assert found["a"].digest == digests["22-alpine"]
    assert found["b"].digest is None and found["b"].problem == "not looked up: at most 1 images a run"
    assert found["b"].requests == 0

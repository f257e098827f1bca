"""The parts of a lookup that need no server: the Docker client's credentials, the policy's mirrors, the
challenge header, which endpoints are asked in which order."""
from __future__ import annotations

import base64
import json

import pytest

from nodeguard.model.reference import parse_image_ref
from nodeguard.policy import PolicyError, load_policy
from nodeguard.remote.credentials import load_credentials
from nodeguard.remote.digests import resolver_for
from nodeguard.remote.registry import DigestResolver, Endpoint, parse_challenge


def encoded(user: str, password: str) -> str:
    return base64.b64encode(f"{user}:{password}".encode()).decode()


def test_credentials_come_from_docker_config_auths_by_registry_host(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"auths": {
        "https://index.docker.io/v1/": {"auth": encoded("hub", "h")},
        "ghcr.io": {"username": "gh", "password": "g"},
        "https://registry.example.com:5000/v2/": {"auth": encoded("ex", "pa:ss")},
        "broken.example.com": {"auth": "not base64!"},
        "helper.example.com": {},
    }, "credsStore": "desktop"}))
    assert load_credentials({"DOCKER_CONFIG": str(tmp_path)}) == {
        "docker.io": ("hub", "h"), "ghcr.io": ("gh", "g"), "registry.example.com:5000": ("ex", "pa:ss"),
    }


def test_the_home_folder_is_the_default_and_a_bad_file_means_anonymous(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / ".docker").mkdir()
    (tmp_path / ".docker" / "config.json").write_text(json.dumps({"auths": {"ghcr.io": {"auth": encoded("a", "b")}}}))
    assert load_credentials({}) == {"ghcr.io": ("a", "b")}
    (tmp_path / ".docker" / "config.json").write_text("{not json")
    assert load_credentials({}) == {}
    assert load_credentials({"DOCKER_CONFIG": str(tmp_path / "missing")}) == {}


def policy(tmp_path, text: str):
    (tmp_path / ".git").mkdir(exist_ok=True)
    (tmp_path / ".nodeguard.yml").write_text(text)
    return load_policy(None, str(tmp_path))


def test_a_docker_hub_mirror_in_the_policy_is_asked_before_docker_hub(tmp_path):
    loaded = policy(tmp_path, "registries:\n  docker.io:\n    mirror: https://mirror.example.com\n")
    resolver = resolver_for([loaded], {"DOCKER_CONFIG": str(tmp_path)})
    assert resolver._endpoints(parse_image_ref("node:24")) == [
        Endpoint("https", "mirror.example.com"), Endpoint("https", "registry-1.docker.io")]
    assert resolver._endpoints(parse_image_ref("ghcr.io/acme/app:1")) == [Endpoint("https", "ghcr.io")]
    assert DigestResolver()._endpoints(parse_image_ref("localhost:5000/app")) == [
        Endpoint("https", "localhost:5000"), Endpoint("http", "localhost:5000")]


@pytest.mark.parametrize("mirror", ["mirror.example.com", "ftp://mirror.example.com", "https://m.example.com/path", ""])
def test_a_mirror_that_is_not_an_http_url_is_a_policy_error(tmp_path, mirror):
    with pytest.raises(PolicyError, match="registries"):
        policy(tmp_path, f"registries:\n  docker.io:\n    mirror: '{mirror}'\n")


def test_the_challenge_header_is_read_as_docker_hub_sends_it():
    assert parse_challenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",'
                           'scope="repository:library/node:pull"') == ("bearer", {
        "realm": "https://auth.docker.io/token", "service": "registry.docker.io",
        "scope": "repository:library/node:pull"})
    assert parse_challenge('Basic realm="Registry Realm"') == ("basic", {"realm": "Registry Realm"})
    assert parse_challenge("") == ("", {})

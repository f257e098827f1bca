from __future__ import annotations

import pytest

from tests.remote.registry_server import Authority, Registry, TokenServer, registry_program


@pytest.fixture(scope="module")
def open_registry(tmp_path_factory):
    """An anonymous, plain-HTTP registry on 127.0.0.1 (what a mirror or a local registry looks like)."""
    registry_program()
    registry = Registry(tmp_path_factory.mktemp("open-registry"))
    yield registry
    registry.stop()


@pytest.fixture(scope="module")
def token_registry(tmp_path_factory):
    """A registry behind TLS and Bearer-token auth, as Docker Hub is: the token server and the TLS
    certificates are made here, on 127.0.0.1."""
    registry_program()
    folder = tmp_path_factory.mktemp("token-registry")
    authority = Authority(folder)
    tokens = TokenServer(authority)
    registry = Registry(folder / "registry", authority=authority, token_server=tokens)
    registry.tokens = tokens
    yield registry
    registry.stop()
    tokens.close()

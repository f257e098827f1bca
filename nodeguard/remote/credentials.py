"""Registry credentials as the Docker client keeps them: ``auths`` in ``$DOCKER_CONFIG/config.json``
(default ``~/.docker/config.json``). Credential helpers (``credsStore``, ``credHelpers``) run programs
and are not used; a registry that needs them is looked up anonymously."""
from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Mapping
from pathlib import Path

from nodeguard.model.reference import DOCKER_HUB

_HUB_CONFIG_KEYS = ("index.docker.io", "registry-1.docker.io", "docker.io", "registry.hub.docker.com")
MAX_CONFIG_BYTES = 1024 * 1024


def docker_config_path(environ: Mapping[str, str]) -> Path:
    folder = environ.get("DOCKER_CONFIG")
    return Path(folder) / "config.json" if folder else Path.home() / ".docker" / "config.json"


def _host_of(key: str) -> str:
    """``https://index.docker.io/v1/`` -> ``index.docker.io``; ``ghcr.io`` stays."""
    host = key.split("://", 1)[-1].split("/", 1)[0].lower()
    return DOCKER_HUB if host in _HUB_CONFIG_KEYS else host


def _pair(entry: object) -> tuple[str, str] | None:
    if not isinstance(entry, dict):
        return None
    user, password = entry.get("username"), entry.get("password")
    if isinstance(user, str) and isinstance(password, str) and user:
        return user, password
    encoded = entry.get("auth")
    if not isinstance(encoded, str) or not encoded:
        return None
    try:
        user, sep, password = base64.b64decode(encoded, validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (user, password) if sep and user else None


def load_credentials(environ: Mapping[str, str] | None = None) -> dict[str, tuple[str, str]]:
    """Registry host (``docker.io`` for Docker Hub) -> (user, password). An unreadable or malformed file
    gives no credentials: lookups are then anonymous, which public images need anyway."""
    return read_credentials(environ)[0]


def read_credentials(environ: Mapping[str, str] | None = None) -> tuple[dict[str, tuple[str, str]], str | None]:
    """The credentials, and why the configuration gives none that a registry refusing access might need
    (a malformed file, a credential helper): said when a lookup is refused. A missing file says nothing."""
    path = docker_config_path(os.environ if environ is None else environ)
    shown = f"the Docker configuration {path}"
    try:
        with open(path, "rb") as handle:
            text = handle.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        return {}, None
    except OSError as error:
        return {}, f"{shown} could not be read ({error.strerror or type(error).__name__})"
    if len(text) > MAX_CONFIG_BYTES:
        return {}, f"{shown} is larger than {MAX_CONFIG_BYTES // (1024 * 1024)} MiB; not read"
    try:
        data = json.loads(text)
    except ValueError as error:
        return {}, f"{shown} is not valid JSON ({str(error)[:80]})"
    auths = data.get("auths") if isinstance(data, dict) else None
    if not isinstance(auths, dict):
        return {}, f"{shown} has no auths mapping" + _helpers(data)
    found: dict[str, tuple[str, str]] = {}
    for key, entry in auths.items():
        pair = _pair(entry)
        if isinstance(key, str) and pair is not None:
            found.setdefault(_host_of(key), pair)
    helpers = _helpers(data)
    return found, f"{shown} keeps credentials{helpers}" if helpers else None


def _helpers(data: object) -> str:
    """`` in a credential helper (credsStore desktop), which nodeguard does not run`` when it names one."""
    if not isinstance(data, dict):
        return ""
    named = [f"credsStore {data['credsStore']}"] if isinstance(data.get("credsStore"), str) else []
    if isinstance(data.get("credHelpers"), dict) and data["credHelpers"]:
        named.append("credHelpers")
    if not named:
        return ""
    return f" in a credential helper ({', '.join(named)}), which nodeguard does not run"

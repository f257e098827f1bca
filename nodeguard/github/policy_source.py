"""The policy of a run, read from one commit of the repository (by default the base branch's)."""
from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from nodeguard.github.client import FileContent
from nodeguard.policy import Policy, PolicyError, load_policy

DEFAULT_POLICY_PATHS = (".github/nodeguard.yml", ".nodeguard.yml")


@dataclass(frozen=True)
class LoadedPolicy:
    policy: Policy
    description: str
    note: str | None = None


def load_policy_text(path: str, data: bytes) -> Policy:
    """The policy in ``data``, read from the repository file ``path``; errors name ``path``."""
    with tempfile.TemporaryDirectory(prefix="nodeguard-policy-") as folder:
        (Path(folder) / ".git").mkdir()  # the search for a policy file stops at this folder
        local = Path(folder) / PurePosixPath(path).name
        local.write_bytes(data)
        try:
            return load_policy(str(local), folder)
        except PolicyError as error:
            message = error.message.replace(str(local), path)
            raise PolicyError(path, message, error.line, error.key) from None


def builtin_policy() -> Policy:
    with tempfile.TemporaryDirectory(prefix="nodeguard-policy-") as folder:
        (Path(folder) / ".git").mkdir()
        return load_policy(None, folder)


def policy_at(read: Callable[[str], FileContent | None], config: str | None, where: str) -> LoadedPolicy:
    """The policy file ``config`` (or the first default one) as ``read`` finds it, or the built-in
    ``recommended`` when there is none. ``where`` says which commit, for the summary."""
    for path in [config] if config else DEFAULT_POLICY_PATHS:
        found = read(path)
        if found is None:
            continue
        if found.data is None:
            raise PolicyError(path, found.problem or "cannot be read")
        return LoadedPolicy(load_policy_text(path, found.data), f"`{path}` {where}")
    note = None
    if config:
        note = f"The policy file {config} does not exist {where}; the built-in recommended policy was used."
    return LoadedPolicy(builtin_policy(), f"built-in recommended: no policy file {where}", note)

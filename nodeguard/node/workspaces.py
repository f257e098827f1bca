"""Contexts that hold more than one package: npm/Yarn/pnpm workspaces or nested package.json files."""
from __future__ import annotations

import posixpath
from collections.abc import Callable

from nodeguard.model import jsontext
from nodeguard.model.context import BuildContext

MAX_PROBES = 20


def nested_node_modules(context: BuildContext) -> list[str]:
    """Where ``node_modules`` folders below the context root can be (``packages/api/node_modules``), from
    the workspaces the root declares and the ``package.json`` files below the root; [] for a single package
    or when the context is not on disk."""
    if not context.files_readable:
        return []
    folders = [posixpath.dirname(path) for path in context.iter_files()
               if posixpath.basename(path) == "package.json" and "/" in path]
    folders += [_example_folder(pattern) for pattern in declared_workspaces(context)]
    unique = dict.fromkeys(folder for folder in folders if folder and folder != ".")
    return [f"{folder}/node_modules" for folder in list(unique)[:MAX_PROBES]]


def declared_workspaces(context: BuildContext) -> list[str]:
    """The workspace globs of ``package.json`` (``workspaces``) and ``pnpm-workspace.yaml`` (``packages``)."""
    patterns: list[str] = []
    manifest = _load(context.read_text("package.json"), jsontext.loads)
    if isinstance(manifest, dict):
        workspaces = manifest.get("workspaces")
        if isinstance(workspaces, dict):  # Yarn classic: {"packages": [...], "nohoist": [...]}
            workspaces = workspaces.get("packages")
        patterns += _strings(workspaces)
    pnpm = _load(context.read_text("pnpm-workspace.yaml"), _yaml_safe_load)
    if isinstance(pnpm, dict):
        patterns += _strings(pnpm.get("packages"))
    return [pattern for pattern in patterns if not pattern.startswith("!")]


def _load(text: str | None, loader: Callable[[str], object]) -> object:
    if text is None:
        return None
    try:
        return loader(text)
    except (ValueError, RecursionError):  # PyYAML recurses once per nesting level
        return None


def _yaml_safe_load(text: str) -> object:
    import yaml  # only for contexts that have a pnpm-workspace.yaml: off the start-up path

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None


def _strings(value: object) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _example_folder(pattern: str) -> str:
    """A folder a workspace glob stands for: ``packages/*`` -> ``packages/pkg``."""
    parts = [("pkg" if "*" in part else part) for part in pattern.removeprefix("./").split("/") if part]
    return "/".join(parts)

"""package.json and the package-manager facts a build context shows: scripts, Yarn's flavour.

Files are read through a ``read_text(relpath) -> str | None`` callback with context-relative paths.
"""
from __future__ import annotations

import posixpath
from collections.abc import Callable

from nodeguard.model import jsontext
from nodeguard.node.programs import SCRIPT_RUNNERS
from nodeguard.patterns import LazyPattern

ReadText = Callable[[str], "str | None"]


# yarn/pnpm run a script named as the command (``yarn start``), except their own commands.
_OWN_COMMANDS = frozenset({"run", "run-script", "exec", "dlx", "node", "install", "add", "workspace", "workspaces"})
_SHELL_SYNTAX = set("&|;<>$`()*?~\\\"'\n#")
_YARN_VERSION = LazyPattern(r"^yarn@(\d+)")


def read_package_json(read_text: ReadText, directory: str = "") -> dict | None:
    """The parsed package.json of a context folder, or None when absent or not a JSON object."""
    text = read_text(posixpath.join(directory, "package.json") if directory else "package.json")
    if text is None:
        return None
    try:
        data = jsontext.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def script_name(argv: tuple[str, ...] | list[str]) -> str | None:
    """The package.json script a command runs: ``npm start``, ``npm run serve``, ``yarn start``."""
    if not argv or posixpath.basename(argv[0]) not in SCRIPT_RUNNERS:
        return None
    manager = posixpath.basename(argv[0])
    words = [word for word in argv[1:] if not word.startswith("-")]
    if not words:
        return None
    if words[0] in ("run", "run-script") and len(words) > 1:
        return words[1]
    if words[0] == "start":
        return "start"
    if manager in ("yarn", "pnpm", "bun") and words[0] not in _OWN_COMMANDS:
        return words[0]
    return None


def script_or_program(argv: tuple[str, ...] | list[str]) -> bool:
    """True when the command names a word without ``run`` (``pnpm http-server``, ``yarn dev``): yarn, pnpm
    and bun run the package.json script of that name, or, when there is none, the program of that name
    from node_modules/.bin."""
    script = script_name(argv)
    words = [word for word in argv[1:] if not word.startswith("-")]
    return script is not None and script != "start" and bool(words) and words[0] == script


def script_command(package: dict | None, name: str, manager: str) -> str | None:
    """The text of a script; npm's default ``start`` is ``node server.js`` when package.json has none."""
    scripts = package.get("scripts") if package else None
    script = scripts.get(name) if isinstance(scripts, dict) else None
    if script is None and name == "start" and manager == "npm" and package is not None:
        return "node server.js"
    return script if isinstance(script, str) else None


def plain_node_command(script: str) -> list[str] | None:
    """``node dist/main.js --port 80`` as words, when the script is only that: no shell syntax, no VAR=."""
    if any(char in _SHELL_SYNTAX for char in script):
        return None
    words = script.split()
    return words if len(words) >= 2 and words[0] == "node" else None


def has_dev_dependencies(package: dict) -> bool:
    dev = package.get("devDependencies")
    return isinstance(dev, dict) and bool(dev)


def yarn_is_berry(read_text: ReadText) -> bool | None:
    """True for Yarn 2+ (berry), False for Yarn 1 (classic), None when the context does not tell."""
    package = read_package_json(read_text)
    manager = package.get("packageManager") if package else None
    if isinstance(manager, str):
        match = _YARN_VERSION.match(manager)
        if match:
            return int(match.group(1)) >= 2
    if read_text(".yarnrc.yml") is not None:
        return True
    lockfile = read_text("yarn.lock")
    if lockfile is not None:
        if "# yarn lockfile v1" in lockfile[:500]:
            return False
        if "__metadata:" in lockfile[:2000]:
            return True
    return None

"""Node.js installed by a RUN rather than brought by the base image, and the version each install names.

Read: NodeSource's repositories (its setup scripts ``setup_18.x``, ``setup_lts.x``..., the ``node_16.x`` and
``pub_16.x`` repository lines and the package files under them) once ``nodejs`` is installed from them, the
version managers (``n 16``, ``nvm install 16``, ``fnm install 12``, ``volta install node@14``, ``asdf install
nodejs 16.20.2``) and the official builds from nodejs.org (``node-v16.20.2-linux-x64.tar.xz``). The ARG and
ENV in force are substituted in the words (``nvm install $NODE_VERSION``).

Not read: the distributions' own ``nodejs`` packages (``apt-get install nodejs`` on Debian or Ubuntu, ``apk
add nodejs`` on Alpine) without a NodeSource repository. Which line they hold depends on the distribution's
release and changes with its updates; nodeguard has no table of them to state it from.
"""
from __future__ import annotations

from collections.abc import Iterable

from nodeguard.node.releases import resolve_node_version
from nodeguard.node.system_packages import package_command
from nodeguard.patterns import LazyPattern
from nodeguard.record import Record

TYPE_CHECKING = False  # not typing's: a check imports no ``typing`` (see ``nodeguard.record``)
if TYPE_CHECKING:
    from datetime import date

    from nodeguard.model.image import Step
    from nodeguard.model.shell import Command

# deb.nodesource.com/setup_18.x, deb.nodesource.com/node_16.x (a repository line or a package under it),
# rpm.nodesource.com/pub_16.x
_NODESOURCE = LazyPattern(r"\b(?:deb|rpm)\.nodesource\.com/(?P<segment>(?:setup|node|pub)_(?P<version>[a-z0-9]+)\.x)\b")
_PACKAGE_FILE = (".deb", ".rpm")
# nodejs.org/dist/v16.20.2/node-v16.20.2-linux-x64.tar.xz, unofficial-builds.nodejs.org/download/release/...;
# not SHASUMS256.txt, nor the headers node-gyp reads
_OFFICIAL_BUILD = LazyPattern(
    r"\bnodejs\.org/\S*/(?P<file>node-v(?P<version>\d+\.\d+\.\d+)(?!\d|-headers)[^/\s]*\.(?:tar\.xz|tar\.gz|zip|msi|pkg|7z))$"
)
_NODE_PACKAGE = "nodejs"  # the package NodeSource's repositories hold
# Options of the version managers' install commands that take the next word as their value.
_VALUE_OPTIONS = frozenset({"-a", "--arch", "--reinstall-packages-from", "--alias", "--log-level"})
# Version words of the managers that resolve_node_version names otherwise.
_ALIASES = {"node": "current", "stable": "current", "*": "lts", "lts/*": "lts", "--lts": "lts", "--latest": "latest"}


class NodeInstall(Record):
    """One install of Node.js by a RUN: where its version is written, which version, and how."""

    step: Step  # the RUN whose words name the version
    version: str  # the version word as the install names it: "18", "v12.22.12", "lts/gallium", "--lts"
    how: str  # for messages: "`nvm install 16`", "NodeSource's `setup_18.x`", "the official `node-v16...tar.xz`"
    installed_by: Step | None  # a NodeSource repository: the later RUN that installs nodejs from it

    def __init__(self, step: Step, version: str, how: str, installed_by: Step | None = None) -> None:
        self.__dict__.update(step=step, version=version, how=how, installed_by=installed_by)

    def major(self, today: date) -> int | None:
        """The major line the version word means on ``today`` (``lts`` moves), None when it names none."""
        word = self.version.lower()
        if word.startswith("--lts="):
            word = word.removeprefix("--lts=")
        word = _ALIASES.get(word, word)
        if word.startswith("lts/"):
            word = word.removeprefix("lts/")
        return resolve_node_version(word, today)


def node_installs(steps: Iterable[Step]) -> list[NodeInstall]:
    """The Node.js installs of ``steps``, read in build order (a stage's ``all_steps()``): a NodeSource
    repository counts once ``nodejs`` is installed from it (by a later command or RUN, or as its own package
    file), at the RUN that names it; an install named twice in one RUN counts once."""
    found: dict[tuple[int, str], NodeInstall] = {}
    repository: NodeInstall | None = None  # the NodeSource repository set up last, until nodejs is installed
    for step in steps:
        if step.keyword != "RUN":
            continue
        for command in step.commands:
            if repository is None and command.program not in _VERSION_MANAGERS and not any(
                "node" in word or "$" in word for word in command.argv
            ):
                continue  # names no Node.js download, version or repository, and no install awaits one
            words = tuple(step.expand(word) for word in command.argv)
            managed = _version_manager_install(command, words)
            if managed is not None:
                found.setdefault((step.line, managed[1]), NodeInstall(step, *managed))
            for word in words[1:]:
                official = _OFFICIAL_BUILD.search(word)
                if official is not None:
                    how = f"the official `{official.group('file')}`"
                    found.setdefault((step.line, how), NodeInstall(step, official.group("version"), how))
                source = _NODESOURCE.search(word)
                if source is None:
                    continue
                repository = NodeInstall(step, source.group("version"), f"NodeSource's `{source.group('segment')}`")
                if word.endswith(_PACKAGE_FILE):  # the package itself, for dpkg -i or rpm -i
                    found.setdefault((step.line, repository.how), repository)
                    repository = None
            parsed = package_command(command) if repository is not None else None
            if repository is not None and parsed is not None and parsed.action == "install" \
                    and _NODE_PACKAGE in parsed.packages:
                installed_by = step if step.line != repository.step.line else None
                found.setdefault((repository.step.line, repository.how),
                                 NodeInstall(repository.step, repository.version, repository.how, installed_by))
                repository = None
    return sorted(found.values(), key=lambda install: install.step.line)


_VERSION_MANAGERS = frozenset({"n", "nvm", "fnm", "volta", "asdf"})


def _version_manager_install(command: Command, words: tuple[str, ...]) -> tuple[str, str] | None:
    """(version word, how) of ``n 16``, ``nvm install 16``, ``fnm install 12``, ``volta install node@14`` or
    ``asdf install nodejs 16.20.2``; None for any other command (``nvm use``, ``volta install yarn``)."""
    program = command.program
    rest = words[1:]
    if program == "n":
        if rest[:1] in (("install",), ("i",)):
            return _first_version(program, rest[:1], rest[1:])
        return _first_version(program, (), rest)
    if program in ("nvm", "fnm") and rest[:1] == ("install",):
        return _first_version(program, rest[:1], rest[1:])
    if program == "volta" and rest[:1] == ("install",):
        tool = next((word for word in rest[1:] if word == "node" or word.startswith("node@")), None)
        if tool is None:
            return None
        return ("lts" if tool == "node" else tool.removeprefix("node@")), f"`volta install {tool}`"
    if program == "asdf" and rest[:2] == ("install", "nodejs") and len(rest) > 2:
        return rest[2], f"`asdf install nodejs {rest[2]}`"
    return None


def _first_version(program: str, verb: tuple[str, ...], words: tuple[str, ...]) -> tuple[str, str] | None:
    """The version word among a manager's words after its command: the first that is not an option (or
    ``--lts``, ``--lts=gallium``, ``--latest``); None when it names no version (``nvm install`` reads .nvmrc)."""
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        if word in ("--lts", "--latest") or word.startswith("--lts="):
            return word, f"`{' '.join((program, *verb, word))}`"
        if word.startswith("-"):
            if word in _VALUE_OPTIONS:
                index += 1
            continue
        if not verb and not _looks_like_version(word):
            return None  # n rm 16, n ls, n run 16 app.js
        return word, f"`{' '.join((program, *verb, word))}`"
    return None


_VERSION_WORD = LazyPattern(r"v?\d+(?:\.\d+){0,2}|lts(?:/.*)?|latest|current|stable|[a-z]+")
_N_COMMANDS = frozenset({"run", "exec", "which", "bin", "rm", "-", "prune", "ls", "list", "ls-remote", "lsr",
                         "doctor", "uninstall", "use", "as"})


def _looks_like_version(word: str) -> bool:
    """``n``'s first word is a version (``16``, ``lts``, ``hydrogen``), not one of its other commands."""
    return word not in _N_COMMANDS and _VERSION_WORD.fullmatch(word) is not None

"""System package commands (apk, apt, yum/dnf): what a RUN installs and removes."""
from __future__ import annotations

from collections.abc import Iterable

from nodeguard.model.shell import Command
from nodeguard.patterns import LazyPattern
from nodeguard.record import Record

_INSTALL = {
    "apk": frozenset({"add"}),
    "apt-get": frozenset({"install"}),
    "apt": frozenset({"install"}),
    "yum": frozenset({"install"}),
    "dnf": frozenset({"install"}),
    "microdnf": frozenset({"install"}),
}
_REMOVE = {
    "apk": frozenset({"del"}),
    "apt-get": frozenset({"remove", "purge", "autoremove"}),
    "apt": frozenset({"remove", "purge", "autoremove"}),
    "yum": frozenset({"remove", "erase", "autoremove"}),
    "dnf": frozenset({"remove", "erase", "autoremove"}),
    "microdnf": frozenset({"remove"}),
}
# Options that take the next word as their value.
_VALUE_OPTIONS = {
    "apk": frozenset({"-t", "--virtual", "-X", "--repository", "-p", "--root", "--arch", "--cache-dir", "--keys-dir", "--repositories-file"}),
    "apt-get": frozenset({"-o", "--option", "-t", "--target-release", "-c", "--config-file"}),
    "apt": frozenset({"-o", "--option", "-t", "--target-release", "-c", "--config-file"}),
    "yum": frozenset({"-x", "--exclude", "--setopt", "--enablerepo", "--disablerepo", "--installroot", "--releasever"}),
    "dnf": frozenset({"-x", "--exclude", "--setopt", "--enablerepo", "--disablerepo", "--installroot", "--releasever"}),
    "microdnf": frozenset({"--setopt", "--enablerepo", "--disablerepo", "--installroot", "--releasever"}),
}
_VIRTUAL_OPTIONS = ("-t", "--virtual")
_VERSION = LazyPattern(r"(?:[=<>~].*|@.*)$")  # gcc=12.2.0-r1, make>4, build-base@edge


def package_name(word: str) -> str:
    return _VERSION.sub("", word)


class PackageCommand(Record):
    """One system package manager command of a RUN: what it installs or removes."""

    manager: str  # apk, apt-get, apt, yum, dnf, microdnf
    action: str  # install | remove
    packages: tuple[str, ...]  # names, versions stripped
    virtual: str | None  # apk add --virtual NAME

    def __init__(self, manager: str, action: str, packages: tuple[str, ...], virtual: str | None = None) -> None:
        self.__dict__.update(manager=manager, action=action, packages=packages, virtual=virtual)


def package_command(command: Command) -> PackageCommand | None:
    """What an apk/apt/yum/dnf command installs or removes, or None for anything else."""
    manager = command.program
    if manager not in _INSTALL:
        return None
    value_options = _VALUE_OPTIONS[manager]
    words = list(command.argv[1:])
    positionals: list[str] = []
    virtual = None
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        if not word.startswith("-"):
            positionals.append(word)
            continue
        name, sep, value = word.partition("=")
        if not sep and name in value_options and index < len(words):
            value, index = words[index], index + 1
        if name in _VIRTUAL_OPTIONS:
            virtual = value
    if not positionals:
        return None
    verb, names = positionals[0], tuple(package_name(word) for word in positionals[1:])
    if verb in _INSTALL[manager]:
        return PackageCommand(manager, "install", names, virtual)
    if verb in _REMOVE[manager]:
        return PackageCommand(manager, "remove", names)
    return None


def packages_left_installed(commands: Iterable[Command]) -> list[str]:
    """Packages one RUN installs and does not remove again (by name or through its apk virtual group)."""
    installed: dict[str, str | None] = {}  # package -> its virtual group
    removed: set[str] = set()
    marked_auto = False
    for command in commands:
        if command.program == "apt-mark" and command.argv[1:2] == ("auto",):
            marked_auto = True
        parsed = package_command(command)
        if parsed is None:
            continue
        if marked_auto and parsed.action == "remove" and _auto_removes(command):
            # The docker-library idiom: ``apt-mark auto '.*'`` then ``apt-get purge --auto-remove``
            # removes everything the RUN installed with apt.
            removed.update(name for name in installed if name not in removed)
            continue
        if parsed.action == "install":
            for name in parsed.packages:
                installed.setdefault(name, parsed.virtual)
        else:
            removed.update(parsed.packages)
    return [name for name, group in installed.items() if name not in removed and group not in removed]


def _auto_removes(command: Command) -> bool:
    words = command.argv[1:]
    return "autoremove" in words or "--auto-remove" in words or "--autoremove" in words


# Python's package installers, as system packages or commands: with one of them the image runs Python
# software (the AWS CLI, uv's tools), so Python there is a runtime, not node-gyp's build tool.
PYTHON_INSTALLER_PACKAGES = frozenset({"python3-pip", "python-pip", "py3-pip", "py-pip", "pipx", "uv"})
PYTHON_INSTALLER_PROGRAMS = frozenset({"pip", "pip3", "pipx", "uv", "uvx"})
# System packages that install Node.js itself.
NODE_PACKAGES = frozenset({"nodejs", "nodejs-current", "nodejs-lts", "npm"})


def installs_python_tools(commands: Iterable[Command]) -> bool:
    """True when a command installs a Python package installer or runs one (``python3 -m pip``)."""
    for command in commands:
        parsed = package_command(command)
        if parsed is not None and parsed.action == "install" and PYTHON_INSTALLER_PACKAGES & set(parsed.packages):
            return True
        program = command.program.rsplit("/", 1)[-1]
        if program in PYTHON_INSTALLER_PROGRAMS or (program.startswith("python") and command.argv[1:3] == ("-m", "pip")):
            return True
    return False


def installs_node(commands: Iterable[Command]) -> bool:
    """True when a command installs Node.js from the system's packages (``apt-get install nodejs``)."""
    return any(parsed is not None and parsed.action == "install" and NODE_PACKAGES & set(parsed.packages)
               for parsed in map(package_command, commands))

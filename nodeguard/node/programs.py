"""Programs a container's command can name, as data: what runs Node.js, what manages packages, which
shells, inits and user switchers stand in front of it."""
from __future__ import annotations

import posixpath

from nodeguard.model.shell import SHELLS as POSIX_SHELLS

# Programs whose process is Node.js (or a Node.js-compatible runtime) running the app.
NODE_PROGRAMS = frozenset(
    {"node", "nodejs", "bun", "ts-node", "ts-node-esm", "tsx", "pm2", "pm2-runtime", "pm2-docker", "nodemon", "forever", "next",
     "nuxt", "nest"}
)
# Package managers: they start the app as a child process (``npm start``).
PACKAGE_MANAGERS = frozenset({"npm", "yarn", "pnpm", "npx", "corepack"})
# Package managers that run a package.json script by name.
SCRIPT_RUNNERS = frozenset({"npm", "yarn", "pnpm", "bun"})
JAVASCRIPT_EXTENSIONS = (".js", ".mjs", ".cjs")
SCRIPT_EXTENSIONS = (*JAVASCRIPT_EXTENSIONS, ".ts", ".mts", ".cts")

# A shell as the container's process: the POSIX shells, and busybox (``busybox sh``).
SHELLS = POSIX_SHELLS | {"busybox"}

# Programs that run as PID 1, reap zombies and forward signals to their child. s6-overlay's is the
# absolute path /init; a bare "init" is too ambiguous to count.
INIT_PROGRAMS = frozenset({"dumb-init", "tini", "tini-static", "docker-init", "catatonit"})
INIT_PATHS = frozenset({"/init"})
# Options of those inits that take a separate value (``tini -p SIGKILL``, ``dumb-init -r 15:2``).
INIT_OPTIONS_WITH_VALUE = frozenset({"-p", "-e", "-r", "--rewrite"})
# Process managers made to replace ``node`` as a container's command (pm2-docker is pm2-runtime's old
# name): they stop their apps on SIGTERM and SIGINT themselves, but do not reap orphaned processes.
SIGNAL_HANDLING_RUNNERS = frozenset({"pm2-runtime", "pm2-docker"})
# Development servers (file watching, hot reload): an image whose process is one is a development image.
# Package.json scripts by the names frameworks' templates give them; programs with the words that start the
# server (an empty tuple: the program alone, or with options only).
DEV_SERVER_SCRIPTS = frozenset({"dev", "develop", "start:dev", "dev:start", "serve:dev", "start:watch", "watch"})
DEV_SERVER_PROGRAMS: dict[str, tuple[str, ...]] = {
    "nodemon": (),
    "webpack-dev-server": (),
    "next": ("dev",),
    "nuxt": ("dev",),
    "nuxi": ("dev",),
    "ng": ("serve",),
    "vite": (),
    "react-scripts": ("start",),
    "webpack": ("serve",),
    "gatsby": ("develop",),
    "remix": ("dev",),
    "astro": ("dev",),
}
# What to put in front of a command to start it through an init.
INIT_PREFIXES = {"dumb-init": ("dumb-init",), "tini": ("tini", "--")}

# Programs that start the app as another user and replace themselves with it: ``gosu node node server.js``.
PRIVILEGE_DROPPERS = frozenset({"gosu", "su-exec", "setpriv", "runuser", "s6-setuidgid", "chpst", "setuidgid"})
# The official node image's entrypoint, which ends with ``exec "$@"``.
NODE_IMAGE_ENTRYPOINT = "docker-entrypoint.sh"


def program_name(word: str) -> str:
    return posixpath.basename(word)


def is_node_word(word: str) -> bool:
    """A word that starts Node.js as a command: a Node.js program, a package manager, or a script file."""
    name = program_name(word)
    return name in NODE_PROGRAMS or name in PACKAGE_MANAGERS or name.endswith(SCRIPT_EXTENSIONS)


def is_dev_server(argv: tuple[str, ...] | list[str]) -> bool:
    """``nodemon server.js``, ``next dev``, ``ng serve --host 0.0.0.0``, ``vite``, ``vite --host`` (not
    ``vite build`` or ``vite preview``): a development server."""
    if not argv:
        return False
    program = program_name(argv[0])
    if program in ("npx", "bunx") and len(argv) > 1:
        return is_dev_server(argv[1:])
    if program not in DEV_SERVER_PROGRAMS:
        return False
    words = [word for word in argv[1:] if not word.startswith("-")]
    wanted = DEV_SERVER_PROGRAMS[program]
    if not wanted:
        return program != "vite" or not words or words[0] in ("dev", "serve")
    return words[: len(wanted)] == list(wanted)


def is_shell(word: str) -> bool:
    return program_name(word) in SHELLS


def is_init_program(word: str) -> bool:
    return word in INIT_PATHS or program_name(word) in INIT_PROGRAMS


def split_init(argv: tuple[str, ...] | list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(init words, command): ``dumb-init --single-child node server.js`` -> (dumb-init --single-child, node server.js)."""
    words = tuple(argv)
    start = 0
    while start < len(words) and is_init_program(words[start]):
        start = after_options(words, start + 1, INIT_OPTIONS_WITH_VALUE)
    return words[:start], words[start:]


def after_options(words: tuple[str, ...], index: int, with_value: frozenset[str]) -> int:
    """The index of the first word after the options that start at ``index`` (``--`` ends them)."""
    while index < len(words) and words[index].startswith("-"):
        option = words[index]
        index += 1
        if option == "--":
            break
        if option in with_value:
            index += 1
    return index


def strip_init(argv: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The command an init runs: ``dumb-init --single-child node server.js`` -> ``node server.js``."""
    return split_init(argv)[1]

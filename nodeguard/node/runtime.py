"""What the shipped container runs: the process of its ENTRYPOINT and CMD, and as whom."""
from __future__ import annotations

import posixpath
import re
import shlex

from nodeguard.model.shell import Command, split_commands
from nodeguard.node.images import is_node_image
from nodeguard.node.packages import strip_init

NODE_PROGRAMS = frozenset(
    {"node", "nodejs", "npm", "npx", "yarn", "pnpm", "bun", "ts-node", "tsx", "pm2", "pm2-runtime", "nodemon",
     "forever", "next", "nuxt", "nest", "corepack"}
)
SCRIPT_EXTENSIONS = (".js", ".mjs", ".cjs", ".ts", ".mts", ".cts")
# Programs that start the app as another user: ``gosu node node server.js``, ``su-exec node npm start``.
PRIVILEGE_DROPPERS = frozenset({"gosu", "su-exec", "setpriv", "runuser", "s6-setuidgid", "chpst", "setuidgid"})
_DROPPER_WORD = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, sorted(PRIVILEGE_DROPPERS))) + r")(?![\w-])")
ROOT_NAMES = frozenset({"root", "0"})


def process_commands(stage) -> list[Command]:
    """The simple commands the container runs (ENTRYPOINT, then CMD), with inits and shells unwrapped."""
    entrypoint, cmd = stage.entrypoint, stage.cmd
    if entrypoint is not None and not entrypoint.is_exec_form:
        return _commands_of(entrypoint)
    argv = [*(entrypoint.json_args if entrypoint is not None else ())]
    if cmd is not None:
        if not cmd.is_exec_form and not argv:
            return _commands_of(cmd)
        argv += cmd.json_args if cmd.is_exec_form else ["/bin/sh", "-c", cmd.args]
    words = strip_init(argv)
    return split_commands(shlex.join(words)) if words else []


def _commands_of(instruction) -> list[Command]:
    commands = split_commands(instruction.args)
    return [Command(argv=strip_init(c.argv), assignments=c.assignments, text=c.text) for c in commands]


def _is_node_word(word: str) -> bool:
    name = posixpath.basename(word)
    return name in NODE_PROGRAMS or name.endswith(SCRIPT_EXTENSIONS)


def runs_node(stage) -> bool:
    """True when the stage's container runs Node.js: a node/npm/yarn/pnpm/... process or a .js file, or
    no command at all on a Node.js image (whose default command is node), or an entrypoint script there."""
    base_has_node = is_node_image(stage.root_base)
    commands = [command for command in process_commands(stage) if command.argv]
    if not commands:
        return base_has_node
    for command in commands:
        program = command.program
        if _is_node_word(program):
            return True
        if program in PRIVILEGE_DROPPERS and any(_is_node_word(word) for word in command.argv[1:]):
            return True
    return base_has_node and any(command.program.endswith(".sh") for command in commands)


def drops_privileges(stage) -> bool:
    """True when the container's process switches to another user itself: ``gosu node node server.js``,
    or an entrypoint script in an image that installs gosu/su-exec/setpriv (the docker-library pattern:
    ``exec gosu node "$@"`` inside docker-entrypoint.sh)."""
    commands = [command for command in process_commands(stage) if command.argv]
    if any(command.program in PRIVILEGE_DROPPERS for command in commands):
        return True
    starts_script = bool(commands) and commands[0].program.endswith(".sh")
    return starts_script and any(
        _DROPPER_WORD.search(step.instruction.args) for step in stage.all_steps() if step.keyword in ("RUN", "COPY", "ADD")
    )


def user_name(user: str) -> str:
    """``node:node`` -> ``node``; ``1000:1000`` -> ``1000``."""
    return user.split(":", 1)[0].strip()


def is_root(user: str) -> bool:
    return user_name(user) in ROOT_NAMES


# Where a COPY puts files the app's user does not need to own: programs, libraries and system
# configuration (an init binary into /usr/local/bin, nginx.conf into /etc/nginx, static files served by
# nginx from /usr/share/nginx/html).
SYSTEM_FOLDERS = ("/usr/", "/bin/", "/sbin/", "/lib/", "/lib64/", "/etc/", "/var/lib/", "/opt/bin/")


def is_system_destination(path: str) -> bool:
    """True for a destination outside the app's files: system folders, an init or a shell script."""
    folder = path if path.endswith("/") else path + "/"
    name = posixpath.basename(path.rstrip("/"))
    return folder.startswith(SYSTEM_FOLDERS) or name in ("tini", "dumb-init", "docker-init") or name.endswith(".sh")

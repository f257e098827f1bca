"""What the shipped container runs, read as Node.js: the command behind inits, shells, user switchers
and entrypoint scripts, whether that is Node.js, whether it ends up as PID 1, and as whom it runs."""
from __future__ import annotations

import posixpath
import re

from nodeguard.model.context import BuildContext
from nodeguard.model.copies import absolute, copy_of
from nodeguard.model.image import Image, Stage, Step
from nodeguard.model.process import (
    Process,
    exec_of_arguments,
    final_exec,
    final_process,
    hands_over,
    shell_argv,
    shell_c_script,
    shell_form_script,
    shell_script_argument,
    stage_process,
)
from nodeguard.model.shell import Command, argv_commands, simple_command_words, split_commands
from nodeguard.node.image_files import ImageReader
from nodeguard.node.images import is_node_image
from nodeguard.node.manifest import plain_node_command, read_package_json, script_command, script_name
from nodeguard.node.programs import (
    DEV_SERVER_SCRIPTS,
    NODE_IMAGE_ENTRYPOINT,
    PRIVILEGE_DROPPERS,
    SHELLS,
    after_options,
    is_dev_server,
    is_init_program,
    is_node_word,
    program_name,
    split_init,
    strip_init,
)
from nodeguard.record import Record

_DROPPER_WORD = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, sorted(PRIVILEGE_DROPPERS))) + r")(?![\w-])")
# User switchers whose first argument is the user: ``gosu node cmd``, ``su-exec node cmd``.
_DROPPERS_WITH_USER = frozenset({"gosu", "su-exec", "s6-setuidgid", "setuidgid"})
_DROPPER_OPTIONS_WITH_VALUE = frozenset({"-u", "-U", "-g", "--user", "--group"})
_PATH = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")
_MAX_WRAPPERS = 8
_SHELL_C = " -c"  # how a shell's -c script is named among the wrappers: "sh -c", "busybox sh -c"
_ASSIGNMENTS = "VAR=value"  # ``NODE_ENV=production exec node ...`` among the wrappers
ROOT_NAMES = frozenset({"root", "0"})


class Script(Record):
    """A shell script the container's command runs, as a program (``./start.sh``) or a shell's argument."""

    program: str  # as the command names it
    path: str | None  # where the image has it, when read from the build context
    text: str | None  # None: not readable here

    def __init__(self, program: str, path: str | None = None, text: str | None = None) -> None:
        self.__dict__.update(program=program, path=path, text=text)

    @property
    def is_shell_script(self) -> bool:
        if self.text is None:
            return self.program.endswith(".sh")
        first = self.text.split("\n", 1)[0]
        if first.startswith("#!"):
            words = first[2:].replace("/usr/bin/env", " ").split()
            return bool(words) and posixpath.basename(words[0]) in SHELLS
        return (self.path or self.program).endswith(".sh")

    @property
    def hands_over(self) -> bool:
        return self.text is not None and hands_over(self.text)

    def passes_arguments(self, base_has_node: bool) -> tuple[str, ...] | None:
        """The words the script puts in front of its own arguments when it ends in ``exec ... "$@"``."""
        if self.text is not None:
            return exec_of_arguments(self.text)
        if base_has_node and program_name(self.program) == NODE_IMAGE_ENTRYPOINT:
            return ()  # the node image's own entrypoint ends with exec "$@"
        return None


class ContainerProcess(Record):
    """The shipped image's process, unwrapped."""

    process: Process
    init: tuple[str, ...]  # the init in front of the command (empty when none)
    command: tuple[str, ...]  # argv without the init
    launched: tuple[str, ...]  # what ends up running once every wrapper has replaced itself
    wrappers: tuple[str, ...]  # what stands between, outermost first: "sh -c", "exec", "gosu", a script
    script: Script | None  # the first shell script on the way, when there is one
    handed_over_by: str | None  # the entrypoint script that ends in ``exec ... "$@"``, as named
    init_in_script: bool  # that script hands over through an init (``exec tini -- "$@"``)
    started_by: str | None  # the script whose last command is ``exec <program>`` (``exec node server.js``)

    def __init__(
        self,
        process: Process,
        init: tuple[str, ...],
        command: tuple[str, ...],
        launched: tuple[str, ...],
        wrappers: tuple[str, ...],
        script: Script | None,
        handed_over_by: str | None = None,
        init_in_script: bool = False,
        started_by: str | None = None,
    ) -> None:
        self.__dict__.update(
            process=process,
            init=init,
            command=command,
            launched=launched,
            wrappers=wrappers,
            script=script,
            handed_over_by=handed_over_by,
            init_in_script=init_in_script,
            started_by=started_by,
        )

    @property
    def has_init(self) -> bool:
        return bool(self.init) or self.init_in_script

    @property
    def runs_node(self) -> bool:
        return bool(self.launched) and is_node_word(self.launched[0])

    @property
    def kept_shell(self) -> str | None:
        """The ``sh -c`` on the way that starts what runs without ``exec`` (``CMD node server.js``): NG501 and
        NG503 call that shell the container's process, so it, not the program, is named as PID 1."""
        for index, wrapper in enumerate(self.wrappers):
            if wrapper.endswith(_SHELL_C):
                after = [inner for inner in self.wrappers[index + 1 :] if inner != _ASSIGNMENTS]  # ``A=1 exec node``
                if after[:1] != ["exec"]:
                    return wrapper
        return None

    @property
    def node_without_init(self) -> bool:
        """Node.js ends up as PID 1 with no init in front of it."""
        return self.runs_node and not self.has_init


def container_process(image: Image, context: BuildContext) -> ContainerProcess | None:
    """The final stage's process, unwrapped; scripts are read from the build context when it is on disk."""
    if "container_process" in image.derived:
        return image.derived["container_process"]
    process = final_process(image)
    result = None
    if process is not None and image.final is not None:
        result = _unwrap(process, _ScriptFinder(image, image.final, context))
    image.derived["container_process"] = result
    return result


def launched(argv: tuple[str, ...]) -> tuple[str, ...]:
    """The program ``argv`` ends up running, without reading any script: through inits, ``sh -c``,
    ``exec``, ``env`` and user switchers."""
    return _launch(strip_init(argv), None, [], None)[0]


class _ScriptFinder:
    def __init__(self, image: Image, stage: Stage, context: BuildContext) -> None:
        self.image, self.stage, self.context = image, stage, context
        self.base_has_node = is_node_image(stage.root_base)
        self._reader: ImageReader | None = None

    def find(self, program: str, argument: bool = False) -> Script:
        """The script a command names: a program is looked for on PATH, a shell's argument in WORKDIR."""
        if self.context.files_readable:
            if self._reader is None:
                self._reader = ImageReader(self.image, self.stage, self.context, "/")
            paths = [absolute(program, self.stage.workdir)] if argument else _script_paths(program, self.stage.workdir)
            for path in paths:
                text = self._reader(path.lstrip("/"))
                if text is not None:
                    return Script(program, path, text)
        return Script(program)


def _script_paths(word: str, workdir: str) -> list[str]:
    """Where the image looks for the program: a path as written, else the directories of PATH."""
    if "/" in word:
        return [absolute(word, workdir)]
    return [f"{folder}/{word}" for folder in _PATH]


def _unwrap(process: Process, finder: _ScriptFinder) -> ContainerProcess:
    init, command = split_init(process.argv)
    wrappers: list[str] = []
    scripts: list[Script] = []
    words, init_in_script = _launch(command, finder, wrappers, scripts)
    run_through = [script for script in scripts if script.program in wrappers]
    handed_over = [script.program for script in run_through if script.passes_arguments(finder.base_has_node) is not None]
    started = [script.program for script in run_through if script.program not in handed_over]
    return ContainerProcess(
        process,
        init,
        command,
        words,
        tuple(wrappers),
        scripts[0] if scripts else None,
        handed_over[0] if handed_over else None,
        init_in_script,
        started[0] if started else None,
    )


def _launch(
    words: tuple[str, ...], finder: _ScriptFinder | None, wrappers: list[str], scripts: list[Script] | None
) -> tuple[tuple[str, ...], bool]:
    init_in_script = False
    for _ in range(_MAX_WRAPPERS):
        if not words:
            break
        program = program_name(words[0])
        if program in ("exec", "env") or "=" in words[0] and not words[0].startswith("-"):
            wrappers.append(program if program in ("exec", "env") else _ASSIGNMENTS)
            words = words[1:]
            continue
        if program in SHELLS:
            inline = shell_c_script(words)
            if inline is not None:
                inner = simple_command_words(inline)
                handed_to = None if inner else final_exec(inline)
                if not inner and not handed_to:
                    break
                wrappers.append(" ".join(program_name(word) for word in words[: len(words) - len(shell_argv(words)) + 1]) + _SHELL_C)
                if handed_to:
                    wrappers.append("exec")
                words = inner or handed_to or ()
                continue
            argument = shell_script_argument(words)
            if argument is None or finder is None:
                break
            script = finder.find(argument, argument=True)
            if scripts is not None:
                scripts.append(script)
            handed_to = final_exec(script.text) if script.text is not None else None
            if not handed_to:
                break  # a shell given a script file stays the process unless the script hands over; NG503 judges it
            wrappers.append(script.program)
            script_init, words = split_init(handed_to)
            init_in_script = init_in_script or bool(script_init)
            continue
        if program in PRIVILEGE_DROPPERS:
            wrappers.append(program)
            words = _after_dropper(words)
            continue
        if finder is None or not _may_be_script(words[0]):
            break
        script = finder.find(words[0])
        if scripts is not None:
            scripts.append(script)
        prefix = script.passes_arguments(finder.base_has_node) if script.is_shell_script else None
        if prefix is None:
            # a script that ends in ``exec node server.js`` becomes that program; its own arguments stay behind
            prefix = final_exec(script.text) if script.is_shell_script and script.text is not None else None
            if not prefix:
                break
            words = words[:1]
        wrappers.append(words[0])
        script_init, prefix = split_init(prefix)
        init_in_script = init_in_script or bool(script_init)
        words = (*prefix, *words[1:])
    return words, init_in_script


def _may_be_script(word: str) -> bool:
    return not is_node_word(word) and not is_init_program(word)


def _after_dropper(words: tuple[str, ...]) -> tuple[str, ...]:
    """The command a user switcher runs: ``gosu node npm start`` -> ``npm start``."""
    index = 2 if program_name(words[0]) in _DROPPERS_WITH_USER else 1
    return words[after_options(words, index, _DROPPER_OPTIONS_WITH_VALUE) :]


def process_commands(stage: Stage) -> list[Command]:
    """The simple commands the container runs (ENTRYPOINT, then CMD), with inits and shells unwrapped;
    worked out once per stage."""
    if "process_commands" not in stage.derived:
        stage.derived["process_commands"] = _process_commands(stage)
    return list(stage.derived["process_commands"])


def _process_commands(stage: Stage) -> list[Command]:
    first = stage.entrypoint or stage.cmd
    script = shell_form_script(first) if first is not None else None
    if script is not None:
        return _commands_of(script)
    process = stage_process(stage)
    words = strip_init(process.argv) if process is not None else ()
    return argv_commands(words) if words else []


def _commands_of(script: str) -> list[Command]:
    commands = split_commands(script)
    return [Command(argv=strip_init(c.argv), assignments=c.assignments, text=c.text) for c in commands]


def runs_node(stage: Stage) -> bool:
    """True when the stage's container runs Node.js: a node/npm/yarn/pnpm/... process or a .js file, or
    no command at all on a Node.js image (whose default command is node), or an entrypoint script there."""
    base_has_node = is_node_image(stage.root_base)
    commands = [command for command in process_commands(stage) if command.argv]
    if not commands:
        return base_has_node
    for command in commands:
        program = command.program
        if is_node_word(program):
            return True
        if program in PRIVILEGE_DROPPERS and any(is_node_word(word) for word in command.argv[1:]):
            return True
    return base_has_node and any(command.program.endswith(".sh") for command in commands)


def image_runs_node(image: Image, context: BuildContext) -> bool:
    """True when the shipped image runs Node.js: by its commands (``runs_node``), or because its unwrapped
    process ends up in Node.js (an entrypoint script that ends in ``exec "$@"`` with ``CMD ["node", ...]``),
    so that every rule that asks agrees."""
    if image.final is None:
        return False
    if runs_node(image.final):
        return True
    running = container_process(image, context)
    return running is not None and running.runs_node


def drops_privileges(stage: Stage) -> bool:
    """True when the container's process switches to another user itself: ``gosu node node server.js``,
    or an entrypoint script in an image that installs gosu/su-exec/setpriv (the docker-library pattern:
    ``exec gosu node "$@"`` inside docker-entrypoint.sh)."""
    commands = [command for command in process_commands(stage) if command.argv]
    if any(command.program in PRIVILEGE_DROPPERS for command in commands):
        return True
    starts_script = bool(commands) and commands[0].program.endswith(".sh")
    return starts_script and any(_installs_dropper(step) for step in stage.all_steps())


def _installs_dropper(step: Step) -> bool:
    """A RUN that names gosu/su-exec/setpriv (``apk add su-exec``), or a COPY/ADD of one (``COPY --from=... /gosu``)."""
    if step.keyword == "RUN":
        texts = (step.script, *(command.text for command in step.commands))
    else:
        copy = copy_of(step)
        texts = copy.words if copy is not None else ()
    return any(_DROPPER_WORD.search(text) for text in texts)


def user_name(user: str) -> str:
    """``node:node`` -> ``node``; ``1000:1000`` -> ``1000``."""
    return user.split(":", 1)[0].strip()


def is_root(user: str) -> bool:
    return user_name(user) in ROOT_NAMES


# Where a COPY puts files the app's user does not need to own: programs, libraries and system
# configuration (an init binary into /usr/local/bin, nginx.conf into /etc/nginx, static files served by
# nginx from /usr/share/nginx/html). Not /usr as a whole: /usr/src/app (the cheat sheet's and Node.js's
# own guide's folder), /usr/app and /usr/local/app hold the app.
_USR_SYSTEM = ("bin", "sbin", "lib", "lib32", "lib64", "libexec", "include", "share", "etc")
SYSTEM_FOLDERS = (
    "/bin/", "/sbin/", "/lib/", "/lib64/", "/etc/", "/var/lib/", "/opt/bin/",
    *(f"/usr/{name}/" for name in _USR_SYSTEM), *(f"/usr/local/{name}/" for name in _USR_SYSTEM),
)


def is_system_destination(path: str) -> bool:
    """True for a destination outside the app's files: system folders, an init or a shell script."""
    folder = path if path.endswith("/") else path + "/"
    name = posixpath.basename(path.rstrip("/"))
    return folder.startswith(SYSTEM_FOLDERS) or name in ("tini", "dumb-init", "docker-init") or name.endswith(".sh")


def invokes_only_script(words: list[str] | tuple[str, ...], script: str) -> bool:
    """``npm start`` / ``npm run start`` / ``yarn start``: the script and nothing more."""
    words = list(words)
    return words in (["start"], ["run", script], ["run-script", script], [script]) and (words != ["start"] or script == "start")


def script_node_command(image: Image, context: BuildContext, command: list[str] | tuple[str, ...]) -> list[str] | None:
    """The plain ``node …`` command a package-manager command (``npm start``) runs: its package.json
    script, read from the files of the final image; None when it is not known or not plain."""
    script = script_name(command)
    if script is None:
        return None
    text = script_command(app_package_json(image, context), script, posixpath.basename(command[0]))
    return plain_node_command(text) if text else None


def app_package_json(image: Image, context: BuildContext) -> dict | None:
    """The package.json in the final image's working folder, read from the files copied there; None when
    it is not known (no files on disk, not copied, not a JSON object)."""
    if not context.files_readable or image.final is None:
        return None
    return read_package_json(ImageReader(image, image.final, context, image.final.workdir))


def runs_dev_server(image: Image, context: BuildContext) -> bool:
    """True when the shipped image's process is a development server: ``npm run dev`` (a script named as
    frameworks name their dev server), ``nodemon``, ``next dev``, ``ng serve``... Such an image is made to
    develop in, not to ship: production settings do not apply to it."""
    running = container_process(image, context)
    if running is None or not running.launched:
        return False
    script = script_name(running.launched)
    return is_dev_server(running.launched) or (script is not None and script in DEV_SERVER_SCRIPTS)

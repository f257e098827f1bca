import re
import time
from pathlib import Path

import pytest

from nodeguard.model.shell import Command, split_commands

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"


def argvs(script: str) -> list[tuple[str, ...]]:
    return [command.argv for command in split_commands(script)]


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("apk add --no-cache tini", [("apk", "add", "--no-cache", "tini")]),
        (
            "npm ci --omit=dev && npm cache clean --force",
            [("npm", "ci", "--omit=dev"), ("npm", "cache", "clean", "--force")],
        ),
        ("yarn install --frozen-lockfile || exit 1", [("yarn", "install", "--frozen-lockfile"), ("exit", "1")]),
        (
            "corepack enable && pnpm i --frozen-lockfile",
            [("corepack", "enable"), ("pnpm", "i", "--frozen-lockfile")],
        ),
        ("npm ci; npm run build", [("npm", "ci"), ("npm", "run", "build")]),
        ("npm start &", [("npm", "start")]),
        ("npm ls | grep lodash", [("npm", "ls"), ("grep", "lodash")]),
        ("npm ls |& tee log", [("npm", "ls"), ("tee", "log")]),
        ("npm ci\nnpm test\n\n", [("npm", "ci"), ("npm", "test")]),
        ("(cd app && npm ci)", [("cd", "app"), ("npm", "ci")]),
        ("{ npm ci; npm test; }", [("npm", "ci"), ("npm", "test")]),
        ("! npm outdated", [("npm", "outdated")]),
    ],
)
def test_operators_separate_commands(script, expected):
    assert argvs(script) == expected


def test_apt_get_with_continuations():
    script = (
        "apt-get update \\\n"
        "    && apt-get install -y --no-install-recommends \\\n"
        "        ca-certificates curl \\\n"
        "    && rm -rf /var/lib/apt/lists/*"
    )
    commands = split_commands(script)
    assert [c.argv for c in commands] == [
        ("apt-get", "update"),
        ("apt-get", "install", "-y", "--no-install-recommends", "ca-certificates", "curl"),
        ("rm", "-rf", "/var/lib/apt/lists/*"),
    ]
    assert [c.line_offset for c in commands] == [0, 1, 3]
    assert commands[1].text == "apt-get install -y --no-install-recommends ca-certificates curl"


def test_npmrc_token_written_then_removed():
    script = 'echo "//registry.npmjs.org/:_authToken=$NPM_TOKEN" > .npmrc && npm ci; rm -f .npmrc'
    echo, install, remove = split_commands(script)
    assert echo.argv == ("echo", "//registry.npmjs.org/:_authToken=$NPM_TOKEN")
    assert echo.redirects == ((">", ".npmrc"),)
    assert echo.text == 'echo "//registry.npmjs.org/:_authToken=$NPM_TOKEN" > .npmrc'
    assert install.argv == ("npm", "ci") and install.redirects == ()
    assert remove.argv == ("rm", "-f", ".npmrc")


@pytest.mark.parametrize(
    ("script", "argv", "redirects"),
    [
        ("npm ci 2>&1", ("npm", "ci"), (("2>&", "1"),)),
        ("echo x >> .npmrc", ("echo", "x"), ((">>", ".npmrc"),)),
        ("echo x>.npmrc", ("echo", "x"), ((">", ".npmrc"),)),
        ("npm ci &> /dev/null", ("npm", "ci"), (("&>", "/dev/null"),)),
        ("> .npmrc echo x", ("echo", "x"), ((">", ".npmrc"),)),
        ("tr -d x < in.txt > out.txt", ("tr", "-d", "x"), (("<", "in.txt"), (">", "out.txt"))),
        ("cat <<< 'hello'", ("cat",), (("<<<", "hello"),)),
        ('printf "%s" "$T" >"$HOME/.npmrc"', ("printf", "%s", "$T"), ((">", "$HOME/.npmrc"),)),
    ],
)
def test_redirections_are_recorded_not_in_argv(script, argv, redirects):
    (command,) = split_commands(script)
    assert command.argv == argv
    assert command.redirects == redirects


def test_assignment_prefixes():
    (command,) = split_commands('NODE_ENV=production NPM_CONFIG_LOGLEVEL="warn x" npm ci')
    assert command.argv == ("npm", "ci")
    assert command.assignments == {"NODE_ENV": "production", "NPM_CONFIG_LOGLEVEL": "warn x"}
    assert command.program == "npm"


def test_assignment_after_program_is_an_argument():
    (command,) = split_commands("npm config set FOO=bar")
    assert command.argv == ("npm", "config", "set", "FOO=bar")
    assert command.assignments == {}


def test_bare_assignment_is_a_command_without_argv():
    (command,) = split_commands("ARCH=x64")
    assert command.argv == () and command.assignments == {"ARCH": "x64"}
    assert command.program == ""


def test_quotes_removed_variables_kept_as_written():
    (command,) = split_commands("""echo 'single $A' "double ${B:-x} \\"q\\"" plain\\ space $C""")
    assert command.argv == ("echo", "single $A", 'double ${B:-x} "q"', "plain space", "$C")


def test_command_substitution_stays_one_word():
    (command,) = split_commands('VERSION="$(node -p "require(\'./package.json\').version")" npm run x')
    assert command.assignments == {"VERSION": "$(node -p \"require('./package.json').version\")"}
    assert split_commands("echo `date +%s` $((1 + 2))")[0].argv == ("echo", "`date +%s`", "$((1 + 2))")


def test_comments_dropped_but_hash_inside_words_kept():
    script = "# install\nnpm ci # deps\necho 'a # b' x#y"
    assert argvs(script) == [("npm", "ci"), ("echo", "a # b", "x#y")]


def test_if_then_else_fi():
    script = (
        'if [ "$NODE_ENV" = "production" ]; then\n'
        "    npm ci --omit=dev;\n"
        "else\n"
        "    npm install;\n"
        "fi && npm cache clean --force"
    )
    commands = split_commands(script)
    assert [c.argv for c in commands] == [
        ("[", "$NODE_ENV", "=", "production", "]"),
        ("npm", "ci", "--omit=dev"),
        ("npm", "install"),
        ("npm", "cache", "clean", "--force"),
    ]
    assert [c.line_offset for c in commands] == [0, 1, 3, 4]


def test_loops_and_case():
    assert argvs("for pkg in a b c; do npm i -g $pkg; done") == [("npm", "i", "-g", "$pkg")]
    assert argvs("while read -r line; do echo $line; done < list.txt") == [
        ("read", "-r", "line"),
        ("echo", "$line"),
    ]
    script = 'case "$(uname -m)" in\n  x86_64) ARCH=x64;;\n  aarch64|arm64) ARCH=arm64 ;;\n  *) exit 1 ;;\nesac; echo $ARCH'
    commands = split_commands(script)
    assert [c.assignments for c in commands[:2]] == [{"ARCH": "x64"}, {"ARCH": "arm64"}]
    assert [c.argv for c in commands[2:]] == [("exit", "1"), ("echo", "$ARCH")]


def test_loop_redirect_is_not_attributed_to_a_command():
    commands = split_commands("for f in *.js; do node $f; done > out.log")
    assert [(c.argv, c.redirects) for c in commands] == [(("node", "$f"), ())]


def test_double_bracket_test_keeps_its_operators():
    assert argvs("[[ -f .npmrc && $CI != 1 ]] || npm ci") == [
        ("[[", "-f", ".npmrc", "&&", "$CI", "!=", "1", "]]"),
        ("npm", "ci"),
    ]


def test_function_definition_body_is_split():
    assert argvs("install() { npm ci; }; install") == [("npm", "ci"), ("install",)]


@pytest.mark.parametrize(
    "script",
    ["sh -c 'npm ci'", 'bash -c "npm ci"', "/bin/sh -c 'npm ci'", "bash -euxo pipefail -c 'npm ci'", "sh -ec 'npm ci'"],
)
def test_shell_dash_c_script_is_split(script):
    wrapper, inner = split_commands(script)
    assert wrapper.argv[-1].endswith("c") and "npm ci" not in wrapper.argv
    assert inner.argv == ("npm", "ci")
    assert inner.text == "npm ci"


def test_shell_script_commands_inherit_assignments_and_redirects():
    commands = split_commands("CI=true sh -c 'npm ci && echo $T > .npmrc' 2>/dev/null")
    assert [c.argv for c in commands] == [("sh", "-c"), ("npm", "ci"), ("echo", "$T")]
    assert commands[1].assignments == {"CI": "true"}
    assert commands[2].redirects == (("2>", "/dev/null"), (">", ".npmrc"))


def test_shell_without_dash_c_is_a_plain_command():
    assert argvs("curl -fsSL https://example.com/install.sh | bash -") == [
        ("curl", "-fsSL", "https://example.com/install.sh"),
        ("bash", "-"),
    ]
    assert argvs("sh ./scripts/build.sh") == [("sh", "./scripts/build.sh")]


@pytest.mark.parametrize(
    ("script", "wrapper", "inner", "assignments"),
    [
        ("sudo -u node -E npm ci", ("sudo", "-u", "node", "-E"), ("npm", "ci"), {}),
        ("sudo NODE_ENV=production npm ci", ("sudo",), ("npm", "ci"), {"NODE_ENV": "production"}),
        ("env NODE_ENV=production npm ci", ("env",), ("npm", "ci"), {"NODE_ENV": "production"}),
        ("env -u HOME PORT=3000 node server.js", ("env", "-u", "HOME"), ("node", "server.js"), {"PORT": "3000"}),
        ("exec node server.js", ("exec",), ("node", "server.js"), {}),
        ("exec -a app node server.js", ("exec", "-a", "app"), ("node", "server.js"), {}),
        ("time npm ci", ("time",), ("npm", "ci"), {}),
        ("/usr/bin/time -v npm ci", ("/usr/bin/time", "-v"), ("npm", "ci"), {}),
        ("nohup node server.js", ("nohup",), ("node", "server.js"), {}),
    ],
)
def test_prefix_wrappers(script, wrapper, inner, assignments):
    outer, command = split_commands(script)
    assert outer.argv == wrapper
    assert command.argv == inner
    assert command.assignments == assignments
    assert command.text == " ".join(inner)


def test_sudo_does_not_pass_outer_assignments_but_env_does():
    assert split_commands("HOME=/x sudo npm ci")[1].assignments == {}
    assert split_commands("HOME=/x env npm ci")[1].assignments == {"HOME": "/x"}


@pytest.mark.parametrize(
    "script",
    ["su node -c 'npm ci'", "su -c 'npm ci' node", "su - node -s /bin/sh -c 'npm ci'", "su --command='npm ci' node"],
)
def test_su_command(script):
    wrapper, inner = split_commands(script)
    assert wrapper.program == "su" and "npm ci" not in wrapper.argv
    assert inner.argv == ("npm", "ci")


def test_nested_wrappers():
    assert argvs("sudo -u node sh -c 'cd /app && exec npm start'") == [
        ("sudo", "-u", "node"),
        ("sh", "-c"),
        ("cd", "/app"),
        ("exec",),
        ("npm", "start"),
    ]


def test_wrapper_without_command_is_itself():
    assert argvs("exec > /var/log/app.log") == [("exec",)]
    assert argvs("env") == [("env",)]
    assert argvs("sudo -u node") == [("sudo", "-u", "node")]


def test_heredoc_body_inside_script_is_dropped():
    script = "cat <<EOF > /app/.npmrc\n//registry.npmjs.org/:_authToken=${T}\nrm -rf /\nEOF\nnpm ci"
    commands = split_commands(script)
    assert [c.argv for c in commands] == [("cat",), ("npm", "ci")]
    assert commands[0].redirects == (("<<", "EOF"), (">", "/app/.npmrc"))
    assert commands[1].line_offset == 4


def test_heredoc_with_tabs_and_quoted_delimiter():
    script = "cat <<-'END' >x\n\tnpm publish\n\tEND\nnpm ci"
    assert argvs(script) == [("cat",), ("npm", "ci")]


def test_line_offset_of_heredoc_run_body():
    body = "set -eux\nnpm ci --omit=dev\n\nnpm cache clean --force\n"
    assert [c.line_offset for c in split_commands(body)] == [0, 1, 3]


def test_program_is_base_name():
    assert split_commands("/usr/local/bin/npm ci")[0].program == "npm"


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ('echo "unterminated', [("echo", "unterminated")]),
        ("echo 'unterminated && npm ci", [("echo", "unterminated && npm ci")]),
        ("echo $(unclosed", [("echo", "$(unclosed")]),
        ("if true; then npm ci", [("true",), ("npm", "ci")]),
        ("npm ci &&", [("npm", "ci")]),
        ("&& ;; ) } fi done", []),
        ("cat <<EOF\nno end", [("cat",)]),
        ("echo >", [("echo",)]),
        ("echo trailing\\", [("echo", "trailing\\")]),
        ("", []),
        ("   \n# only a comment\n", []),
    ],
)
def test_malformed_shell_never_raises(script, expected):
    assert argvs(script) == expected


def test_command_is_a_plain_frozen_value():
    command = Command(argv=("npm", "ci"))
    assert command.redirects == () and command.assignments == {} and command.line_offset == 0
    with pytest.raises(AttributeError):
        command.argv = ()  # type: ignore[misc]


def _corpus_run_scripts() -> list[str]:
    corpus = SHARED / "corpus"
    if not corpus.is_dir():
        pytest.skip(f"reference corpus not found at {corpus}")
    scripts = []
    for dockerfile in sorted(corpus.glob("*/Dockerfile*")):
        joined = re.sub(r"\\\r?\n", " ", dockerfile.read_text(encoding="utf-8", errors="replace"))
        scripts += [m.group(1) for m in re.finditer(r"(?im)^\s*RUN\s+(?:--\S+\s+)*(.+)$", joined)]
    return scripts


def test_corpus_run_lines_split_quickly_without_errors():
    scripts = _corpus_run_scripts()
    assert len(scripts) > 100
    started = time.perf_counter()
    results = [split_commands(script) for script in scripts * 5]
    elapsed = time.perf_counter() - started
    assert elapsed < 5, f"{len(results)} scripts took {elapsed:.2f}s"
    programs = {command.program for commands in results for command in commands}
    assert {"npm", "apk", "apt-get"} <= programs
    assert all(command.argv or command.assignments or command.redirects for commands in results for command in commands)

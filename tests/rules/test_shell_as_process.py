"""NG503 shell-as-process: `sh -c` as the process, or an entrypoint script that never uses exec."""
import pytest

from nodeguard.findings import Severity

HEAD = "FROM node:22-alpine\nWORKDIR /app\nCOPY . .\n"
SCRIPTS = {
    "start.sh": "#!/bin/sh\nset -e\nnpm run migrate\nnode server.js\n",
    "exec-app.sh": "#!/bin/sh\nset -e\nnpm run migrate\nexec node server.js\n",
    "exec-args.sh": "#!/usr/bin/env bash\nif [ \"$1\" = migrate ]; then\n  exec node migrate.js\nfi\nexec \"$@\"\n",
    "su-exec.sh": "#!/bin/sh\nchown -R node /data\nexec su-exec node \"$@\"\n",
    "comment-only.sh": "#!/bin/sh\n# exec node server.js\nnode server.js\n",
    "redirect-only.sh": "#!/bin/sh\nexec >/var/log/app.log 2>&1\nnode server.js\n",
    "bin/cli": "#!/usr/bin/env node\nrequire('../server')\n",
}


@pytest.mark.parametrize(
    "process, shown",
    [
        ('CMD ["sh", "-c", "node server.js"]', "`sh -c`"),
        ('CMD ["/bin/sh", "-c", "node server.js"]', "`sh -c`"),
        ('CMD ["bash", "-ec", "node server.js"]', "`bash -c`"),
        ('CMD ["dumb-init", "sh", "-c", "npm run migrate && node server.js"]', "`sh -c`"),
        ('ENTRYPOINT ["/bin/sh", "-c"]\nCMD ["node server.js"]', "`sh -c`"),
        ('CMD ["./start.sh"]', "`./start.sh`"),
        ('ENTRYPOINT ["/app/start.sh"]\nCMD ["node", "server.js"]', "`/app/start.sh`"),
        ('CMD ["/app/comment-only.sh"]', "`/app/comment-only.sh`"),
        ('CMD ["./redirect-only.sh"]', "`./redirect-only.sh`"),
        ('CMD ["busybox", "sh", "-c", "node server.js"]', "`busybox sh -c`"),  # the applet named runs
    ],
)
def test_shell_between_container_and_app(lint, process, shown):
    [found] = lint(HEAD + process + "\n", files=SCRIPTS, rule="NG503").findings
    assert found.severity == Severity.WARNING and found.line == 4
    assert found.message.startswith(shown + " runs as the container's process")


@pytest.mark.parametrize(
    "process",
    [
        'CMD ["node", "server.js"]',
        'CMD ["sh", "-c", "exec node server.js"]',
        'CMD ["sh", "-c", "npm run migrate && exec node server.js"]',
        # assignments in front of exec are exported to the program it starts: the shell still hands over
        'CMD ["sh", "-c", "NODE_ENV=production exec node server.js"]',
        'CMD ["./exec-app.sh"]',
        'ENTRYPOINT ["./exec-args.sh"]\nCMD ["node", "server.js"]',
        'ENTRYPOINT ["/app/su-exec.sh"]\nCMD ["node", "server.js"]',
        'CMD ["bin/cli"]',  # a node script, not a shell one
        'ENTRYPOINT ["docker-entrypoint.sh"]\nCMD ["node", "server.js"]',  # the node image's own, which execs
        "CMD node server.js",  # shell form: NG501's finding
        'CMD ["dumb-init", "node", "server.js"]',
    ],
)
def test_no_shell_or_a_shell_that_execs_passes(lint, process):
    assert lint(HEAD + process + "\n", files=SCRIPTS, rule="NG503").findings == []


def test_script_found_through_path_and_a_copy(lint):
    dockerfile = 'FROM node:22-alpine\nCOPY start.sh /usr/local/bin/\nCMD ["start.sh"]\n'
    [found] = lint(dockerfile, files=SCRIPTS, rule="NG503").findings
    assert found.message.startswith("`start.sh` runs as the container's process and starts the app without `exec`")


def test_unreadable_script_is_info(lint):
    [found] = lint(HEAD + 'ENTRYPOINT ["/entrypoint.sh"]\n', files=SCRIPTS, rule="NG503").findings
    assert found.severity == Severity.INFO and "`/entrypoint.sh` is a shell script nodeguard cannot read" in found.message


def test_fix_drops_a_shell_around_a_plain_command(lint):
    texts, relinted = lint.fix(HEAD + 'CMD ["dumb-init", "sh", "-c", "node server.js --port 80"]\n', files=SCRIPTS, rule="NG503")
    assert texts["Dockerfile"].splitlines()[-1] == 'CMD ["dumb-init", "node", "server.js", "--port", "80"]'
    assert relinted.of("NG503") == []


@pytest.mark.parametrize(
    "process",
    [
        'CMD ["sh", "-c", "npm run migrate && node server.js"]',
        'CMD ["sh", "-c", "node $1", "name", "server.js"]',  # words after the script are its $0, $1
        'ENTRYPOINT ["sh", "-c"]\nCMD ["node server.js"]',  # the words are split over two instructions
    ],
)
def test_no_fix_when_the_shell_does_something(lint, process):
    [found] = lint(HEAD + process + "\n", files=SCRIPTS, rule="NG503").findings
    assert found.fix is None


@pytest.mark.parametrize("process", ['CMD ["bash", "./start.sh"]', 'CMD ["sh", "-e", "/app/start.sh"]',
                                     'ENTRYPOINT ["dumb-init", "/bin/sh", "start.sh"]'])
def test_shell_running_a_script_that_starts_node_as_its_child(lint, process):
    [found] = lint(HEAD + process + "\n", files=SCRIPTS, rule="NG503").findings
    assert found.line == 4 and found.severity == Severity.WARNING
    assert "starts the app without `exec`, so SIGTERM never reaches it" in found.message


@pytest.mark.parametrize("process", ['CMD ["bash", "./exec-app.sh"]', 'CMD ["sh", "missing.sh"]'])
def test_shell_running_a_script_that_execs_or_cannot_be_read_passes(lint, process):
    assert lint(HEAD + process + "\n", files=SCRIPTS, rule="NG503").findings == []


def test_a_single_command_that_needs_the_shell_gets_exec_in_front(lint):
    process = 'CMD ["sh", "-c", "node server.js --port $PORT"]'  # the shell expands the variable
    [found] = lint(HEAD + process + "\n", files=SCRIPTS, rule="NG503").findings
    assert found.fix.safe
    texts, relinted = lint.fix(HEAD + process + "\n", files=SCRIPTS, rule="NG503")
    assert texts["Dockerfile"].splitlines()[-1] == 'CMD ["sh", "-c", "exec node server.js --port $PORT"]'
    assert relinted.of("NG503") == []


def test_an_entrypoint_rewrite_is_unsafe(lint):
    [found] = lint(HEAD + 'ENTRYPOINT ["sh", "-c", "node server.js"]\n', files=SCRIPTS, rule="NG503").findings
    assert found.fix.replacement == 'ENTRYPOINT ["node", "server.js"]' and not found.fix.safe

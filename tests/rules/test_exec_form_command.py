"""NG501 exec-form-command: shell-form CMD/ENTRYPOINT in force in the shipped image."""
import pytest

from nodeguard.findings import Severity


@pytest.mark.parametrize(
    "instruction, keyword",
    [
        ("CMD node server.js", "CMD"),
        ('CMD "npm" "start"', "CMD"),
        ("CMD npm start", "CMD"),
        ("ENTRYPOINT node server.js", "ENTRYPOINT"),
        ("CMD start-app.sh", "CMD"),
        ('CMD ["node", server.js]', "CMD"),  # not valid JSON: Docker runs it with /bin/sh -c
    ],
)
def test_shell_forms_are_reported(lint, instruction, keyword):
    [found] = lint(f"FROM node:22-alpine\n{instruction}\n", rule="NG501").findings
    assert (found.line, found.severity) == (2, Severity.WARNING)
    assert found.message.startswith(f"shell-form {keyword} runs under /bin/sh")


@pytest.mark.parametrize(
    "dockerfile",
    [
        'FROM node:22-alpine\nCMD ["node", "server.js"]\n',
        'FROM node:22-alpine\nENTRYPOINT ["dumb-init", "--"]\nCMD ["node", "server.js"]\n',
        "FROM node:22-alpine\n",
        # a shell form in a build stage is not shipped
        'FROM node:22 AS build\nCMD npm test\nFROM node:22-alpine\nCMD ["node", "server.js"]\n',
        # the exec form replaces an earlier shell form
        'FROM node:22-alpine\nCMD node server.js\nCMD ["node", "server.js"]\n',
    ],
)
def test_exec_forms_pass(lint, dockerfile):
    assert lint(dockerfile, rule="NG501").findings == []


def test_cmd_inherited_from_a_parent_stage(lint):
    dockerfile = "FROM node:22-alpine AS base\nCMD node server.js\nFROM base\nRUN true\n"
    assert [f.line for f in lint(dockerfile, rule="NG501").findings] == [2]


def test_entrypoint_resets_the_inherited_cmd(lint):
    dockerfile = 'FROM node:22-alpine AS base\nCMD node server.js\nFROM base\nENTRYPOINT ["node", "app.js"]\n'
    assert lint(dockerfile, rule="NG501").findings == []


def test_both_shell_forms_are_reported(lint):
    dockerfile = "FROM node:22-alpine\nENTRYPOINT node server.js\nCMD --port 80\n"
    assert [f.line for f in lint(dockerfile, rule="NG501").findings] == [2, 3]


@pytest.mark.parametrize(
    "before, after",
    [
        ("CMD node server.js", 'CMD ["node", "server.js"]'),
        ('CMD "node" "server.js"', 'CMD ["node", "server.js"]'),
        ("ENTRYPOINT node --enable-source-maps dist/main.js", 'ENTRYPOINT ["node", "--enable-source-maps", "dist/main.js"]'),
        ("cmd node 'my app.js'", 'cmd ["node", "my app.js"]'),
    ],
)
def test_fix_writes_the_exec_form(lint, before, after):
    [found] = lint(f"FROM node:22-alpine\n{before}\n", rule="NG501").findings
    assert found.message.endswith(f"use the exec form: {after}")
    texts, relinted = lint.fix(f"FROM node:22-alpine\n{before}\n", rule="NG501")
    assert texts["Dockerfile"] == f"FROM node:22-alpine\n{after}\n"
    assert relinted.of("NG501") == []


@pytest.mark.parametrize(
    "before, after",
    [
        ("CMD exec node server.js", 'CMD ["node", "server.js"]'),  # not ["exec", …], which never starts
        ("CMD node server.js # start the app", 'CMD ["node", "server.js"]'),  # a comment is not arguments
        ("CMD node '#1' server.js", 'CMD ["node", "#1", "server.js"]'),  # a quoted # is a word
        ("CMD node \\\n    server.js", 'CMD ["node", "server.js"]'),  # continued over lines
        ("CMD node server.js --port $PORT", 'CMD ["sh", "-c", "exec node server.js --port $PORT"]'),
        ("CMD exec node \"$APP\" # run", 'CMD ["sh", "-c", "exec node \\"$APP\\""]'),
        ("CMD node server.js > /var/log/app.log", 'CMD ["sh", "-c", "exec node server.js > /var/log/app.log"]'),
        ("CMD node dist/*.js", 'CMD ["sh", "-c", "exec node dist/*.js"]'),
    ],
)
def test_fix_keeps_what_the_shell_would_run(lint, before, after):
    texts, relinted = lint.fix(f"FROM node:22-alpine\n{before}\n", rule="NG501")
    assert texts["Dockerfile"] == f"FROM node:22-alpine\n{after}\n"
    assert relinted.of("NG501") == []


@pytest.mark.parametrize(
    "instruction",
    [
        "CMD npm run migrate && node server.js",
        "CMD node server.js | tee log",
        "CMD node server.js; echo done",
        "CMD node server.js 2>&1",  # `&` reads as chaining to this reader: no guess
        "CMD if [ -f a ]; then node a; fi",
        "CMD node 'unterminated",
        'CMD HOSTNAME="0.0.0.0" node server.js',  # the exec form cannot set a variable
    ],
)
def test_no_fix_when_no_rewrite_keeps_the_meaning(lint, instruction):
    [found] = lint(f"FROM node:22-alpine\n{instruction}\n", rule="NG501").findings
    assert found.fix is None and found.message.endswith("use the exec form")


def test_cmd_is_safe_but_entrypoint_or_cmd_under_an_entrypoint_is_unsafe(lint):
    [cmd] = lint("FROM node:22-alpine\nCMD node server.js\n", rule="NG501").findings
    assert cmd.fix.safe
    entrypoint, under = lint("FROM node:22-alpine\nENTRYPOINT node server.js\nCMD node --port 80\n", rule="NG501").findings
    assert not entrypoint.fix.safe and not under.fix.safe
    [flagged] = lint("FROM node:22-alpine\nCMD --port 80\n", rule="NG501").findings
    assert flagged.fix is None  # BuildKit reads `--port` as a flag of CMD: no rewrite can keep it
    texts, _ = lint.fix("FROM node:22-alpine\nENTRYPOINT node server.js\n", rule="NG501", unsafe=False)
    assert texts["Dockerfile"] == "FROM node:22-alpine\nENTRYPOINT node server.js\n"

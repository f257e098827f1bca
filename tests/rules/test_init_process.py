"""NG504 init-process: Node.js as PID 1 without an init."""
import pytest

from nodeguard.findings import Severity


@pytest.mark.parametrize(
    "process, shown",
    [
        ('CMD ["node", "server.js"]', "node server.js"),
        ('CMD ["npm", "start"]', "npm start"),
        ('ENTRYPOINT ["node"]\nCMD ["server.js"]', "node server.js"),
        ('CMD ["server.js"]', "server.js"),  # the image's entrypoint hands a .js file to node
        ('CMD ["sh", "-c", "exec node server.js"]', "node server.js"),
        ('CMD ["sh", "-c", "cd /app && exec node server.js"]', "node server.js"),  # the last command hands over
        ("CMD exec node server.js", "node server.js"),
        # a quoted & is part of a word, not an operator: the shell still hands over to node
        ('CMD ["sh", "-c", "exec node server.js --title=\'a&b\'"]', "node server.js --title=a&b"),
        ('CMD ["npx", "tsx", "src/main.ts"]', "npx tsx src/main.ts"),
    ],
)
def test_node_as_pid_1(lint, process, shown):
    dockerfile = f"FROM node:22-alpine\n{process}\n"
    [found] = lint(dockerfile, rule="NG504").findings
    assert found.severity == Severity.WARNING and found.line == len(dockerfile.splitlines())
    assert found.message.startswith(f"`{shown}` runs as PID 1 without an init")
    assert found.fix is None


@pytest.mark.parametrize(
    "process",
    [
        'CMD ["dumb-init", "node", "server.js"]',
        'CMD ["/usr/bin/dumb-init", "--", "node", "server.js"]',
        'ENTRYPOINT ["/sbin/tini", "--"]\nCMD ["node", "server.js"]',
        'ENTRYPOINT ["tini", "-g", "--", "node"]\nCMD ["server.js"]',
        'ENTRYPOINT ["docker-init", "--"]\nCMD ["node", "server.js"]',
        'ENTRYPOINT ["catatonit", "--"]\nCMD ["node", "server.js"]',
        'ENTRYPOINT ["/init"]\nCMD ["node", "server.js"]',
        'CMD ["./start.sh"]',  # not known to run node
        'CMD ["nginx", "-g", "daemon off;"]',
    ],
)
def test_an_init_or_no_node_passes(lint, process):
    assert lint(f"FROM node:22-alpine\n{process}\n", rule="NG504").findings == []


def test_no_process_at_all_passes(lint):
    assert lint("FROM node:22-alpine\nRUN true\n", rule="NG504").findings == []


def test_init_provided_outside_turns_the_rule_off(lint):
    policy = "rules:\n  NG504:\n    options:\n      init-provided: true\n"
    assert lint('FROM node:22-alpine\nCMD ["node", "server.js"]\n', policy=policy, rule="NG504").findings == []


def test_inherited_cmd_and_entrypoint(lint):
    dockerfile = 'FROM node:22-alpine AS base\nENTRYPOINT ["tini", "--"]\nFROM base\nCMD ["node", "server.js"]\n'
    assert lint(dockerfile, rule="NG504").findings == []
    dockerfile = 'FROM node:22-alpine AS base\nCMD ["node", "server.js"]\nFROM base\nRUN true\n'
    assert [f.line for f in lint(dockerfile, rule="NG504").findings] == [2]


def test_installed_but_unused_init_is_named(lint):
    dockerfile = 'FROM node:22-alpine\nRUN apk add --no-cache dumb-init\nCMD ["node", "server.js"]\n'
    [found] = lint(dockerfile, rule="NG504").findings
    assert found.message.startswith("dumb-init is installed (line 2) but not used as the entrypoint: `node server.js` runs as PID 1")


@pytest.mark.parametrize(
    "install, before, after",
    [
        ("apk add --no-cache dumb-init", 'CMD ["node", "server.js"]', 'CMD ["dumb-init", "node", "server.js"]'),
        ("apt-get update && apt-get install -y --no-install-recommends tini", 'CMD ["node", "server.js"]',
         'CMD ["tini", "--", "node", "server.js"]'),
        ("apk add dumb-init=1.2.5-r3", 'ENTRYPOINT ["node", "server.js"]', 'ENTRYPOINT ["dumb-init", "node", "server.js"]'),
    ],
)
def test_fix_starts_the_app_through_the_installed_init(lint, install, before, after):
    texts, relinted = lint.fix(f"FROM node:22-alpine\nRUN {install}\n{before}\n", rule="NG504")
    assert texts["Dockerfile"].splitlines()[-1] == after
    assert relinted.of("NG504") == []


def test_fix_goes_on_the_entrypoint_when_there_is_one(lint):
    dockerfile = 'FROM node:22-alpine\nRUN apk add dumb-init\nENTRYPOINT ["node"]\nCMD ["server.js"]\n'
    texts, relinted = lint.fix(dockerfile, rule="NG504")
    assert texts["Dockerfile"].splitlines()[-2:] == ['ENTRYPOINT ["dumb-init", "node"]', 'CMD ["server.js"]']
    assert relinted.of("NG504") == []


def test_init_in_a_build_stage_does_not_count_and_shell_form_has_no_fix(lint):
    dockerfile = 'FROM node:22 AS build\nRUN apt-get install -y tini\nFROM node:22-alpine\nCMD ["node", "server.js"]\n'
    [found] = lint(dockerfile, rule="NG504").findings
    assert "without an init" in found.message
    [shell] = lint("FROM node:22-alpine\nRUN apk add dumb-init\nCMD node server.js\n", rule="NG504").findings
    assert shell.fix is None


ENTRY_SCRIPTS = {
    "docker-entrypoint.sh": '#!/bin/sh\nset -e\nif [ "${1#-}" != "$1" ]; then\n  set -- node "$@"\nfi\nexec "$@"\n',
    "gosu-entrypoint.sh": '#!/bin/sh\nchown -R node /data\nexec gosu node "$@"\n',
    "tini-entrypoint.sh": '#!/bin/sh\nexec tini -- "$@"\n',
    "no-exec.sh": "#!/bin/sh\nnode server.js\n",
    "start.sh": "#!/bin/sh\nset -e\nnpx prisma migrate deploy\nexec node server.js\n",
    "start-with-tini.sh": "#!/bin/sh\nnpx prisma migrate deploy\nexec tini -- node server.js\n",
}


@pytest.mark.parametrize(
    "entrypoint, script",
    [
        ('["./docker-entrypoint.sh"]', "./docker-entrypoint.sh"),
        ('["/app/gosu-entrypoint.sh"]', "/app/gosu-entrypoint.sh"),
        ('["docker-entrypoint.sh"]', "docker-entrypoint.sh"),  # the node image's own, not in the context
    ],
)
def test_entrypoint_script_that_execs_its_arguments_leaves_node_as_pid_1(lint, entrypoint, script):
    dockerfile = f'FROM node:22-alpine\nWORKDIR /app\nCOPY . .\nENTRYPOINT {entrypoint}\nCMD ["node", "server.js"]\n'
    [found] = lint(dockerfile, files=ENTRY_SCRIPTS, rule="NG504").findings
    assert found.line == 5
    assert found.message.startswith(f'`node server.js` runs as PID 1 without an init (`{script}` hands it over with `exec "$@"`)')


@pytest.mark.parametrize(
    "entrypoint",
    [
        '["./tini-entrypoint.sh"]',  # hands over through an init
        '["./no-exec.sh"]',  # the shell stays PID 1: NG503's finding
        '["./missing.sh"]',  # cannot be read: not known to hand over
    ],
)
def test_entrypoint_script_without_node_as_pid_1_passes(lint, entrypoint):
    dockerfile = f'FROM node:22-alpine\nWORKDIR /app\nCOPY . .\nENTRYPOINT {entrypoint}\nCMD ["node", "server.js"]\n'
    assert lint(dockerfile, files=ENTRY_SCRIPTS, rule="NG504").findings == []


@pytest.mark.parametrize(
    "process, shown",
    [
        ('CMD ["next", "start"]', "next start"),
        ('CMD ["pm2-runtime", "app.js"]', "pm2-runtime app.js"),
        ('CMD ["bun", "server.ts"]', "bun server.ts"),
        ('CMD ["ts-node", "server.ts"]', "ts-node server.ts"),
        ('CMD ["gosu", "node", "node", "server.js"]', "node server.js"),
    ],
)
def test_every_program_that_makes_the_image_a_node_image_is_judged_as_pid_1(lint, process, shown):
    """NG301 and NG504 share one list of programs that run Node.js: no image is a Node.js image for one
    and not for the other."""
    dockerfile = f"FROM node:22-alpine\n{process}\n"
    [found] = lint(dockerfile, rule="NG504").findings
    assert found.message.startswith(f"`{shown}` runs as PID 1 without an init")
    assert [f.rule for f in lint(dockerfile, rule="NG301").findings] == ["NG301"]


@pytest.mark.parametrize(
    "process, shown",
    [
        # an entrypoint script of the context that hands `node ...` over, on an image that is not node's
        ('ENTRYPOINT ["./docker-entrypoint.sh"]\nCMD ["node", "server.js"]', "node server.js"),
        ('CMD ["busybox", "sh", "-c", "exec node server.js"]', "node server.js"),  # the sh applet
        ('CMD ["sh", "-c", "NODE_ENV=staging exec node server.js"]', "node server.js"),
    ],
)
def test_node_as_pid_1_on_any_base_is_a_node_image_for_ng301_too(lint, process, shown):
    """When NG504 finds Node.js as PID 1, NG301 judges the image as a Node.js one: the two never disagree."""
    dockerfile = f"FROM debian:12-slim\nRUN apt-get install -y nodejs\nWORKDIR /app\nCOPY . .\n{process}\n"
    [found] = lint(dockerfile, files=ENTRY_SCRIPTS, rule="NG504").findings
    assert found.message.startswith(f"`{shown}` runs as PID 1 without an init")
    assert [f.rule for f in lint(dockerfile, files=ENTRY_SCRIPTS, rule="NG301").findings] == ["NG301"]


@pytest.mark.parametrize("base", ["gcr.io/distroless/nodejs22-debian12", "cgr.dev/chainguard/node"])
def test_an_image_without_a_package_manager_gets_advice_it_can_follow(lint, base):
    [found] = lint(f'FROM {base}\nCOPY server.js /app/\nCMD ["/app/server.js"]\n', rule="NG504").findings
    assert f"`{base}` has no package manager" in found.message
    assert "COPY --from=<stage> /usr/bin/tini-static /tini" in found.message
    assert "`docker run --init`, Compose `init: true`" in found.message
    assert "install dumb-init or tini" not in found.message


def test_an_image_with_a_package_manager_is_told_to_install_an_init(lint):
    [found] = lint('FROM node:22-bookworm-slim\nCMD ["node", "server.js"]\n', rule="NG504").findings
    assert "install dumb-init or tini" in found.message and "no package manager" not in found.message


@pytest.mark.parametrize(
    "process, shell, other_rule",
    [
        ("CMD node server.js", "sh -c", "NG501"),
        ('CMD ["sh", "-c", "node server.js"]', "sh -c", "NG503"),
        ('CMD ["/bin/bash", "-c", "node server.js"]', "bash -c", "NG503"),
        ('CMD ["busybox", "sh", "-c", "node server.js"]', "busybox sh -c", "NG503"),
    ],
)
def test_a_shell_that_starts_node_without_exec_is_pid_1_as_ng501_and_ng503_say(lint, process, shell, other_rule):
    """NG501/NG503 say the shell is the container's process; NG504 names the same shell as PID 1, never node."""
    dockerfile = f"FROM node:22-alpine\nUSER node\n{process}\n"
    [found] = lint(dockerfile, rule="NG504").findings
    assert found.message.startswith(f"no init runs as PID 1: `{shell}` is PID 1 and starts `node server.js` without `exec`")
    assert [f.rule for f in lint(dockerfile, rule=other_rule).findings] == [other_rule]


def test_an_installed_init_unused_names_the_shell_that_is_pid_1(lint):
    dockerfile = "FROM node:22-bookworm-slim\nRUN apt-get update && apt-get install -y tini\nCMD node server.js\n"
    [found] = lint(dockerfile, rule="NG504").findings
    assert found.message.startswith("tini is installed (line 2) but not used as the entrypoint: `sh -c` is PID 1 and "
                                    "starts `node server.js`")
    assert found.message.endswith('start it through tini: ["tini", "--", "node", "server.js"]')  # what NG501 leaves
    assert found.fix is None


def test_an_exec_inside_a_quoted_argument_is_not_the_scripts_last_command(lint):
    """`... && exec concurrently "cd web && exec tsx w.ts"`: concurrently is what the shell becomes, not tsx."""
    process = r'CMD ["sh", "-c", "prisma migrate deploy && exec concurrently -k \"cd web && exec tsx w.ts\""]'
    assert lint(f"FROM node:22-alpine\nUSER node\n{process}\n", rule="NG504").findings == []


@pytest.mark.parametrize("process", ['CMD ["./start.sh"]', 'ENTRYPOINT ["/app/start.sh"]', 'CMD ["sh", "./start.sh"]'])
def test_a_script_that_ends_by_exec_ing_node_leaves_node_as_pid_1(lint, process):
    """The script's last command, ``exec node server.js``, makes node the process; NG301 agrees it is Node.js."""
    dockerfile = f"FROM debian:12-slim\nRUN apt-get install -y nodejs\nWORKDIR /app\nCOPY . .\n{process}\n"
    [found] = lint(dockerfile, files=ENTRY_SCRIPTS, rule="NG504").findings
    assert found.message.startswith("`node server.js` runs as PID 1 without an init (`")
    assert "starts it with `exec`" in found.message
    assert [f.rule for f in lint(dockerfile, files=ENTRY_SCRIPTS, rule="NG301").findings] == ["NG301"]


def test_a_script_that_ends_by_exec_ing_node_through_an_init_passes(lint):
    dockerfile = 'FROM node:22-alpine\nWORKDIR /app\nCOPY . .\nCMD ["./start-with-tini.sh"]\n'
    assert lint(dockerfile, files=ENTRY_SCRIPTS, rule="NG504").findings == []


@pytest.mark.parametrize(
    "process, shown",
    [
        ('CMD ["pm2-runtime", "app.js"]', "pm2-runtime app.js"),
        ('CMD ["pm2-runtime", "start", "ecosystem.config.js"]', "pm2-runtime start ecosystem.config.js"),
        ('CMD ["/usr/local/bin/pm2-docker", "app.js"]', "/usr/local/bin/pm2-docker app.js"),
    ],
)
def test_pm2_runtime_handles_sigterm_but_reaps_no_zombies(lint, process, shown):
    """pm2-runtime is made to replace `node` in CMD: it stops its apps on SIGTERM and SIGINT itself, so the
    message does not say it ignores them; as PID 1 it still leaves orphaned children as zombies."""
    [found] = lint(f"FROM node:22-alpine\nRUN npm install -g pm2\n{process}\n", rule="NG504").findings
    assert found.message.startswith(f"`{shown}` runs as PID 1 without an init")
    assert "ignores signals" not in found.message
    assert "SIGTERM" in found.message and "zombie" in found.message


def test_a_development_server_as_pid_1_is_still_judged(lint):
    """nodemon makes a development image (NG301 and NG202 leave it alone), but it is still Node.js as PID 1."""
    dockerfile = 'FROM node:22-alpine\nCMD ["nodemon", "server.js"]\n'
    [found] = lint(dockerfile, rule="NG504").findings
    assert found.message.startswith("`nodemon server.js` runs as PID 1 without an init")
    assert lint(dockerfile, rule="NG301").findings == []

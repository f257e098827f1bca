"""NG502 package-manager-as-process: npm, yarn, pnpm, npx or corepack as the container's process."""
import json

import pytest

from nodeguard.findings import Severity

SCRIPTS = {
    "package.json": json.dumps(
        {
            "main": "server.js",
            "scripts": {
                "start": "node server.js",
                "start:prod": "node --enable-source-maps dist/main.js --port 3000",
                "dev": "nodemon server.js",
                "serve": "NODE_ENV=production node server.js",
                "migrate-and-start": "node migrate.js && node server.js",
            },
        }
    )
}
HEAD = "FROM node:22-alpine\nWORKDIR /usr/src/app\nCOPY . .\n"


@pytest.mark.parametrize(
    "process, shown",
    [
        ('CMD ["npm", "start"]', "npm start"),
        ("CMD npm start", "npm start"),
        ('CMD "npm" "start"', "npm start"),
        ('CMD ["yarn", "start"]', "yarn start"),
        ('CMD ["pnpm", "run", "start:prod"]', "pnpm run start:prod"),
        ('CMD ["dumb-init", "npm", "start"]', "npm start"),
        ('ENTRYPOINT ["/sbin/tini", "--"]\nCMD ["npm", "run", "dev"]', "npm run dev"),
        ('CMD ["sh", "-c", "npm start"]', "npm start"),
        ('ENTRYPOINT ["npm"]\nCMD ["start"]', "npm start"),
        ('CMD ["npx", "ts-node", "src/main.ts"]', "npx ts-node src/main.ts"),
        ('CMD ["corepack", "pnpm", "start"]', "corepack pnpm start"),
    ],
)
def test_package_manager_as_the_process(lint, process, shown):
    [found] = lint(HEAD + process + "\n", files=SCRIPTS, rule="NG502").findings
    manager = shown.split()[0]
    lines = (HEAD + process).splitlines()
    holding = next(number for number, line in enumerate(lines, 1) if manager in line)
    assert found.severity == Severity.WARNING and found.line == holding
    assert found.message.startswith(f"`{shown}` runs as the container's process, and {manager} does not pass SIGTERM on")


@pytest.mark.parametrize(
    "process",
    [
        'CMD ["node", "server.js"]',
        'CMD ["dumb-init", "node", "server.js"]',
        'ENTRYPOINT ["docker-entrypoint.sh"]\nCMD ["node", "server.js"]',
        # npm in a build stage only
        'CMD ["node", "server.js"]\nFROM node:22 AS test\nCMD ["npm", "test"]\nFROM node:22-alpine\nCMD ["node", "server.js"]',
    ],
)
def test_node_as_the_process_passes(lint, process):
    assert lint(HEAD + process + "\n", files=SCRIPTS, rule="NG502").findings == []


def test_inherited_cmd_counts(lint):
    dockerfile = 'FROM node:22-alpine AS base\nCMD ["npm", "start"]\nFROM base\nRUN true\n'
    assert [f.line for f in lint(dockerfile, files=SCRIPTS, rule="NG502").findings] == [2]


def test_message_names_a_script_it_cannot_rewrite(lint):
    [dev] = lint(HEAD + 'CMD ["npm", "run", "dev"]\n', files=SCRIPTS, rule="NG502").findings
    assert dev.message.endswith("run the command of the `dev` script with node directly, in exec form") and dev.fix is None
    [serve] = lint(HEAD + 'CMD ["npm", "run", "serve"]\n', files=SCRIPTS, rule="NG502").findings
    assert serve.fix is None  # an assignment in the script is shell syntax
    [chain] = lint(HEAD + 'CMD ["npm", "run", "migrate-and-start"]\n', files=SCRIPTS, rule="NG502").findings
    assert chain.fix is None


@pytest.mark.parametrize("manager", ["pnpm", "yarn"])
def test_a_word_that_is_not_a_script_is_a_program_from_node_modules_bin(lint, manager):
    # sample 124: `pnpm http-server -p 8081` runs node_modules/.bin/http-server, not a script
    [finding] = lint(HEAD + f'ENTRYPOINT ["{manager}", "http-server", "-p", "8081"]\n', files=SCRIPTS,
                     rule="NG502").findings
    assert "script" not in finding.message.replace("not a script in package.json", ""), finding.message
    assert (f"`http-server` is not a script in package.json, so {manager} runs the `http-server` program from "
            f"node_modules/.bin; run it without {manager}, in exec form: "
            '["node_modules/.bin/http-server", "-p", "8081"]') in finding.message
    assert finding.fix is None


def test_a_script_run_by_its_name_is_still_a_script(lint):
    [finding] = lint(HEAD + 'CMD ["pnpm", "dev"]\n', files=SCRIPTS, rule="NG502").findings
    assert finding.message.endswith("run the command of the `dev` script with node directly, in exec form")


def test_without_package_json_the_word_may_be_a_script_or_a_program(lint):
    [finding] = lint(HEAD + 'ENTRYPOINT ["pnpm", "http-server", "-p", "8081"]\n', rule="NG502").findings
    assert finding.message.endswith("run what the `http-server` script or program runs with node directly, "
                                    "in exec form"), finding.message
    [npm] = lint(HEAD + 'CMD ["npm", "run", "serve"]\n', rule="NG502").findings
    assert npm.message.endswith("run the command of the `serve` script with node directly, in exec form")


@pytest.mark.parametrize(
    "before, after",
    [
        ('CMD ["npm", "start"]', 'CMD ["node", "server.js"]'),
        ("CMD npm start", 'CMD ["node", "server.js"]'),
        ('CMD ["dumb-init", "npm", "run", "start:prod"]', 'CMD ["dumb-init", "node", "--enable-source-maps", "dist/main.js", "--port", "3000"]'),
        ('CMD ["yarn", "start:prod"]', 'CMD ["node", "--enable-source-maps", "dist/main.js", "--port", "3000"]'),
    ],
)
def test_fix_runs_the_script_with_node(lint, before, after):
    [found] = lint(HEAD + before + "\n", files=SCRIPTS, rule="NG502").findings
    assert found.message.endswith(f"run it directly, {after}")
    texts, relinted = lint.fix(HEAD + before + "\n", files=SCRIPTS, rule="NG502")
    assert texts["Dockerfile"].splitlines()[-1] == after
    assert relinted.of("NG502") == []


def test_fix_keeps_an_init_entrypoint_and_changes_the_cmd(lint):
    dockerfile = HEAD + 'ENTRYPOINT ["tini", "--"]\nCMD ["pnpm", "start"]\n'
    texts, relinted = lint.fix(dockerfile, files=SCRIPTS, rule="NG502")
    assert texts["Dockerfile"].splitlines()[-2:] == ['ENTRYPOINT ["tini", "--"]', 'CMD ["node", "server.js"]']
    assert relinted.of("NG502") == []


def test_npm_default_start_script_is_node_server_js(lint):
    files = {"package.json": '{"name": "app"}'}
    texts, relinted = lint.fix(HEAD + 'CMD ["npm", "start"]\n', files=files, rule="NG502")
    assert texts["Dockerfile"].splitlines()[-1] == 'CMD ["node", "server.js"]'
    assert relinted.of("NG502") == []


def test_package_json_is_found_through_the_copies(lint):
    files = {"services/api/package.json": '{"scripts": {"start": "node index.js"}}'}
    dockerfile = "FROM node:22-alpine\nWORKDIR /srv\nCOPY services/api/ ./\nCMD [\"npm\", \"start\"]\n"
    [found] = lint(dockerfile, files=files, rule="NG502").findings
    assert found.fix is not None and found.fix.replacement == 'CMD ["node", "index.js"]'


@pytest.mark.parametrize(
    "dockerfile",
    [
        # arguments after the script, an entrypoint that takes the CMD's words, a wrapped shell script
        HEAD + 'CMD ["npm", "start", "--", "--port", "80"]\n',
        HEAD + 'ENTRYPOINT ["npm", "start"]\nCMD ["--port", "80"]\n',
        HEAD + 'CMD ["sh", "-c", "npm start"]\n',
        # package.json not copied into the image's WORKDIR
        'FROM node:22-alpine\nWORKDIR /app\nCOPY server.js .\nCMD ["npm", "start"]\n',
    ],
)
def test_no_fix_when_the_rewrite_is_not_certain(lint, dockerfile):
    [found] = lint(dockerfile, files=SCRIPTS, rule="NG502").findings
    assert found.fix is None


@pytest.mark.parametrize(
    ("process", "expected"),
    [("CMD npm start", 'CMD ["node", "server.js"]'),
     ("CMD npm run start:prod", 'CMD ["node", "--enable-source-maps", "dist/main.js", "--port", "3000"]')],
)
def test_shell_form_package_manager_gets_one_fix_that_satisfies_ng501_and_ng502(lint, process, expected):
    dockerfile = "FROM node:22-alpine\nWORKDIR /app\nCOPY . .\nUSER node\n" + process + "\n"
    linted = lint(dockerfile, files=SCRIPTS)
    [shell] = linted.of("NG501")
    [manager] = linted.of("NG502")
    assert shell.fix is not None and manager.fix is not None
    assert shell.fix.replacement == manager.fix.replacement == expected
    assert shell.fix.applicability == manager.fix.applicability  # running node instead of npm: unsafe
    texts, relinted = lint.fix(dockerfile, files=SCRIPTS, rule=("NG501", "NG502"))
    assert texts["Dockerfile"].endswith(expected + "\n")
    assert relinted.of("NG501") == [] and relinted.of("NG502") == []


def test_shell_form_package_manager_without_a_known_script_keeps_ng501s_own_fix(lint):
    dockerfile = "FROM node:22-alpine\nWORKDIR /app\nCOPY . .\nUSER node\nCMD npm run dev\n"
    linted = lint(dockerfile, files=SCRIPTS)
    [shell] = linted.of("NG501")
    assert shell.fix.replacement == 'CMD ["npm", "run", "dev"]' and linted.of("NG502")[0].fix is None


def test_an_init_in_front_of_the_package_manager_stays_in_the_exec_form_fix(lint):
    dockerfile = "FROM node:22-alpine\nWORKDIR /app\nCOPY . .\nUSER node\nCMD dumb-init npm start\n"
    [shell] = lint(dockerfile, files=SCRIPTS, rule="NG501").findings
    assert shell.fix.replacement == 'CMD ["dumb-init", "node", "server.js"]'

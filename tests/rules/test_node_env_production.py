"""NG301 node-env-production: the shipped Node.js image runs with NODE_ENV=production."""
import pytest

from nodeguard.findings import Severity

CMD = 'CMD ["node", "server.js"]\n'


@pytest.mark.parametrize(
    "dockerfile",
    [
        "FROM node:22-alpine\nENV NODE_ENV=production\n" + CMD,
        "FROM node:22-alpine\nENV NODE_ENV production\n" + CMD,
        'FROM node:22-alpine\nENV PORT=3000 NODE_ENV="production"\n' + CMD,
        "FROM node:22-alpine\nARG NODE_ENV=production\nENV NODE_ENV=$NODE_ENV\n" + CMD,
        "ARG NODE_ENV=production\nFROM node:22-alpine\nARG NODE_ENV\nENV NODE_ENV=${NODE_ENV}\n" + CMD,
        "FROM node:22-alpine\nENV NODE_ENV=${NODE_ENV:-production}\n" + CMD,
        "FROM node:22-alpine AS base\nENV NODE_ENV=production\nFROM base\n" + CMD,
        'FROM node:22-alpine\nCMD ["env", "NODE_ENV=production", "node", "server.js"]\n',
        "FROM node:22-alpine\nCMD NODE_ENV=production node server.js\n",
        # the file's escape character: a backtick escapes, a backslash is a character
        "# escape=`\nFROM node:22-alpine\nENV NODE_ENV=prod`uction APPDIR=C:\\app\n" + CMD,
        # the final image does not run Node.js
        "FROM node:22 AS build\nRUN npm ci && npm run build\nFROM nginx:1.27-alpine\nCOPY --from=build /app/dist /usr/share/nginx/html\n",
        'FROM node:22 AS build\nRUN npm run build\nFROM nginx:1.27\nCMD ["nginx", "-g", "daemon off;"]\n',
        'FROM node:22-alpine\nCMD ["python3", "-m", "http.server"]\n',
        "FROM alpine:3.20\nCOPY app /app\n",
    ],
)
def test_production_or_not_node_passes(lint, dockerfile):
    assert lint(dockerfile, rule="NG301").findings == []


@pytest.mark.parametrize(
    "dockerfile",
    [
        "FROM node:22-alpine\n" + CMD,
        "FROM node:22-alpine\n",  # the image's own command is node
        'FROM node:22-alpine\nCMD ["npm", "start"]\n',
        'FROM node:22-alpine\nENTRYPOINT ["/docker-entrypoint.sh"]\n',
        'FROM gcr.io/distroless/nodejs22-debian12\nCMD ["server.js"]\n',
        'FROM alpine:3.20\nRUN apk add nodejs\nCMD ["node", "server.js"]\n',
        'FROM node:22-alpine\nENTRYPOINT ["dumb-init", "--"]\nCMD ["yarn", "start"]\n',
        "FROM node:22-alpine\nRUN NODE_ENV=production npm ci\n" + CMD,  # only that RUN saw it
    ],
)
def test_unset_is_reported_on_the_final_from(lint, dockerfile):
    [finding] = lint(dockerfile, rule="NG301").findings
    assert finding.line == 1 and finding.severity == Severity.WARNING
    assert "NODE_ENV is not set in the final image, so Node.js libraries run their development code paths" in finding.message


def test_an_arg_alone_does_not_reach_the_container(lint):
    [finding] = lint("FROM node:22-alpine\nARG NODE_ENV=production\n" + CMD, rule="NG301").findings
    assert "(an ARG only exists during the build)" in finding.message


@pytest.mark.parametrize(
    ("dockerfile", "line", "value"),
    [
        ("FROM node:22-alpine\nENV NODE_ENV=development\n" + CMD, 2, "development"),
        ("FROM node:22-alpine\nENV NODE_ENV production\nENV NODE_ENV=dev\n" + CMD, 3, "dev"),
        ("FROM node:22-alpine\nARG NODE_ENV=development\nENV NODE_ENV=$NODE_ENV\n" + CMD, 3, "development"),
        ("FROM node:22-alpine AS base\nENV NODE_ENV=test\nFROM base\n" + CMD, 2, "test"),
        ("FROM node:22-alpine\nENV NODE_ENV=prod`uction\n" + CMD, 2, "prod`uction"),  # no directive: ` is a character
    ],
)
def test_another_value_is_reported_on_its_env(lint, dockerfile, line, value):
    [finding] = lint(dockerfile, rule="NG301").findings
    assert finding.line == line and f"NODE_ENV is `{value}` in the final image" in finding.message


def test_an_arg_without_default_cannot_be_judged(lint):
    dockerfile = "FROM node:22-alpine\nARG NODE_ENV\nENV NODE_ENV=$NODE_ENV\n" + CMD
    [finding] = lint(dockerfile, rule="NG301").findings
    assert finding.severity == Severity.INFO and finding.line == 3 and finding.fix is None
    assert "a build argument without a default" in finding.message


def test_strict_makes_it_an_error(lint):
    [finding] = lint("FROM node:22-alpine\n" + CMD, policy="extends: strict\n", rule="NG301").findings
    assert finding.severity == Severity.ERROR


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("FROM node:22-alpine\n" + CMD, "FROM node:22-alpine\nENV NODE_ENV=production\n" + CMD),
        (
            "FROM node:22 AS build\nRUN npm ci\nFROM node:22-alpine AS runtime\nCOPY --from=build /app /app\n" + CMD,
            "FROM node:22 AS build\nRUN npm ci\nFROM node:22-alpine AS runtime\nENV NODE_ENV=production\nCOPY --from=build /app /app\n" + CMD,
        ),
        ("FROM node:22-alpine\nENV NODE_ENV=development\n" + CMD, "FROM node:22-alpine\nENV NODE_ENV=production\n" + CMD),
        ("FROM node:22-alpine\nENV NODE_ENV development\n" + CMD, "FROM node:22-alpine\nENV NODE_ENV=production\n" + CMD),
        (
            "FROM node:22-alpine AS base\nENV NODE_ENV=development\nFROM base\n" + CMD,
            "FROM node:22-alpine AS base\nENV NODE_ENV=development\nFROM base\nENV NODE_ENV=production\n" + CMD,
        ),
    ],
)
def test_fix_sets_production(lint, before, after):
    texts, relinted = lint.fix(before, rule="NG301")
    assert texts["Dockerfile"] == after
    assert relinted.of("NG301") == []


@pytest.mark.parametrize(
    "dockerfile",
    [
        "FROM node:22-alpine\nARG NODE_ENV=development\nENV NODE_ENV=$NODE_ENV\n" + CMD,
        "FROM node:22-alpine\nENV PORT=3000 NODE_ENV=development\n" + CMD,
        "FROM node:22-alpine\nENV NODE_ENV=development \\\n    PORT=3000\n" + CMD,
    ],
)
def test_no_rewrite_of_arg_fed_or_shared_env_lines(lint, dockerfile):
    [finding] = lint(dockerfile, rule="NG301").findings
    assert finding.fix is None

"""NG401 non-root-user: the shipped image does not run as root."""
import pytest

from nodeguard.findings import Severity

CMD = 'CMD ["node", "server.js"]\n'


@pytest.mark.parametrize(
    "dockerfile",
    [
        "FROM node:22-alpine\nUSER node\n" + CMD,
        "FROM node:22-alpine\nUSER 1000:1000\n" + CMD,
        "FROM node:22-alpine AS base\nUSER node\nFROM base\n" + CMD,
        "FROM node:22-alpine\nUSER root\nRUN apk add dumb-init\nUSER node\n" + CMD,
        "FROM node:22-alpine\nARG APP_USER=node\nUSER $APP_USER\n" + CMD,
        # base images known to run as non-root
        'FROM gcr.io/distroless/nodejs22-debian12:nonroot\nCMD ["server.js"]\n',
        "FROM cgr.dev/chainguard/node:latest\n" + CMD,
        "FROM registry.access.redhat.com/ubi9/nodejs-22\n" + CMD,
        "FROM node:22 AS build\nRUN npm run build\nFROM nginxinc/nginx-unprivileged:1.27-alpine\nCOPY --from=build /app/dist /usr/share/nginx/html\n",
        # the command drops privileges itself
        'FROM node:22-alpine\nRUN apk add su-exec\nENTRYPOINT ["su-exec", "node"]\n' + CMD,
        'FROM node:22\nUSER root\nCMD ["gosu", "node", "node", "server.js"]\n',
        # an entrypoint script in an image that installs a privilege dropper (docker-library's pattern)
        'FROM node:22-alpine\nRUN apk add --no-cache su-exec\nENTRYPOINT ["docker-entrypoint.sh"]\n' + CMD,
        'FROM node:22-slim\nCOPY --from=tianon/gosu /gosu /usr/local/bin/\nENTRYPOINT ["tini", "--", "/entrypoint.sh"]\n',
        # build stages may run as root
        "FROM node:22 AS build\nRUN npm ci\nFROM node:22-alpine\nUSER node\nCOPY --from=build /app /app\n" + CMD,
    ],
)
def test_non_root_images_pass(lint, dockerfile):
    assert lint(dockerfile, rule="NG401").findings == []


@pytest.mark.parametrize(
    ("dockerfile", "line", "expected"),
    [
        ("FROM node:22-alpine\n" + CMD, 1, "`node:22-alpine` starts as root; add `USER node` (the official image has that user)"),
        ('FROM gcr.io/distroless/nodejs22-debian12\nCMD ["server.js"]\n', 1, "starts as root; add a `USER` with a non-root user"),
        ("FROM acme/base:1.0\n" + CMD, 1, "`acme/base:1.0` is not known to run as non-root; add a `USER`"),
        ("FROM scratch\nCOPY app /app\n", 1, "`scratch` starts as root"),
        ('FROM node:22-alpine\nENTRYPOINT ["docker-entrypoint.sh"]\n' + CMD, 1, "add `USER node`"),
        ('FROM node:22-alpine\nRUN apk add su-exec\n' + CMD, 1, "add `USER node`"),  # installed, never used
        ("FROM node:22 AS build\nUSER node\nFROM node:22-alpine\n" + CMD, 3, "there is no USER in it or its parents"),
    ],
)
def test_no_user_on_a_root_base_is_reported_on_the_final_from(lint, dockerfile, line, expected):
    [finding] = lint(dockerfile, rule="NG401").findings
    assert finding.severity == Severity.ERROR and finding.line == line
    assert "the final image runs as root" in finding.message and expected in finding.message


@pytest.mark.parametrize(
    ("dockerfile", "line", "after"),
    [
        ("FROM node:22-alpine\nUSER root\n" + CMD, 2, ""),
        ("FROM node:22-alpine\nUSER 0\n" + CMD, 2, ""),
        ("FROM node:22-alpine\nUSER 0:0\n" + CMD, 2, ""),
        ("FROM node:22-alpine\nUSER root:root\n" + CMD, 2, ""),
        ("FROM node:22-alpine\nUSER node\nRUN echo hi\nUSER root\n" + CMD, 4, " after `USER node`"),
        ("FROM node:22-alpine\nARG RUNTIME_USER=root\nUSER ${RUNTIME_USER}\n" + CMD, 3, ""),
        ("FROM cgr.dev/chainguard/node:latest\nUSER root\n" + CMD, 2, ""),
        ("FROM node:22-alpine AS base\nUSER root\nFROM base\n" + CMD, 2, ""),
    ],
)
def test_a_last_root_user_is_reported_on_its_line(lint, dockerfile, line, after):
    [finding] = lint(dockerfile, rule="NG401").findings
    assert finding.line == line and finding.fix is None
    assert f"is the last USER{after};" in finding.message


def test_an_unresolved_user_is_info(lint):
    [finding] = lint("FROM node:22-alpine\nARG APP_USER\nUSER $APP_USER\n" + CMD, rule="NG401").findings
    assert finding.severity == Severity.INFO and finding.line == 3
    assert "cannot tell whether the image runs as root" in finding.message


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("FROM node:22-alpine\nWORKDIR /app\nCOPY . .\n" + CMD, "FROM node:22-alpine\nWORKDIR /app\nCOPY . .\nUSER node\n" + CMD),
        (
            'FROM node:22-alpine\nENTRYPOINT ["dumb-init", "--"]\n' + CMD,
            'FROM node:22-alpine\nUSER node\nENTRYPOINT ["dumb-init", "--"]\n' + CMD,
        ),
        ("FROM node:22-alpine\nCOPY . .\n", "FROM node:22-alpine\nCOPY . .\nUSER node\n"),
        ("FROM node:22-alpine\n", "FROM node:22-alpine\nUSER node\n"),
        (
            "FROM node:22-alpine\n" + CMD + "RUN npm ci\n",
            "FROM node:22-alpine\n" + CMD + "RUN npm ci\nUSER node\n",
        ),
    ],
)
def test_fix_adds_user_node_on_official_images(lint, before, after):
    texts, relinted = lint.fix(before, rule="NG401")
    assert texts["Dockerfile"] == after
    assert relinted.of("NG401") == []

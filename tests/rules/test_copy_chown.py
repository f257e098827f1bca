"""NG402 copy-chown: files copied for a non-root runtime are owned by that user."""
import pytest

from nodeguard.findings import Severity

CMD = 'CMD ["node", "server.js"]\n'


@pytest.mark.parametrize(
    ("dockerfile", "lines", "owner"),
    [
        ("FROM node:22-alpine\nWORKDIR /app\nCOPY . .\nUSER node\n" + CMD, [3], "node:node"),
        ("FROM node:22-alpine\nUSER node\nWORKDIR /app\nCOPY package.json ./\nADD . .\n" + CMD, [5], "node:node"),
        (
            "FROM node:22 AS build\nRUN npm ci\nFROM node:22-alpine\nWORKDIR /app\n"
            "COPY --from=build /app/node_modules ./node_modules\nUSER node\n" + CMD,
            [5], "node:node",
        ),
        ("FROM node:22-alpine\nCOPY [\"server.js\", \"/app/\"]\nUSER 1000:1000\n" + CMD, [2], "1000:1000"),
        ('FROM gcr.io/distroless/nodejs22-debian12:nonroot\nCOPY app /app\nCMD ["/app/server.js"]\n', [2], "65532"),
        ("FROM node:22-alpine\nRUN adduser -D app\nCOPY . /app\nUSER app\n" + CMD, [3], "app"),
        (
            "FROM node:22-alpine AS base\nRUN adduser -S nextjs -G nodejs\nCOPY --chown=nextjs:nodejs .next ./.next\n"
            "FROM base\nCOPY public ./public\nUSER nextjs\n" + CMD,
            [5], "nextjs:nodejs",
        ),
        ("FROM node:22-alpine AS base\nCOPY . /app\nFROM base\nUSER node\n" + CMD, [2], "node:node"),
        ("FROM node:22-alpine\nARG APP=/srv/app\nCOPY . ${APP}\nUSER node\n" + CMD, [3], "node:node"),
        # the app's folder under /usr (the cheat sheet's and Node.js's own guide's /usr/src/app) is the app's, not the system's
        ("FROM node:22-alpine\nWORKDIR /usr/src/app\nCOPY . .\nUSER node\n" + CMD, [3], "node:node"),
        ("FROM node:22-alpine\nWORKDIR /usr/app\nCOPY --from=build /usr/app/dist ./dist\nUSER node\n" + CMD, [3], "node:node"),
        ("FROM node:22-alpine\nCOPY . /usr/local/app\nUSER node\n" + CMD, [2], "node:node"),
    ],
)
def test_copies_without_chown_are_reported(lint, dockerfile, lines, owner):
    found = lint(dockerfile, rule="NG402").findings
    assert [f.line for f in found] == lines
    assert all(f.severity == Severity.WARNING and f"add `--chown={owner}`" in f.message for f in found)


def test_message_names_the_destination_and_the_user(lint):
    [finding] = lint("FROM node:22-alpine\nWORKDIR /app\nCOPY . .\nUSER node\n" + CMD, rule="NG402").findings
    assert "COPY writes `/app` as root while the image runs as `node`" in finding.message


@pytest.mark.parametrize(
    "dockerfile",
    [
        "FROM node:22-alpine\nWORKDIR /app\nCOPY --chown=node:node . .\nUSER node\n" + CMD,
        "FROM node:22-alpine\nCOPY --from=build --chown=1000 /app /app\nUSER 1000\n" + CMD,
        # runs as root: NG401's finding, not this one
        "FROM node:22-alpine\nCOPY . /app\n" + CMD,
        "FROM node:22-alpine\nUSER node\nCOPY . /app\nUSER root\n" + CMD,
        "FROM node:22-alpine\nCOPY . /app\nUSER $APP_USER\n" + CMD,
        'FROM node:22-alpine\nCOPY . /app\nCMD ["su-exec", "node", "node", "/app/server.js"]\n',
        # programs and system files
        "FROM node:22-alpine\nCOPY --from=tini /tini /tini\nUSER node\n" + CMD,
        "FROM node:22-alpine\nCOPY --from=build /usr/bin/dumb-init /usr/local/bin/dumb-init\nUSER node\n" + CMD,
        "FROM node:22-alpine\nCOPY docker-entrypoint.sh /docker-entrypoint.sh\nUSER node\n" + CMD,
        "FROM node:22-alpine\nCOPY .docker/scripts/*.sh /tmp/\nUSER node\n" + CMD,
        "FROM node:22-alpine\nCOPY nginx.conf /etc/nginx/conf.d/default.conf\nUSER node\n" + CMD,
        "FROM node:22-alpine\nCOPY --from=build /app/node_modules /usr/local/lib/node_modules\nUSER node\n" + CMD,
        "FROM node:22-alpine\nCOPY certs/ca.crt /usr/local/share/ca-certificates/ca.crt\nUSER node\n" + CMD,
        "FROM node:22 AS build\nRUN npm run build\nFROM nginxinc/nginx-unprivileged:1.27-alpine\n"
        "COPY --from=build /app/dist /usr/share/nginx/html\n",
        # build stages are not judged
        "FROM node:22 AS build\nCOPY . /app\nUSER node\nFROM node:22-alpine\nUSER node\n" + CMD,
    ],
)
def test_owned_root_run_and_system_copies_pass(lint, dockerfile):
    assert lint(dockerfile, rule="NG402").findings == []


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            "FROM node:22-alpine\nWORKDIR /app\nCOPY . .\nUSER node\n" + CMD,
            "FROM node:22-alpine\nWORKDIR /app\nCOPY --chown=node:node . .\nUSER node\n" + CMD,
        ),
        (
            "FROM node:22-alpine\nWORKDIR /app\ncopy --from=build /app/node_modules \\\n    ./node_modules\nUSER node\n" + CMD,
            "FROM node:22-alpine\nWORKDIR /app\ncopy --chown=node:node --from=build /app/node_modules \\\n    ./node_modules\nUSER node\n" + CMD,
        ),
        (
            'FROM node:22-alpine\nADD ["app.tar", "/srv/"]\nUSER 1000:1000\n' + CMD,
            'FROM node:22-alpine\nADD --chown=1000:1000 ["app.tar", "/srv/"]\nUSER 1000:1000\n' + CMD,
        ),
    ],
)
def test_fix_adds_chown_after_the_keyword(lint, before, after):
    texts, relinted = lint.fix(before, rule="NG402")
    assert texts["Dockerfile"] == after
    assert relinted.of("NG402") == []


@pytest.mark.parametrize(
    "dockerfile",
    [
        # a later chown -R hands the destination to the user
        "FROM node:22-alpine\nWORKDIR /app\nCOPY . .\nCOPY --from=build /app/dist ./dist\n"
        "RUN chown -R node:node /app\nUSER node\n" + CMD,
        "FROM node:22-alpine\nWORKDIR /app\nCOPY src ./src\nRUN npm ci && chown -R node .\nUSER node\n" + CMD,
        "FROM node:22-alpine\nWORKDIR /app\nCOPY . .\nRUN chown --recursive node:node /app\nUSER node\n" + CMD,
        # manifests and lockfiles copied to install as root
        "FROM node:22-alpine\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY --chown=node:node . .\n"
        "USER node\n" + CMD,
        "FROM node:22-alpine\nWORKDIR /app\nCOPY package.json pnpm-lock.yaml .npmrc ./\nRUN pnpm i\n"
        "COPY --chown=node:node . .\nUSER node\n" + CMD,
    ],
)
def test_chowned_later_and_install_inputs_pass(lint, dockerfile):
    assert lint(dockerfile, rule="NG402").findings == []


@pytest.mark.parametrize(
    "dockerfile",
    [
        # chown without -R, of another folder, or to another user does not cover the copy
        "FROM node:22-alpine\nWORKDIR /app\nCOPY . .\nRUN chown node:node /app\nUSER node\n" + CMD,
        "FROM node:22-alpine\nWORKDIR /app\nCOPY . .\nRUN chown -R node:node /app/data\nUSER node\n" + CMD,
        "FROM node:22-alpine\nWORKDIR /app\nCOPY . .\nRUN chown -R www-data /app\nUSER node\n" + CMD,
        # a chown before the copy does not cover it
        "FROM node:22-alpine\nWORKDIR /app\nRUN chown -R node:node /app\nCOPY . .\nUSER node\n" + CMD,
        # a manifest copied with code is code
        "FROM node:22-alpine\nWORKDIR /app\nCOPY package.json server.js ./\nUSER node\n" + CMD,
    ],
)
def test_copies_a_later_chown_does_not_cover_are_reported(lint, dockerfile):
    assert len(lint(dockerfile, rule="NG402").findings) == 1


def test_the_copies_of_one_stage_are_one_finding(lint):
    dockerfile = ("FROM node:22-alpine\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY src ./src\n"
                  "COPY public ./public\nCOPY --from=build /app/dist ./dist\nUSER node\n" + CMD)
    [finding] = lint(dockerfile, rule="NG402").findings
    assert finding.line == 5
    assert "(as do the copies on lines 6, 7 of this stage)" in finding.message
    assert "keep the code root-owned and read-only on purpose" in finding.message


def test_each_stage_of_the_lineage_is_judged_once(lint):
    dockerfile = ("FROM node:22-alpine AS base\nCOPY . /app\nCOPY lib /lib2\nFROM base\nCOPY extra /app/extra\n"
                  "USER node\n" + CMD)
    assert [f.line for f in lint(dockerfile, rule="NG402").findings] == [2, 5]


def test_a_stage_whose_code_copy_is_owned_leaves_read_only_files_alone(lint):
    dockerfile = ("FROM node:22-alpine\nRUN adduser -S nextjs -G nodejs\nWORKDIR /app\n"
                  "COPY --from=builder /app/public ./public\n"
                  "COPY --from=builder --chown=nextjs:nodejs /app/.next/standalone ./\nUSER nextjs\n" + CMD)
    assert lint(dockerfile, rule="NG402").findings == []

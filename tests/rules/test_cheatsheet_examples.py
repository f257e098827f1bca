"""The cheat sheet's own example Dockerfiles, judged as the cheat sheet judges them.

Each example illustrates one practice: the rules of that practice must say what the cheat sheet says
about it (bad where it shows a mistake, silent where it shows the fix). Later examples carry the
earlier fixes, so earlier practices stay silent too.
"""
import pytest

DIGEST = "sha256:b2da3316acdc2bec442190a1fe10dc094e7ba4121d029cb32075ff59bb27390a"
SERVER = "process.on('SIGINT', close)\nprocess.on('SIGTERM', close)\nfunction close () { process.exit() }\n"
PACKAGE = '{"name": "app", "main": "server.js", "scripts": {"start": "node server.js"}}\n'
CONTEXT = {"server.js": SERVER, "package.json": PACKAGE, "package-lock.json": "{}\n"}
IGNORE_SECTION_10 = ".dockerignore\nnode_modules\nnpm-debug.log\nDockerfile\n.git\n.gitignore\n.npmrc\n"

EXAMPLES = {
    "1-no-tag": (
        "FROM node\n",
        {"NG101"}, set(),
    ),
    "1-digest-without-tag": (
        f"FROM node@{DIGEST}\nWORKDIR /usr/src/app\nCOPY . /usr/src/app\nRUN npm install\nCMD \"npm\" \"start\"\n",
        {"NG101", "NG201", "NG501", "NG502"}, {"NG102"},
    ),
    "1-tag-and-digest": (
        f"FROM node:lts-alpine@{DIGEST}\nWORKDIR /usr/src/app\nCOPY . /usr/src/app\nRUN npm install\nCMD \"npm\" \"start\"\n",
        {"NG201", "NG501", "NG502"}, {"NG101", "NG102", "NG103"},
    ),
    "2-npm-ci-production": (
        f"FROM node:lts-alpine@{DIGEST}\nWORKDIR /usr/src/app\nCOPY . /usr/src/app\nRUN npm ci --only=production\nCMD \"npm\" \"start\"\n",
        {"NG204", "NG301"}, {"NG101", "NG102", "NG103", "NG201", "NG202"},
    ),
    "3-node-env": (
        f"FROM node:lts-alpine@{DIGEST}\nENV NODE_ENV production\nWORKDIR /usr/src/app\nCOPY . /usr/src/app\n"
        "RUN npm ci --only=production\nCMD \"npm\" \"start\"\n",
        {"NG401"}, {"NG201", "NG202", "NG301"},
    ),
    "4-non-root": (
        f"FROM node:lts-alpine@{DIGEST}\nENV NODE_ENV production\nWORKDIR /usr/src/app\n"
        "COPY --chown=node:node . /usr/src/app\nRUN npm ci --only=production\nUSER node\nCMD \"npm\" \"start\"\n",
        {"NG501", "NG502"}, {"NG301", "NG401", "NG402"},
    ),
    "5-dumb-init": (
        f"FROM node:lts-alpine@{DIGEST}\nRUN apk add dumb-init\nENV NODE_ENV production\nWORKDIR /usr/src/app\n"
        "COPY --chown=node:node . .\nRUN npm ci --only=production\nUSER node\nCMD [\"dumb-init\", \"node\", \"server.js\"]\n",
        set(), {"NG301", "NG401", "NG402", "NG501", "NG502", "NG503", "NG504", "NG601"},
    ),
    "8-token-in-env-and-npmrc": (
        f"FROM node:lts-alpine@{DIGEST}\nRUN apk add dumb-init\nENV NODE_ENV production\nENV NPM_TOKEN 1234\n"
        "WORKDIR /usr/src/app\nCOPY --chown=node:node . .\n"
        "RUN echo \"//registry.npmjs.org/:_authToken=$NPM_TOKEN\" > .npmrc && \\\n   npm ci --only=production\n"
        "USER node\nCMD [\"dumb-init\", \"node\", \"server.js\"]\n",
        {"NG801", "NG802"}, {"NG501", "NG504"},
    ),
    "8-multi-stage": (
        "FROM node:latest AS build\nARG NPM_TOKEN\nWORKDIR /usr/src/app\nCOPY package*.json /usr/src/app/\n"
        "RUN echo \"//registry.npmjs.org/:_authToken=$NPM_TOKEN\" > .npmrc && \\\n   npm ci --only=production && \\\n   rm -f .npmrc\n"
        f"\nFROM node:lts-alpine@{DIGEST}\nRUN apk add dumb-init\nENV NODE_ENV production\nUSER node\n"
        "WORKDIR /usr/src/app\nCOPY --chown=node:node --from=build /usr/src/app/node_modules /usr/src/app/node_modules\n"
        "COPY --chown=node:node . /usr/src/app\nCMD [\"dumb-init\", \"node\", \"server.js\"]\n",
        {"NG101", "NG1002"}, {"NG801", "NG802", "NG401", "NG402", "NG501", "NG504"},
    ),
    "10-secret-mount": (
        "FROM node:latest AS build\nWORKDIR /usr/src/app\nCOPY package*.json /usr/src/app/\n"
        "RUN --mount=type=secret,mode=0644,id=npmrc,target=/usr/src/app/.npmrc npm ci --only=production\n"
        f"\nFROM node:lts-alpine@{DIGEST}\nRUN apk add dumb-init\nENV NODE_ENV production\nUSER node\n"
        "WORKDIR /usr/src/app\nCOPY --chown=node:node --from=build /usr/src/app/node_modules /usr/src/app/node_modules\n"
        "COPY --chown=node:node . /usr/src/app\nCMD [\"dumb-init\", \"node\", \"server.js\"]\n",
        {"NG101"}, {"NG801", "NG802", "NG1001", "NG1002", "NG401", "NG501", "NG504", "NG901", "NG601"},
    ),
}


@pytest.mark.parametrize("name", EXAMPLES)
def test_cheatsheet_example_is_judged_as_the_cheatsheet_judges_it(lint, name):
    dockerfile, expected, absent = EXAMPLES[name]
    files = {**CONTEXT, ".dockerignore": IGNORE_SECTION_10}
    found = set(lint(dockerfile, files=files).ids())
    assert expected <= found, f"{name}: missing {expected - found}; found {sorted(found)}"
    assert not absent & found, f"{name}: should not report {absent & found}"


def test_section_9_ignore_list_keeps_out_node_modules_but_not_env(lint):
    dockerfile = EXAMPLES["5-dumb-init"][0]
    cheatsheet_ignore = ".dockerignore\nnode_modules\nnpm-debug.log\nDockerfile\n.git\n.gitignore\n"
    linted = lint(dockerfile, files={**CONTEXT, ".dockerignore": cheatsheet_ignore})
    entries = " ".join(f.message for f in linted.of("NG902"))
    assert ".npmrc" in entries and ".env" in entries and "node_modules" not in entries


def test_no_dockerignore_while_copying_the_whole_context(lint):
    linted = lint(EXAMPLES["5-dumb-init"][0], files={**CONTEXT, ".env": "SECRET=1\n"})
    assert {"NG901", "NG904"} <= set(linted.ids())

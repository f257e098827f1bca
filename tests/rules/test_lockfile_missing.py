"""NG203 lockfile-missing: the lockfile exists in the context, is sent, and is copied before the install."""
import pytest

from nodeguard.findings import Severity

PKG = {"package.json": '{"name": "app"}'}


@pytest.mark.parametrize(
    "run, lockfiles",
    [
        ("npm ci", "package-lock.json or npm-shrinkwrap.json"),
        ("npm install", "package-lock.json or npm-shrinkwrap.json"),
        ("yarn install --frozen-lockfile", "yarn.lock"),
        ("pnpm install --frozen-lockfile", "pnpm-lock.yaml"),
        ("bun install", "bun.lock or bun.lockb"),
    ],
)
def test_no_lockfile_in_the_context(lint, run, lockfiles):
    [found] = lint(f"FROM node:22-alpine\nCOPY . .\nRUN {run}\n", files=PKG, rule="NG203").findings
    assert (found.line, found.severity, found.path) == (3, Severity.ERROR, "Dockerfile")
    assert found.message == f"`{run}` needs {lockfiles} but the build context has none; generate the lockfile and commit it"


def test_one_finding_per_manager_however_many_installs(lint):
    dockerfile = "FROM node:22 AS build\nCOPY . .\nRUN npm ci\nFROM node:22-alpine\nCOPY . .\nRUN npm ci --omit=dev\n"
    assert [f.line for f in lint(dockerfile, files=PKG, rule="NG203").findings] == [3]


@pytest.mark.parametrize(
    "dockerfile, files",
    [
        ("FROM node:22-alpine\nCOPY . .\nRUN npm ci\n", {"package-lock.json": "{}"}),
        ("FROM node:22-alpine\nCOPY . .\nRUN npm ci\n", {"npm-shrinkwrap.json": "{}"}),
        ("FROM node:22-alpine\nCOPY package*.json ./\nRUN npm ci\n", {"package-lock.json": "{}"}),
        ("FROM node:22-alpine\nCOPY package.json package-lock.json ./\nRUN npm ci\n", {"package-lock.json": "{}"}),
        ('FROM node:22-alpine\nCOPY ["package.json", "yarn.lock", "./"]\nRUN yarn install --frozen-lockfile\n', {"yarn.lock": ""}),
        ("FROM node:22-alpine\nCOPY package.json *.lock ./\nRUN yarn install --frozen-lockfile\n", {"yarn.lock": ""}),
        ("FROM node:22-alpine\nCOPY package.json pnpm-lock.yaml ./\nRUN pnpm install --frozen-lockfile\n", {"pnpm-lock.yaml": ""}),
        ("FROM node:22-alpine\nCOPY package.json bun.lockb ./\nRUN bun install --frozen-lockfile\n", {"bun.lockb": b"\x00bin"}),
        # the lockfile reaches the install through a bind mount
        ("FROM node:22-alpine\nCOPY package.json ./\nRUN --mount=type=bind,source=package-lock.json,target=package-lock.json npm ci\n",
         {"package-lock.json": "{}"}),
        ("FROM node:22-alpine\nRUN --mount=type=bind,target=/src npm ci --prefix /src\n", {"package-lock.json": "{}"}),
        # no copy from the context before the install: nothing to judge about copying
        ("FROM node:22 AS src\nFROM node:22-alpine\nCOPY --from=src /app /app\nRUN npm ci\n", {"package-lock.json": "{}"}),
        # a named package or a global tool needs no lockfile
        ("FROM node:22-alpine\nRUN npm install -g pm2@5\n", {}),
        ("FROM node:22-alpine\nRUN npm install express\n", {}),
        # a workspace package takes the lockfile of the workspace root
        ("FROM node:22-alpine\nCOPY pnpm-lock.yaml packages/api/package.json ./\nRUN pnpm install --frozen-lockfile\n",
         {"pnpm-lock.yaml": "", "packages/api/package.json": "{}"}),
    ],
)
def test_lockfile_present_and_copied_passes(lint, dockerfile, files):
    assert lint(dockerfile, files={**PKG, **files}, rule="NG203").findings == []


def test_lockfile_in_a_parent_folder_of_package_json_must_be_copied(lint):
    dockerfile = "FROM node:22-alpine\nCOPY app/package.json ./\nRUN npm ci\n"
    [found] = lint(dockerfile, files={"app/package.json": "{}", "package-lock.json": "{}"}, rule="NG203").findings
    assert "brings package.json but not package-lock.json" in found.message


def test_copy_without_the_lockfile(lint):
    dockerfile = "FROM node:22-alpine\nWORKDIR /app\nCOPY package.json ./\nRUN npm ci --omit=dev\nCOPY . .\n"
    [found] = lint(dockerfile, files={**PKG, "package-lock.json": "{}"}, rule="NG203").findings
    assert found.line == 3
    assert found.message == (
        "this COPY brings package.json but not package-lock.json, so `npm ci --omit=dev` (line 4) cannot follow "
        "the lockfile; copy package-lock.json too"
    )


def test_lockfile_excluded_by_dockerignore_is_reported_on_the_ignore_line(lint):
    files = {**PKG, "yarn.lock": "", ".dockerignore": "node_modules\nyarn.lock\n.git\n"}
    [found] = lint("FROM node:22-alpine\nCOPY . .\nRUN yarn install --frozen-lockfile\n", files=files, rule="NG203").findings
    assert (found.path, found.line) == (".dockerignore", 2)
    assert "`yarn.lock` keeps yarn.lock out of the build context" in found.message and "(Dockerfile line 3)" in found.message


def test_lockfile_excluded_by_a_glob_has_no_fix(lint):
    files = {**PKG, "package-lock.json": "{}", ".dockerignore": "*.json\n!package.json\n"}
    [found] = lint("FROM node:22-alpine\nCOPY . .\nRUN npm ci\n", files=files, rule="NG203").findings
    assert (found.path, found.line, found.fix) == (".dockerignore", 1, None)


def test_fix_adds_the_lockfile_to_the_copy(lint):
    files = {**PKG, "package-lock.json": "{}"}
    dockerfile = "FROM node:22-alpine\nWORKDIR /app\nCOPY --chown=node:node package.json ./\nRUN npm ci --omit=dev\n"
    texts, relinted = lint.fix(dockerfile, files=files, rule="NG203")
    assert texts["Dockerfile"].splitlines()[2] == "COPY --chown=node:node package.json package-lock.json ./"
    assert relinted.of("NG203") == []


def test_fix_adds_a_lockfile_from_a_parent_folder(lint):
    files = {"app/package.json": "{}", "pnpm-lock.yaml": ""}
    texts, relinted = lint.fix("FROM node:22-alpine\nCOPY app/package.json ./\nRUN pnpm install --frozen-lockfile --prod\n", files=files, rule="NG203")
    assert texts["Dockerfile"].splitlines()[1] == "COPY app/package.json pnpm-lock.yaml ./"
    assert relinted.of("NG203") == []


def test_fix_removes_the_ignore_line(lint):
    files = {**PKG, "package-lock.json": "{}", ".dockerignore": "node_modules\npackage-lock.json\n"}
    texts, relinted = lint.fix("FROM node:22-alpine\nCOPY . .\nRUN npm ci --omit=dev\n", files=files, rule="NG203")
    assert texts[".dockerignore"].startswith("node_modules\n")  # NG901 may add lines after it
    assert "package-lock.json" not in texts[".dockerignore"].splitlines()
    assert relinted.of("NG203") == []


def test_nothing_is_said_when_the_context_is_not_on_disk():
    from nodeguard.model.context import BuildContext, UnreadFiles
    from nodeguard.model.image import build_image
    from nodeguard.model.parse import parse_dockerfile
    from nodeguard.rules import rule_by_id
    from nodeguard.rules.base import NoOptions

    image = build_image(parse_dockerfile("Dockerfile", b"FROM node:22-alpine\nCOPY package.json ./\nRUN npm ci\n"))
    context = BuildContext(UnreadFiles(), display_root="", dockerignore=None)
    assert list(rule_by_id("NG203").check(image, context, NoOptions())) == []


def test_a_context_without_package_json_is_not_judged(lint):
    # a Dockerfile kept apart from the app's sources (a partial checkout, a corpus of Dockerfiles)
    assert lint("FROM node:22-alpine\nCOPY . .\nRUN npm ci\n", rule="NG203").findings == []

"""NG902 dockerignore-entries: the ignore file misses node_modules, .git, .env, .npmrc, npm-debug.log."""
import pytest

DOCKERFILE = "FROM node:22-alpine\nWORKDIR /app\nCOPY . .\n"
COMPLETE = "node_modules\n.git\n.env\n.npmrc\nnpm-debug.log\n"


def test_each_missing_entry_is_named_on_the_last_line(lint):
    [finding] = lint(DOCKERFILE, files={".dockerignore": "dist\ncoverage\n"}, rule="NG902").findings
    assert finding.path == ".dockerignore" and finding.line == 2 and finding.severity.label == "warning"
    assert "does not keep out `node_modules` (a local node_modules" in finding.message
    assert "; `.env` (environment files hold credentials);" in finding.message
    for name in ("`.git`", "`.npmrc`", "`npm-debug.log`"):
        assert name in finding.message
    assert finding.message.endswith("add: node_modules, .git, .env, .npmrc, npm-debug.log")


def test_fix_appends_the_missing_lines(lint):
    texts, relinted = lint.fix(DOCKERFILE, files={".dockerignore": "dist\n.git\n"})
    assert texts[".dockerignore"] == "dist\n.git\nnode_modules\n.env\n.npmrc\nnpm-debug.log\n"
    assert relinted.of("NG902") == []


def test_fix_fills_an_empty_file(lint):
    texts, relinted = lint.fix(DOCKERFILE, files={".dockerignore": ""})
    assert texts[".dockerignore"] == "node_modules\n.git\n.env\n.npmrc\nnpm-debug.log\n"
    assert relinted.of("NG902") == []


@pytest.mark.parametrize("ignore", [
    COMPLETE,
    "**/node_modules\n/.git\n.env*\n.npmrc\nnpm-debug.log*\n",
    "*\n!src\n!package.json\n",
    "node_modules/\n.git/\n.env\n.env.*\n**/.npmrc\n*.log\n",
])
def test_docker_matching_decides(lint, ignore):
    assert lint(DOCKERFILE, files={".dockerignore": ignore}, rule="NG902").findings == []


def test_a_later_exception_brings_an_entry_back(lint):
    [finding] = lint(DOCKERFILE, files={".dockerignore": COMPLETE + "!.npmrc\n"}, rule="NG902").findings
    assert "`.npmrc`" in finding.message and "`.git`" not in finding.message


def test_a_file_copied_by_name_is_not_asked_for(lint):
    text = "FROM node:22-alpine\nCOPY package.json .npmrc ./\nCOPY . .\n"
    [finding] = lint(text, files={".dockerignore": "node_modules\n.git\n.env\n"}, rule="NG902").findings
    assert "`.npmrc`" not in finding.message and "`npm-debug.log`" in finding.message


def test_nested_packages_get_the_everywhere_pattern(lint):
    files = {".dockerignore": ".git\n.env\n.npmrc\nnpm-debug.log\n", "packages/api/package.json": "{}"}
    [finding] = lint(DOCKERFILE, files=files, rule="NG902").findings
    assert finding.message.endswith("add: **/node_modules")


def test_an_inline_comment_is_left_to_ng906(lint):
    files = {".dockerignore": "node_modules # deps\n.git\n.env\n.npmrc\nnpm-debug.log\n"}
    assert lint(DOCKERFILE, files=files, rule="NG902").findings == []


def test_no_copy_from_the_context_no_finding(lint):
    text = "FROM node:22-alpine\nCOPY --from=node:22 /usr/local/bin/node /usr/local/bin/\n"
    assert lint(text, files={".dockerignore": "dist\n"}, rule="NG902").findings == []


def test_env_kept_out_is_enough_and_an_env_local_on_disk_is_left_to_NG904(lint):
    files = {".dockerignore": "node_modules\n.git\n.env\n.npmrc\nnpm-debug.log\n", ".env.local": "TOKEN=1\n"}
    linted = lint("FROM node:24-alpine\nCOPY . .\n", files=files)
    assert linted.of("NG902") == []
    assert [f.rule for f in linted.findings if ".env.local" in f.message] == ["NG904"]


@pytest.mark.parametrize(
    ("lockfile", "install", "log"),
    [("pnpm-lock.yaml", "RUN pnpm install --frozen-lockfile", "pnpm-debug.log"),
     ("yarn.lock", "RUN yarn install --frozen-lockfile", "yarn-error.log"),
     (None, "RUN corepack enable && pnpm install", "pnpm-debug.log"),
     ("package-lock.json", "RUN npm ci", "npm-debug.log")],
)
def test_the_log_file_asked_for_is_the_package_managers_own(lint, lockfile, install, log):
    files = {".dockerignore": "node_modules\n.git\n.env\n.npmrc\n", "package.json": "{}"}
    if lockfile:
        files[lockfile] = ""
    [finding] = lint(f"FROM node:22-alpine\nWORKDIR /app\nCOPY . .\n{install}\n", files=files, rule="NG902").findings
    assert finding.message.endswith(f"add: {log}")
    others = {"npm-debug.log", "yarn-error.log", "pnpm-debug.log"} - {log}
    assert not any(f"`{other}`" in finding.message for other in others)


def test_a_pnpm_project_that_ignores_its_own_log_is_complete(lint):
    files = {".dockerignore": "node_modules\n.git\n.env\n.npmrc\npnpm-debug.log\n", "pnpm-lock.yaml": ""}
    assert lint(DOCKERFILE, files=files, rule="NG902").findings == []


def test_a_bun_project_is_not_asked_for_a_log_file(lint):
    files = {".dockerignore": "node_modules\n.git\n.env\n.npmrc\n", "bun.lock": ""}
    assert lint(DOCKERFILE, files=files, rule="NG902").findings == []


@pytest.mark.parametrize("copies", [
    "COPY package.json package-lock.json ./\nCOPY src ./src\n",
    "COPY *.json ./\nCOPY public ./public\n",
    "COPY --from=build /app/dist ./dist\nCOPY server ./server\n",
])
def test_entries_no_copy_can_take_are_not_asked_for(lint, copies):
    # `.env`, `.git`, `.npmrc`, the log and `node_modules` sit at the context root, and these copies
    # name other paths: nothing the ignore file could keep out would reach the image.
    text = f"FROM node:22-alpine AS build\nFROM node:22-alpine\nWORKDIR /app\n{copies}"
    assert lint(text, files={".dockerignore": "dist\n"}, rule="NG902").findings == []


def test_only_the_entries_a_copy_can_take_are_asked_for(lint):
    text = "FROM node:22-alpine\nWORKDIR /app\nCOPY package.json .env* ./\nCOPY src ./src\n"
    [finding] = lint(text, files={".dockerignore": "dist\n"}, rule="NG902").findings
    assert finding.message.endswith("add: .env")


@pytest.mark.parametrize("source", ["*", "./", "/", "$APP_DIR"])
def test_a_copy_of_the_root_or_an_unknown_path_takes_every_entry(lint, source):
    text = f"FROM node:22-alpine\nWORKDIR /app\nCOPY {source} ./\n"
    [finding] = lint(text, files={".dockerignore": "dist\n"}, rule="NG902").findings
    assert finding.message.endswith("add: node_modules, .git, .env, .npmrc, npm-debug.log")


def test_nested_node_modules_are_asked_for_when_their_folder_is_copied(lint):
    text = "FROM node:22-alpine\nWORKDIR /app\nCOPY package.json ./\nCOPY packages ./packages\n"
    files = {".dockerignore": "dist\n", "packages/api/package.json": "{}"}
    [finding] = lint(text, files=files, rule="NG902").findings
    assert finding.message.endswith("add: **/node_modules")

import pytest

from nodeguard.node.packages import (
    BUILD_TOOLS,
    IGNORE_MUST_HAVE,
    LOCKFILES,
    InstallCommand,
    classify_install,
    is_secret_name,
    sensitive_file_reason,
)
from nodeguard.node.programs import SHELLS, is_init_program, strip_init


def classify(command: str) -> InstallCommand | None:
    return classify_install(tuple(command.split()))


@pytest.mark.parametrize(
    ("command", "manager", "kind", "deterministic", "production", "deprecated"),
    [
        ("npm ci", "npm", "ci", True, None, None),
        ("npm clean-install", "npm", "ci", True, None, None),
        ("npm install", "npm", "install", False, None, None),
        ("npm i", "npm", "install", False, None, None),
        ("/usr/local/bin/npm install", "npm", "install", False, None, None),
        ("npm install --production", "npm", "install", False, True, "--production"),
        ("npm install --production=false", "npm", "install", False, False, "--production"),
        ("npm ci --omit=dev", "npm", "ci", True, True, None),
        ("npm ci --omit dev", "npm", "ci", True, True, None),
        ("npm ci --omit=optional", "npm", "ci", True, None, None),
        ("npm ci --omit=dev --omit=optional", "npm", "ci", True, True, None),
        ("npm ci --include=dev", "npm", "ci", True, False, None),
        ("npm ci --only=production", "npm", "ci", True, True, "--only=production"),
        ("npm ci --only=prod", "npm", "ci", True, True, "--only=prod"),
        ("npm install --only=dev", "npm", "install", False, False, "--only=dev"),
        ("npm ci --prod", "npm", "ci", True, True, "--prod"),
        ("npm ci --silent --no-audit", "npm", "ci", True, None, None),
        ("npm prune --production", "npm", "prune", False, True, "--production"),
        ("npm prune --omit=dev", "npm", "prune", False, True, None),
        ("npm prune", "npm", "prune", False, None, None),
        ("yarn", "yarn", "install", False, None, None),
        ("yarn install", "yarn", "install", False, None, None),
        ("yarn install --frozen-lockfile", "yarn", "install", True, None, None),
        ("yarn --frozen-lockfile --production", "yarn", "install", True, True, None),
        ("yarn install --immutable", "yarn", "install", True, None, None),
        ("yarn install --pure-lockfile", "yarn", "install", False, None, None),
        ("yarn install --production", "yarn", "install", False, True, None),
        ("yarn install --production=true", "yarn", "install", False, True, None),
        ("yarn install --production=false", "yarn", "install", False, False, None),
        ("yarn workspaces focus --production", "yarn", "install", False, True, None),
        ("yarn workspaces focus --all --production", "yarn", "install", False, True, None),
        ("pnpm install", "pnpm", "install", False, None, None),
        ("pnpm install --frozen-lockfile", "pnpm", "install", True, None, None),
        ("pnpm i --prod", "pnpm", "install", False, True, None),
        ("pnpm install -P --frozen-lockfile", "pnpm", "install", True, True, None),
        ("pnpm install --offline", "pnpm", "install", False, None, None),
        ("pnpm install --dev", "pnpm", "install", False, False, None),
        ("pnpm prune --prod", "pnpm", "prune", False, True, None),
        ("bun install", "bun", "install", False, None, None),
        ("bun install --frozen-lockfile --production", "bun", "install", True, True, None),
        ("bun i -p", "bun", "install", False, True, None),
        ("corepack yarn install --immutable", "yarn", "install", True, None, None),
        ("corepack pnpm@9.1.0 install --frozen-lockfile --prod", "pnpm", "install", True, True, None),
    ],
)
def test_installs(command, manager, kind, deterministic, production, deprecated):
    result = classify(command)
    assert (result.manager, result.kind, result.deterministic) == (manager, kind, deterministic)
    assert (result.production_only, result.deprecated_flag) == (production, deprecated)
    assert result.packages == ()


@pytest.mark.parametrize(
    ("command", "manager", "kind", "packages"),
    [
        ("npm install -g pm2@5", "npm", "add-global", ("pm2@5",)),
        ("npm i --global npm@10 pnpm", "npm", "add-global", ("npm@10", "pnpm")),
        ("npm install --location=global serve", "npm", "add-global", ("serve",)),
        ("npm i express", "npm", "add-package", ("express",)),
        ("npm install --save-dev typescript", "npm", "add-package", ("typescript",)),
        ("npm install --omit dev express", "npm", "add-package", ("express",)),
        ("yarn add express@4", "yarn", "add-package", ("express@4",)),
        ("yarn global add pm2", "yarn", "add-global", ("pm2",)),
        ("pnpm add -g pm2", "pnpm", "add-global", ("pm2",)),
        ("pnpm add zod", "pnpm", "add-package", ("zod",)),
        ("bun add -g serve", "bun", "add-global", ("serve",)),
        ("bun add hono", "bun", "add-package", ("hono",)),
    ],
)
def test_adding_named_packages(command, manager, kind, packages):
    result = classify(command)
    assert (result.manager, result.kind, result.packages) == (manager, kind, packages)
    assert result.deterministic is False


@pytest.mark.parametrize(
    "command",
    [
        "",
        "npm run build",
        "npm start",
        "npm test",
        "npm --version",
        "yarn build",
        "yarn run start",
        "pnpm run build",
        "pnpm fetch --prod",
        "bun run index.ts",
        "corepack enable",
        "corepack",
        "node server.js",
        "apk add --no-cache dumb-init",
        "npm uninstall express",
    ],
)
def test_commands_that_install_nothing(command):
    assert classify(command) is None


def test_lockfiles():
    assert LOCKFILES["npm"] == ("package-lock.json", "npm-shrinkwrap.json")
    assert LOCKFILES["yarn"] == ("yarn.lock",)
    assert LOCKFILES["pnpm"] == ("pnpm-lock.yaml",)
    assert set(LOCKFILES["bun"]) == {"bun.lock", "bun.lockb"}


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("dumb-init", True),
        ("/usr/bin/dumb-init", True),
        ("tini", True),
        ("/sbin/tini", True),
        ("/tini", True),
        ("docker-init", True),
        ("catatonit", True),
        ("/init", True),
        ("init", False),
        ("node", False),
        ("npm", False),
        ("/bin/sh", False),
    ],
)
def test_init_programs(word, expected):
    assert is_init_program(word) is expected


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["dumb-init", "node", "server.js"], ("node", "server.js")),
        (["dumb-init", "--", "node", "server.js"], ("node", "server.js")),
        (["dumb-init", "--single-child", "-r", "15:2", "node", "a.js"], ("node", "a.js")),
        (["/sbin/tini", "--", "node", "a.js"], ("node", "a.js")),
        (["tini", "-s", "-g", "-p", "SIGKILL", "--", "npm", "start"], ("npm", "start")),
        (["/init", "node", "a.js"], ("node", "a.js")),
        (["node", "a.js"], ("node", "a.js")),
        (["dumb-init"], ()),
        ([], ()),
    ],
)
def test_strip_init(argv, expected):
    assert strip_init(argv) == expected


def test_shells_and_build_tools():
    assert {"sh", "bash", "ash"} <= SHELLS and "node" not in SHELLS
    compilers = {name for name, kind in BUILD_TOOLS.items() if kind == "compiler"}
    assert {"build-base", "build-essential", "gcc", "g++"} <= compilers
    assert BUILD_TOOLS["python3"] == "python" and BUILD_TOOLS["make"] == "build" and BUILD_TOOLS["git"] == "vcs"
    assert "python3" not in compilers and "git" not in compilers


@pytest.mark.parametrize(
    "name",
    [
        "NPM_TOKEN",
        "npm_token",
        "NODE_AUTH_TOKEN",
        "GITHUB_TOKEN",
        "GH_TOKEN",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SESSION_TOKEN",
        "AZURE_CLIENT_ID",  # no token in it; trivy lists it
        "OPENAI_API_KEY",
        "API_KEY",
        "APIKEY",
        "DB_PASSWORD",
        "PASSWORD",
        "SECRET_MESSAGE",
        "AUTH",
        "MY_CREDENTIALS",
        "DB_PASSWD",
        "SMTP_PWORD",
        "SESSION_SECRET",
        "NPM_CONFIG__AUTH",
        "VITE_OPENAI_API_KEY",
        "REACT_APP_GITHUB_TOKEN",
        "REACT_APP_AZURE_CLIENT_ID",
    ],
)
def test_secret_names(name):
    assert is_secret_name(name)


@pytest.mark.parametrize(
    "name",
    [
        "NODE_ENV",
        "PORT",
        "MONKEY",  # "key" is not a whole word
        "KEYBOARD_LAYOUT",
        "PASSWORDLESS",
        "TOKENIZER",
        "PUBLIC_KEY",  # BuildKit's allow-list
        "API_KEY_FILE",
        "NPM_TOKEN_FILE",
        "TOKEN_VERSION",
        "AUTHOR",
        "SECRETARY",
        "AWS_REGION",
        "AWS_CONFIG_FILE",
        "",
    ],
)
def test_not_secret_names(name):
    assert not is_secret_name(name)


def test_a_file_variable_can_still_look_like_a_secret():
    # BuildKit's word rule decides: CREDENTIALS is a whole word here.
    assert is_secret_name("GOOGLE_APPLICATION_CREDENTIALS")


@pytest.mark.parametrize(
    ("path", "sensitive"),
    [
        (".env", True),
        ("app/.env", True),
        (".env.production", True),
        (".env.local", True),
        (".env.example", False),
        (".env.sample", False),
        (".env.template", False),
        (".env.local.example", False),
        (".npmrc", True),
        (".yarnrc.yml", True),
        ("certs/server.pem", True),
        ("tls/private.key", True),
        ("keys/store.p12", True),
        ("id_rsa", True),
        ("home/.ssh/id_ed25519", True),
        ("id_rsa.pub", False),
        ("id_ed25519.pub", False),
        ("aws.json", True),
        (".aws/credentials", True),
        ("deploy/.aws/credentials", True),
        ("credentials.json", True),
        ("service-account.json", True),
        ("config/service-account-prod.json", True),
        (".netrc", True),
        ("package.json", False),
        ("src/env.ts", False),
        ("environment.env.js", False),
        ("keyboard.js", False),
        ("aws/credentials.txt", False),
        ("README.md", False),
    ],
)
def test_sensitive_files(path, sensitive):
    assert (sensitive_file_reason(path) is not None) is sensitive


def test_npmrc_and_yarnrc_need_a_token_when_their_text_is_known():
    files = {
        "with-token/.npmrc": "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n",
        "plain/.npmrc": "engine-strict=true\nlegacy-peer-deps=true\n",
        "with-token/.yarnrc.yml": 'npmAuthToken: "abc"\n',
        "plain/.yarnrc.yml": "nodeLinker: node-modules\n",
    }
    read = files.get
    assert sensitive_file_reason("with-token/.npmrc", read)
    assert sensitive_file_reason("plain/.npmrc", read) is None
    assert sensitive_file_reason("with-token/.yarnrc.yml", read)
    assert sensitive_file_reason("plain/.yarnrc.yml", read) is None
    assert sensitive_file_reason("missing/.npmrc", read) is None
    assert sensitive_file_reason(".env", read)  # no marker needed


def test_ignore_must_have():
    patterns = [entry.pattern for entry in IGNORE_MUST_HAVE]
    assert patterns == ["node_modules", ".git", ".env", ".npmrc", "npm-debug.log"]
    assert all(entry.reason for entry in IGNORE_MUST_HAVE)

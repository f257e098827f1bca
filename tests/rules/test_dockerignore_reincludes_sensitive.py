"""NG903 dockerignore-reincludes-sensitive: a `!` exception that lets a secret back in."""
import pytest

DOCKERFILE = "FROM node:22-alpine\nWORKDIR /app\nCOPY . .\n"


@pytest.mark.parametrize("exception, shown", [
    ("!.env", "`.env`"),
    ("!.env.production", "`.env.production`"),
    ("!*.pem", "files such as `server.pem`"),
    ("!id_rsa", "`id_rsa`"),
    ("!.aws/credentials", "`.aws/credentials`"),
    ("!credentials.json", "`credentials.json`"),
])
def test_sensitive_exceptions_are_reported_on_their_line(lint, exception, shown):
    [finding] = lint(DOCKERFILE, files={".dockerignore": f"node_modules\n*\n{exception}\n"}, rule="NG903").findings
    assert finding.path == ".dockerignore" and finding.line == 3 and finding.severity.label == "error"
    assert finding.message.startswith(f"`{exception}` lets {shown} (")


def test_fix_deletes_the_exception(lint):
    texts, relinted = lint.fix(DOCKERFILE, files={".dockerignore": ".env*\n!.env.production\nnode_modules\n"})
    assert texts[".dockerignore"].startswith(".env*\nnode_modules\n")  # NG902 appends its lines after
    assert "!.env.production" not in texts[".dockerignore"]
    assert relinted.of("NG903") == []


def test_no_fix_when_the_dockerfile_copies_the_file_by_name(lint):
    text = "FROM node:22-alpine\nCOPY .env.production ./\n"
    [finding] = lint(text, files={".dockerignore": ".env*\n!.env.production\n"}, rule="NG903").findings
    assert finding.fix is None


def test_a_folder_exception_that_brings_back_a_file_on_disk(lint):
    files = {".dockerignore": "*\n!config\n", "config/.env": "DB_PASSWORD=x\n"}
    [finding] = lint(DOCKERFILE, files=files, rule="NG903").findings
    assert "`config/.env` (environment file with credentials)" in finding.message


@pytest.mark.parametrize("ignore", [
    ".env*\n!.env.example\n",
    "*\n!src\n!package.json\n",
    ".env*\n!.env.production\n.env.production\n",  # excluded again by a later line
])
def test_harmless_exceptions_are_fine(lint, ignore):
    assert lint(DOCKERFILE, files={".dockerignore": ignore}, rule="NG903").findings == []


def test_an_npmrc_on_disk_without_a_token_is_fine(lint):
    files = {".dockerignore": "*\n!.npmrc\n", ".npmrc": "legacy-peer-deps=true\n"}
    assert lint(DOCKERFILE, files=files, rule="NG903").findings == []


def test_an_npmrc_on_disk_with_a_token_counts(lint):
    files = {".dockerignore": "*\n!.npmrc\n", ".npmrc": "//registry.npmjs.org/:_authToken=npm_x\n"}
    [finding] = lint(DOCKERFILE, files=files, rule="NG903").findings
    assert "`.npmrc` (npm configuration" in finding.message


@pytest.mark.parametrize("ignore", ["*\n!.yarnrc.yml\n", "*\n!.npmrc\n", "*\n!.yarn/plugins/*\n", "*\n!/.git/refs/heads/*\n"])
def test_unknown_rc_files_and_bare_folder_exceptions_are_fine(lint, ignore):
    assert lint(DOCKERFILE, files={".dockerignore": ignore}, rule="NG903").findings == []


@pytest.mark.parametrize("env", [
    "VITE_API_URL=https://api.example.com\nVITE_APP_TITLE=Shop\n",
    "# public settings\nNEXT_PUBLIC_SITE_URL=https://example.com\nNEXT_PUBLIC_FIREBASE_API_KEY=AIzaSyA-public\n",
    "REACT_APP_SENTRY_DSN=https://abc@o1.ingest.sentry.io/2\n",  # a DSN's key is public by design
    "export NUXT_PUBLIC_API_BASE=/api\nPUBLIC_SITE=astro\nEXPO_PUBLIC_ENV=prod\n",
])
def test_a_framework_env_file_with_only_public_keys_is_fine(lint, env):
    files = {".dockerignore": ".env*\n!.env.production\n", ".env.production": env}
    assert lint(DOCKERFILE, files=files, rule="NG903").findings == []


@pytest.mark.parametrize("env", [
    "VITE_API_URL=https://api.example.com\nDATABASE_URL=postgres://app:pw@db/app\n",  # a private key
    "VITE_STRIPE_KEY=sk_live_0123456789abcdefABCDEF\n",  # a credential under a public prefix
    "NEXT_PUBLIC_DB=postgres://admin:hunter2@db.example.com/app\n",
    "VITE_API_URL=https://api.example.com\nnot an assignment\n",
    "",  # nothing that shows it is public
])
def test_an_env_file_with_private_keys_or_credential_values_is_reported(lint, env):
    files = {".dockerignore": ".env*\n!.env.production\n", ".env.production": env}
    assert len(lint(DOCKERFILE, files=files, rule="NG903").findings) == 1


def test_a_public_env_file_that_is_not_on_disk_is_still_reported(lint):
    assert len(lint(DOCKERFILE, files={".dockerignore": ".env*\n!.env.production\n"}, rule="NG903").findings) == 1

"""NG904 sensitive-file-in-context: a sensitive file on disk that COPY . . would copy."""
DOCKERFILE = "FROM node:22-alpine\nWORKDIR /app\nCOPY . .\n"


def test_each_sent_file_is_reported_on_the_ignore_file_with_a_fix(lint):
    files = {".dockerignore": "node_modules\n", ".env": "A=1\n", "certs/server.key": "x", "src/a.js": ""}
    findings = lint(DOCKERFILE, files=files, rule="NG904").findings
    assert [f.path for f in findings] == [".dockerignore", ".dockerignore"]
    assert all(f.line == 1 and f.severity.label == "error" for f in findings)
    messages = " | ".join(f.message for f in findings)
    assert "`.env` (environment file with credentials) is not ignored" in messages
    assert "`certs/server.key` (private key)" in messages and "(line 3 of Dockerfile)" in messages


def test_fix_adds_every_file_to_the_ignore_file(lint):
    complete = "node_modules\n.git\n.env\n.npmrc\nnpm-debug.log\n"  # nothing for NG902 to add
    files = {".dockerignore": complete, "id_rsa": "k", "certs/server.pem": "x"}
    texts, relinted = lint.fix(DOCKERFILE, files=files)
    assert texts[".dockerignore"] == complete + "certs/server.pem\nid_rsa\n"
    assert relinted.of("NG904") == []


def test_a_file_the_copy_excludes_is_not_copied(lint):
    """``COPY --exclude`` (BuildKit's dockerfile 1.7 syntax) keeps files out as an ignore-file line would."""
    text = "# syntax=docker/dockerfile:1.7\nFROM node:22-alpine\nWORKDIR /app\nCOPY --exclude=.env --exclude=**/*.key . .\n"
    files = {".dockerignore": "node_modules\n", ".env": "A=1\n", "certs/server.key": "x", "id_rsa": "k"}
    [finding] = lint(text, files=files, rule="NG904").findings
    assert "`id_rsa` (" in finding.message


def test_without_an_ignore_file_the_copy_line_is_blamed(lint):
    [finding] = lint(DOCKERFILE, files={".env.production": "A=1\n"}, rule="NG904").findings
    assert finding.path == "Dockerfile" and finding.line == 3 and finding.fix is None
    assert "copies `.env.production`" in finding.message and ".dockerignore line `.env.production`" in finding.message


def test_a_build_stage_copy_says_so(lint):
    text = "FROM node:22 AS build\nCOPY . .\nFROM node:22-alpine\n"
    [finding] = lint(text, files={".env": "A=1\n"}, rule="NG904").findings
    assert "a layer of build stage `build`" in finding.message


def test_ignored_sample_and_harmless_files_are_fine(lint):
    files = {".dockerignore": ".env*\n!.env.example\n", ".env": "A=1\n", ".env.example": "A=\n",
             ".npmrc": "legacy-peer-deps=true\n", "id_rsa.pub": "ssh-rsa"}
    assert lint(DOCKERFILE, files=files, rule="NG904").findings == []


def test_an_npmrc_with_a_token_counts(lint):
    files = {".dockerignore": "node_modules\n", ".npmrc": "//registry.npmjs.org/:_authToken=npm_x\n"}
    [finding] = lint(DOCKERFILE, files=files, rule="NG904").findings
    assert "`.npmrc`" in finding.message


def test_no_whole_copy_no_finding(lint):
    assert lint("FROM node:22-alpine\nCOPY src ./src\n", files={".env": "A=1\n"}, rule="NG904").findings == []


def test_an_env_file_of_public_framework_keys_is_not_sensitive(lint):
    files = {".dockerignore": "node_modules\n.git\n.npmrc\nnpm-debug.log\n.env\n",
             ".env.production": "VITE_API_URL=https://api.example.com\nVITE_TITLE=Shop\n"}
    assert lint(DOCKERFILE, files=files, rule="NG904").findings == []


def test_an_env_file_with_a_private_key_among_public_ones_is_sensitive(lint):
    files = {".dockerignore": "node_modules\n.git\n.npmrc\nnpm-debug.log\n.env\n",
             ".env.production": "VITE_API_URL=https://api.example.com\nSTRIPE_SECRET=sk_live_abc\n"}
    assert len(lint(DOCKERFILE, files=files, rule="NG904").findings) == 1

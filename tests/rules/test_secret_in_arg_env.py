"""NG801 secret-in-arg-env: secret-looking ARG/ENV names in the shipped image's lineage."""
import pytest

from nodeguard.node.packages import is_secret_name


@pytest.mark.parametrize("name", ["NPM_TOKEN", "NODE_AUTH_TOKEN", "DB_PASSWORD", "api_key", "SECRET", "AUTH",
                                  "GITHUB_TOKEN", "AWS_ACCESS_KEY_ID", "AZURE_CLIENT_ID", "NPM_CONFIG__AUTH",
                                  "VITE_GITHUB_TOKEN", "MAXMIND_APIKEY", "AWS_SECRET_ACCESS_KEY"])
def test_secret_names_match_buildkit_and_trivy(name):
    assert is_secret_name(name)


@pytest.mark.parametrize("name", ["NODE_ENV", "NEXT_PUBLIC_API_KEY", "KEY_FILE", "TOKEN_VERSION", "TOKENIZER",
                                  "MONKEY", "PORT", "NEXTAUTH_URL"])
def test_other_names_do_not_match(name):
    assert not is_secret_name(name)


def test_arg_in_final_stage_is_reported_with_the_mount_form(lint):
    linted = lint("FROM node:22-alpine\nARG NPM_TOKEN\nRUN npm ci\n", rule="NG801")
    [finding] = linted.findings
    assert finding.line == 2 and finding.severity.label == "error"
    assert "build argument `NPM_TOKEN`" in finding.message and "docker history" in finding.message
    assert "RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci" in finding.message


def test_env_with_a_literal_value_says_it_is_baked_into_the_config(lint):
    linted = lint("FROM node:22-alpine\nENV API_KEY=abc123\n", rule="NG801")
    [finding] = linted.findings
    assert "bakes a literal secret into the image config" in finding.message and "docker inspect" in finding.message


def test_env_copied_from_an_arg_is_one_finding_on_the_env(lint):
    # One secret, one finding: the ENV (which puts it into the config) names the ARG it comes from.
    linted = lint("FROM node:22-alpine\nARG NPM_TOKEN\nENV NPM_TOKEN $NPM_TOKEN\n", rule="NG801")
    [finding] = linted.findings
    assert finding.line == 3 and "copies a secret into the image config" in finding.message
    assert "comes from build argument `NPM_TOKEN`, which is not reported again" in finding.message


def test_an_arg_copied_into_an_env_of_another_name_is_still_one_finding(lint):
    text = "FROM node:22-alpine\nARG DB_PASSWORD=hunter2\nENV DATABASE_PASSWORD=${DB_PASSWORD}\nRUN npm ci\n"
    [finding] = lint(text, rule="NG801").findings
    assert finding.line == 3 and "build argument `DB_PASSWORD` (its default value is written in the Dockerfile)" in finding.message


def test_an_arg_an_env_does_not_copy_is_reported_on_its_own(lint):
    text = "FROM node:22-alpine\nARG NPM_TOKEN\nARG API_KEY\nENV API_KEY=$API_KEY\nRUN npm ci\n"
    assert [f.line for f in lint(text, rule="NG801").findings] == [2, 4]


def test_arg_default_value_is_mentioned(lint):
    [finding] = lint("FROM node:22-alpine\nARG DB_PASSWORD=hunter2\n", rule="NG801").findings
    assert "default value is written in the Dockerfile" in finding.message


def test_every_name_of_one_instruction_counts(lint):
    linted = lint("FROM node:22-alpine\nENV A=1 GITHUB_TOKEN=x NEXT_PUBLIC_KEY=y\n", rule="NG801")
    assert len(linted.findings) == 1 and "GITHUB_TOKEN" in linted.findings[0].message


def test_parent_stage_of_the_final_stage_counts(lint):
    text = "FROM node:22-alpine AS base\nARG NPM_TOKEN\nFROM base\nCMD [\"node\", \"a.js\"]\n"
    assert [f.line for f in lint(text, rule="NG801").findings] == [2]


def test_build_stage_that_is_only_copied_from_is_fine(lint):
    text = ("FROM node:22 AS build\nARG NPM_TOKEN\nENV SECRET=x\nRUN npm ci\n"
            "FROM node:22-alpine\nCOPY --from=build /app /app\n")
    assert lint(text, rule="NG801").findings == []


@pytest.mark.parametrize("line", ["ENV OPENAI_API_KEY=\"\"", "ENV TYPEORM_PASSWORD=", "ARG NODE_VERSION=22",
                                  "ENV NEXT_PUBLIC_STRIPE_KEY=pk_live", "ARG SSH_KEY_FILE=/run/key"])
def test_placeholders_and_harmless_names_are_fine(lint, line):
    assert lint(f"FROM node:22-alpine\n{line}\n", rule="NG801").findings == []


@pytest.mark.parametrize("line", [
    "ENV AUTH_PROVIDERS='credentials'",
    "ENV AUTH_PROVIDERS=credentials,github,google",
    "ENV AUTH_TYPE oidc",
    "ENV TOKEN_TTL=3600",
    "ENV ENABLE_AUTH=true",
    "ENV JWT_SECRET_EXPIRES_IN=7d",
    "ENV SESSION_SECRET_ROTATION=1h30m",
    "ENV AUTH_URL=https://id.example.com/realms/app",
    "ENV PASSWORD_MIN_LENGTH=12",
])
def test_configuration_values_of_secret_sounding_names_are_fine(lint, line):
    assert lint(f"FROM node:22-alpine\n{line}\n", rule="NG801").findings == []


@pytest.mark.parametrize("line", [
    "ENV POSTGRES_PASSWORD=postgres",  # a password is a password, whatever it looks like
    "ENV API_KEY=abc123",
    "ENV NPM_TOKEN 1234",  # the cheat sheet's own example
    "ENV AUTH_SECRET=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "ENV NPM_TOKEN=npm_AbCdEf0123456789AbCdEf0123456789abcd",
    "ENV AUTH_URL=https://admin:hunter2@id.example.com/",
    "ENV AUTH_WEBHOOK=https://hooks.example.com/x?token=abc",
    "ENV AUTH_PROVIDERS=$PROVIDERS_FROM_BUILD",  # any value from a build argument
])
def test_credential_looking_literals_and_build_arguments_are_reported(lint, line):
    assert len(lint(f"FROM node:22-alpine\nARG PROVIDERS_FROM_BUILD\n{line}\n", rule="NG801").findings) == 1


def test_a_backtick_escape_file_reads_every_name_with_its_own_escape(lint):
    # With the backtick escape, `\` before the space is an ordinary character, so the ENV sets two names;
    # read with `\` as the escape it would set one (DIR to "C:\ API_TOKEN=…").
    findings = lint("# escape=`\nFROM node:22-alpine\nENV DIR=C:\\ API_TOKEN=s3cr3t-Value-0f-a-t0ken\n",
                    rule="NG801").findings
    assert [f.line for f in findings] == [3] and "API_TOKEN" in findings[0].message


def test_the_mount_form_names_the_command_that_reads_the_secret(lint):
    # sample 088: a MaxMind licence key read by curl, not by an install
    text = ('FROM node:20\nARG MAXMIND_APIKEY\nRUN npm ci\n'
            'RUN curl -sfSL "https://example.com/db?license_key=${MAXMIND_APIKEY}" | tar -xz && mv db /db\n')
    [finding] = lint(text, rule="NG801").findings
    assert "`curl` on line 4 reads it" in finding.message, finding.message
    assert "`RUN --mount=type=secret,id=maxmind_apikey,env=MAXMIND_APIKEY curl …`" in finding.message
    assert "npm ci`" not in finding.message


def test_every_run_that_reads_the_secret_is_named(lint):
    text = ("FROM node:22\nENV API_KEY=$KEY\nARG KEY\nRUN wget -q --header \"X-Key: $API_KEY\" https://a/b\n"
            "RUN API_KEY=$API_KEY ./fetch.sh\n")
    [finding] = lint(text, rule="NG801").findings
    assert "`wget` on line 4 and `./fetch.sh` on line 5 read it" in finding.message, finding.message


def test_without_a_reader_a_generic_mount_form_is_given(lint):
    [finding] = lint("FROM node:22-alpine\nARG MAXMIND_APIKEY\nRUN npm ci\n", rule="NG801").findings
    assert "`RUN --mount=type=secret,id=maxmind_apikey,env=MAXMIND_APIKEY <command>`" in finding.message
    assert "`env=` needs dockerfile 1.10" in finding.message and "/run/secrets/maxmind_apikey" in finding.message
    assert "npm ci`" not in finding.message


@pytest.mark.parametrize(("name", "command"), [("NPM_TOKEN", "npm ci"), ("NODE_AUTH_TOKEN", "npm ci"),
                                               ("YARN_NPM_AUTH_TOKEN", "yarn install --immutable")])
def test_npm_tokens_keep_the_install_form(lint, name, command):
    [finding] = lint(f"FROM node:22-alpine\nARG {name}\nRUN echo hi\n", rule="NG801").findings
    assert f"`RUN --mount=type=secret,id={name.lower()},env={name} {command}`" in finding.message

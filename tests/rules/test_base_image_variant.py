"""NG103 base-image-variant: the shipped image should build on a slim, alpine or distroless variant."""
import pytest

NOVEMBER_2026 = 'rules: {NG103: {options: {today: "2026-11-26"}}}\n'  # supported: 22, 24, 26
DIGEST = "sha256:b2da3316acdc2bec442190a1fe10dc094e7ba4121d029cb32075ff59bb27390a"


@pytest.mark.parametrize(
    ("base", "suggestion"),
    [
        ("node:22", "`node:22-slim`, `node:22-alpine` or `gcr.io/distroless/nodejs22-debian12`"),
        ("node:22-bookworm", "`node:22-bookworm-slim`, `node:22-alpine`"),
        ("node:lts", "`node:lts-slim`, `node:lts-alpine`"),
        ("node:jod-bullseye", "`node:jod-bullseye-slim`, `node:jod-alpine` or `gcr.io/distroless/nodejs22-debian12`"),
        ("node:16", "use `node:16-slim` or `node:16-alpine`"),  # no distroless image for a dead line
        ("node", "use `node:26-slim`, `node:26-alpine` or `gcr.io/distroless/nodejs26-debian12`"),
        ("node:22.11.0", "`node:22.11.0-slim`"),
        ("docker.io/library/node:current", "`node:current-slim`"),
        ("cimg/node:22.11", "`node:22-slim`, `node:22-alpine`"),
        ("registry.access.redhat.com/ubi9/nodejs-22", "the `registry.access.redhat.com/ubi9/nodejs-22-minimal` image"),
    ],
)
def test_full_images_in_the_final_stage_are_reported(lint, base, suggestion):
    [finding] = lint(f"FROM {base}\nCMD [\"node\", \"server.js\"]\n", policy=NOVEMBER_2026, rule="NG103").findings
    assert finding.line == 1
    assert f"builds on `{base}`, a full OS image" in finding.message
    assert suggestion in finding.message


@pytest.mark.parametrize(
    "base",
    [
        "node:22-slim",
        "node:22-bookworm-slim",
        "node:22-alpine",
        "node:lts-alpine3.20",
        "gcr.io/distroless/nodejs22-debian12",
        "gcr.io/distroless/nodejs22-debian12:nonroot",
        "cgr.dev/chainguard/node:latest",
        "node:6.9.2-nano",  # a tag nodeguard does not know: nothing to say
        "acme/runtime:1.0",  # an image nodeguard does not know
        "nginx:1.27",
        f"node@{DIGEST}",  # the tag cannot be read
        "node:${NODE_VERSION}",  # unresolved
        "scratch",
    ],
)
def test_small_unknown_and_unresolved_images_pass(lint, base):
    assert lint(f"FROM {base}\n", rule="NG103").findings == []


def test_build_stages_may_use_full_images(lint):
    dockerfile = "FROM node:22 AS build\nRUN npm ci\nFROM node:22-alpine\nCOPY --from=build /app /app\n"
    assert lint(dockerfile, rule="NG103").findings == []


def test_the_root_of_the_final_lineage_is_judged(lint):
    dockerfile = "FROM node:22-bookworm AS base\nWORKDIR /app\nFROM base\nCMD [\"node\", \"server.js\"]\n"
    [finding] = lint(dockerfile, rule="NG103").findings
    assert finding.line == 1


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("FROM node:22\n", "FROM node:22-slim\n"),
        ("FROM node:22-bookworm AS runtime\n", "FROM node:22-bookworm-slim AS runtime\n"),
        ("FROM --platform=linux/amd64 node:lts\n", "FROM --platform=linux/amd64 node:lts-slim\n"),
        ("ARG NODE_VERSION=22\nFROM node:${NODE_VERSION}\n", "ARG NODE_VERSION=22\nFROM node:${NODE_VERSION}-slim\n"),
    ],
)
def test_fix_moves_to_slim_of_the_same_debian(lint, before, after):
    texts, relinted = lint.fix(rule="NG103", dockerfile=before + "CMD [\"node\", \"server.js\"]\n")
    assert texts["Dockerfile"] == after + "CMD [\"node\", \"server.js\"]\n"
    assert relinted.of("NG103") == []


@pytest.mark.parametrize(
    "dockerfile",
    [
        f"FROM node:22@{DIGEST}\n",  # the digest would no longer match
        "FROM node\n",  # latest: no latest-slim tag
        "FROM node:22 AS base\nFROM base AS build\nRUN npm ci\nFROM base\n",  # build stages share the FROM
        "FROM node:22\nRUN curl -fsSL https://example.com/x.sh -o /x.sh\n",  # slim has no curl
        "FROM node:22\nHEALTHCHECK CMD curl -f http://localhost:3000/ || exit 1\n",
        'FROM node:22\nHEALTHCHECK CMD ["curl", "-f", "http://localhost:3000/"]\n',  # the exec form too
        "FROM registry.access.redhat.com/ubi9/nodejs-22\n",  # minimal changes dnf to microdnf
        "FROM cimg/node:22.11\n",
        "ARG BASE=node:22\nFROM ${BASE}\n",
    ],
)
def test_no_fix_when_the_switch_is_not_mechanical(lint, dockerfile):
    [finding] = lint(dockerfile, rule="NG103").findings
    assert finding.fix is None

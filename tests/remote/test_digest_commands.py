"""`nodeguard check --resolve-digests/--check-digests` and `nodeguard pin`, against a real registry on
127.0.0.1 set as the Docker Hub mirror in the policy. Run in-process, so the tests' loopback-only name
resolution also covers the fallback to Docker Hub itself."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from nodeguard.cli import main
from tests.remote.test_registry_lookup import LAYERS

OLD_DIGEST = "sha256:" + "0" * 64


@pytest.fixture(scope="module")
def node_tags(open_registry):
    return {
        tag: open_registry.push_index("library/node", tag, {**LAYERS, "linux/s390x": tag.encode()})
        for tag in ("24.11.1-alpine3.22", "22-bookworm-slim")
    }


@pytest.fixture
def repo(tmp_path, open_registry, monkeypatch):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".nodeguard.yml").write_text(f"registries:\n  docker.io:\n    mirror: {open_registry.url}\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "no-docker-config"))
    return tmp_path


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def ng102(report: str) -> list[dict]:
    return [f for f in json.loads(report)["findings"] if f["rule"] == "NG102"]


def test_check_offers_the_exact_pinned_line_with_resolve_digests(repo, capsys, node_tags):
    (repo / "Dockerfile").write_text("FROM node:24.11.1-alpine3.22 AS build\nFROM node:22-bookworm-slim\nCMD [\"node\", \"a.js\"]\n")
    code, out, err = run(capsys, "check", "--resolve-digests", "--format", "json", "Dockerfile")
    first, second = ng102(out)
    assert first["fix"] == {"line": 1, "end_line": 1, "applicability": "safe",
                            "replacement": f"FROM node:24.11.1-alpine3.22@{node_tags['24.11.1-alpine3.22']} AS build"}
    assert second["fix"]["replacement"] == f"FROM node:22-bookworm-slim@{node_tags['22-bookworm-slim']}"
    assert node_tags["24.11.1-alpine3.22"] in first["message"]
    assert "digests: 2 images looked up in 2 requests, 2 resolved" in err


def test_plain_check_never_asks_the_registry(repo, capsys, open_registry, node_tags):
    (repo / "Dockerfile").write_text("FROM node:24.11.1-alpine3.22\n")
    before = open_registry.manifest_requests()
    code, out, err = run(capsys, "check", "--format", "json", "Dockerfile")
    (finding,) = ng102(out)
    assert finding["fix"] is None and "docker buildx imagetools inspect" in finding["message"]
    assert open_registry.manifest_requests() == before and "digests" not in err


def test_a_stale_pin_is_info_with_the_new_digest(repo, capsys, node_tags):
    (repo / "Dockerfile").write_text(f"FROM node:22-bookworm-slim@{OLD_DIGEST}\n")
    code, out, _ = run(capsys, "check", "--check-digests", "--format", "json", "Dockerfile")
    (finding,) = ng102(out)
    assert finding["severity"] == "info"
    assert node_tags["22-bookworm-slim"] in finding["message"] and "rebuilt" in finding["message"]
    assert finding["fix"]["replacement"] == f"FROM node:22-bookworm-slim@{node_tags['22-bookworm-slim']}"
    assert finding["fix"]["applicability"] == "unsafe"  # a new image: offered, never applied by --fix
    current = f"FROM node:22-bookworm-slim@{node_tags['22-bookworm-slim']}\n"
    (repo / "Dockerfile").write_text(current)
    assert ng102(run(capsys, "check", "--check-digests", "--format", "json", "Dockerfile")[1]) == []


def test_an_unreachable_registry_keeps_the_manual_instruction_and_says_why(tmp_path, capsys, monkeypatch, unused_port):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".nodeguard.yml").write_text(f"registries:\n  docker.io:\n    mirror: http://127.0.0.1:{unused_port}\n")
    (tmp_path / "Dockerfile").write_text("FROM node:24-alpine\nUSER node\nCMD [\"node\", \"a.js\"]\n")
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "check", "--resolve-digests", "--check-digests", "--format", "json", "Dockerfile")
    (finding,) = ng102(out)
    assert finding["fix"] is None
    assert "docker buildx imagetools inspect node:24-alpine" in finding["message"]
    assert f"127.0.0.1:{unused_port} could not be reached: Connection refused" in finding["message"]
    assert "registry-1.docker.io could not be reached" in finding["message"]
    assert code == 0  # NG102 is a warning: the lookup failing changes nothing in the outcome
    assert "0 resolved" in err and "NG102 keeps the manual instruction" in err


def test_pin_rewrites_from_lines_keeping_tags_flags_names_and_line_endings(repo, capsys, node_tags):
    text = ("# syntax=docker/dockerfile:1\r\nFROM --platform=$BUILDPLATFORM node:24.11.1-alpine3.22 AS build\r\n"
            "RUN echo hi\r\nFROM node:22-bookworm-slim\r\nCOPY --from=build /a /a\r\n")
    (repo / "Dockerfile").write_bytes(text.encode())
    code, out, err = run(capsys, "pin")
    assert code == 0
    assert (repo / "Dockerfile").read_bytes().decode() == (
        "# syntax=docker/dockerfile:1\r\n"
        f"FROM --platform=$BUILDPLATFORM node:24.11.1-alpine3.22@{node_tags['24.11.1-alpine3.22']} AS build\r\n"
        f"RUN echo hi\r\nFROM node:22-bookworm-slim@{node_tags['22-bookworm-slim']}\r\nCOPY --from=build /a /a\r\n"
    )
    assert "Dockerfile:2: pinned: FROM --platform" in err
    code, out, err = run(capsys, "pin")
    assert code == 0 and "every FROM image is pinned already" in err


def test_pin_dry_run_and_diff_write_nothing_and_exit_1_when_a_line_would_change(repo, capsys, node_tags):
    text = "FROM node:22-bookworm-slim\n"
    (repo / "Dockerfile").write_text(text)
    code, out, err = run(capsys, "pin", "--dry-run")
    assert code == 1  # as check --diff: a workflow can require every image pinned
    assert out == "" and f"Dockerfile:1: would pin: FROM node:22-bookworm-slim@{node_tags['22-bookworm-slim']}" in err
    code, out, err = run(capsys, "pin", "--diff", ".")
    assert code == 1
    assert out.splitlines() == ["--- a/Dockerfile", "+++ b/Dockerfile", "@@ -1 +1 @@", "-FROM node:22-bookworm-slim",
                                f"+FROM node:22-bookworm-slim@{node_tags['22-bookworm-slim']}"]
    assert (repo / "Dockerfile").read_text() == text
    (repo / "Dockerfile").write_text(f"FROM node:22-bookworm-slim@{node_tags['22-bookworm-slim']}\n")
    assert [run(capsys, "pin", flag)[0] for flag in ("--dry-run", "--diff")] == [0, 0]


def test_the_fix_hints_name_the_lookup_that_found_the_digest(repo, capsys, node_tags):
    """`nodeguard check --fix` alone cannot pin: the digest is known only with --resolve-digests."""
    (repo / "Dockerfile").write_text("FROM node:22-bookworm-slim\nUSER node\nCMD [\"node\", \"a.js\"]\n")
    code, out, err = run(capsys, "check", "--resolve-digests", "--select", "NG102", "Dockerfile")
    assert "(fixable: run nodeguard check --resolve-digests --fix)" in out
    assert out.endswith("1 fixable with `nodeguard check --resolve-digests --fix`\n")
    code, out, err = run(capsys, "check", "--resolve-digests", "--format", "github", "--select", "NG102", "Dockerfile")
    assert "(fixable: run nodeguard check --resolve-digests --fix)" in out


def test_pin_update_moves_a_stale_digest_and_leaves_what_it_cannot_pin(repo, capsys, node_tags):
    (repo / "Dockerfile").write_text(
        f"ARG V=22\nFROM node:${{V}}-bookworm-slim AS deps\nFROM node:22-bookworm-slim@{OLD_DIGEST}\n"
        "FROM node:99-missing\n"
    )
    code, out, err = run(capsys, "pin", "--update")
    lines = (repo / "Dockerfile").read_text().splitlines()
    assert lines[1] == "FROM node:${V}-bookworm-slim AS deps"
    assert lines[2] == f"FROM node:22-bookworm-slim@{node_tags['22-bookworm-slim']}"
    assert lines[3] == "FROM node:99-missing"
    assert code == 1
    assert ("line 2: `node:${V}-bookworm-slim` is written through a build argument, so the digest goes in the "
            f"argument; not pinned: write `ARG V=22-bookworm-slim@{node_tags['22-bookworm-slim']}` with "
            "`FROM node:${V}`") in err
    assert "line 4: `node:99-missing`: no digest (" in err and "404" in err


def test_pin_says_what_check_says_of_an_image_a_build_argument_holds(repo, capsys, node_tags):
    (repo / "Dockerfile").write_text("ARG BASE=node:99-missing\nFROM ${BASE}\n")
    code, out, err = run(capsys, "check", "--resolve-digests", "--format", "json", "--select", "NG102", "Dockerfile")
    (finding,) = ng102(out)
    code, out, err = run(capsys, "pin", "--dry-run")
    assert code == 1
    assert ("line 2: `${BASE}` is written through a build argument, so the digest goes in the argument; "
            "no digest for `node:99-missing`, `BASE`'s default (") in err
    assert "404" in err and "404" in finding["message"]
    assert "not written literally" not in err
    (repo / "Dockerfile").write_text("ARG BASE\nFROM ${BASE}\n")
    code, out, err = run(capsys, "pin", "--dry-run")
    assert code == 1
    assert ("line 2: `${BASE}` depends on a build argument without a default (`BASE`): the image is chosen "
            "when it is built; not pinned") in err


def test_pin_leaves_files_it_cannot_rewrite_safely_and_says_why(repo, capsys, node_tags):
    cr_only = b"FROM node:22-bookworm-slim\rUSER node\r"
    not_utf8 = b"# caf\xe9\nFROM node:22-bookworm-slim\n"
    (repo / "Dockerfile").write_bytes(cr_only)
    (repo / "b.Dockerfile").write_bytes(not_utf8)
    code, out, err = run(capsys, "pin")
    assert code == 1
    assert (repo / "Dockerfile").read_bytes() == cr_only and (repo / "b.Dockerfile").read_bytes() == not_utf8
    assert err.count("keep it from being rewritten safely") == 2


def test_check_fix_with_resolve_digests_pins_the_line(repo, capsys, node_tags):
    (repo / "Dockerfile").write_text("FROM node:22-bookworm-slim\nUSER node\n")
    run(capsys, "check", "--fix", "--resolve-digests", "Dockerfile")
    assert (repo / "Dockerfile").read_text().splitlines()[0] == f"FROM node:22-bookworm-slim@{node_tags['22-bookworm-slim']}"


@pytest.fixture
def unused_port():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]

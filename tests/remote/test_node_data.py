"""Node.js release data that stays current: the published schedule.json and index.json, served here by an
HTTP server on 127.0.0.1, read by `check --refresh-data` and the action, with the bundled copy as the
fallback; `--version` names the bundled data's date; the maintainer command rewrites the bundled copy."""
from __future__ import annotations

import http.server
import json
import os
import socket
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import pytest

from nodeguard.node import releases
from nodeguard.remote import node_data, node_image_tags
from tests.github.conftest import github  # noqa: F401 - the fake GitHub fixture
from tests.github.scenarios import pull_request_event, run_action, workspace_for

REPO_ROOT = Path(__file__).resolve().parents[2]
BUNDLED = json.loads((releases.DATA / "node-release-schedule.json").read_text())
# The published schedule, a day after a (made-up) decision to end Node.js 24 early: what the bundled
# copy cannot know.
PUBLISHED = {**BUNDLED, "v24": {**BUNDLED["v24"], "end": "2026-06-01"}}
INDEX = [
    {"version": "v99.0.0", "date": "2026-11-20", "lts": False},
    {"version": "v24.11.1", "date": "2026-11-11", "lts": "Krypton"},
    {"version": "v24.9.0", "date": "2026-10-01", "lts": "Krypton"},
    {"version": "v22.21.0", "date": "2026-10-20", "lts": "Jod"},
]


class NodeSite:
    """schedule.json and index.json on 127.0.0.1; ``bodies`` can be changed by a test."""

    def __init__(self):
        self.bodies = {"/schedule.json": json.dumps(PUBLISHED).encode(), "/dist/index.json": json.dumps(INDEX).encode()}
        self.requests: list[str] = []
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                site.requests.append(self.path)
                body = site.bodies.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def env(self) -> dict[str, str]:
        """The site's files, and no registry for the image's tags (a closed port: never Docker Hub)."""
        return {node_data.SCHEDULE_URL_VARIABLE: f"{self.url}/schedule.json",
                node_data.INDEX_URL_VARIABLE: f"{self.url}/dist/index.json",
                node_image_tags.REGISTRY_VARIABLE: f"127.0.0.1:{closed_port()}"}


@pytest.fixture
def site():
    served = NodeSite()
    yield served
    served.httpd.shutdown()
    served.httpd.server_close()


@pytest.fixture
def bundled_again():
    """Tests that refresh in this process put the bundled schedule back afterwards."""
    yield
    releases._schedule_in_force = releases._taken_in_force = releases._newest_in_force = None
    releases.release_lines.cache_clear()
    releases.codenames.cache_clear()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cli(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environment = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(REPO_ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "nodeguard", *args], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=60)


def test_a_refresh_judges_the_run_by_the_published_schedule(site, bundled_again):
    assert releases.line_status(24, date(2026, 11, 30)).is_lts
    note = node_data.refresh_for_run(date(2026, 11, 30), site.env)
    assert note == ("release data: refreshed on 2026-11-30 from the published schedule and index; "
                    "Node.js 99 has releases but no schedule entry yet")
    assert releases.line_status(24, date(2026, 11, 30)).is_end_of_life
    assert releases.data_date() == "2026-11-30"
    assert site.requests == ["/schedule.json", "/dist/index.json"]


@pytest.mark.parametrize(
    ("path", "body", "why"),
    [
        ("/schedule.json", b"<html>maintenance</html>", "schedule.json: not JSON"),
        ("/schedule.json", b'{"v24": {"start": "2025-05-06"}}', "schedule.json: the schedule has an entry nodeguard cannot read"),
        ("/dist/index.json", b'{"releases": []}', "index.json is not a list of releases"),
    ],
)
def test_published_data_that_is_not_what_it_should_be_leaves_the_bundled_copy(site, bundled_again, path, body, why):
    site.bodies[path] = body
    note = node_data.refresh_for_run(date(2026, 11, 30), site.env)
    assert why in note and note.endswith(f"the bundled copy of {releases.data_date()} is used")
    assert releases.line_status(24, date(2026, 11, 30)).is_lts


def test_an_unreachable_site_leaves_the_bundled_copy(bundled_again):
    port = closed_port()
    env = {node_data.SCHEDULE_URL_VARIABLE: f"http://127.0.0.1:{port}/schedule.json",
           node_data.INDEX_URL_VARIABLE: f"http://127.0.0.1:{port}/index.json"}
    note = node_data.refresh_for_run(date(2026, 11, 30), env)
    assert note == (f"release data: not refreshed (http://127.0.0.1:{port}/schedule.json: ConnectionError); "
                    "the bundled copy of 2026-11-26 is used")


def test_check_uses_the_bundled_copy_unless_refresh_data_is_given(site, tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "Dockerfile").write_text('FROM node:24-alpine\nUSER node\nCMD ["node", "a.js"]\n')
    bundled = cli(["check", "--format", "json", "Dockerfile"], tmp_path, site.env)
    assert "NG701" not in {f["rule"] for f in json.loads(bundled.stdout)["findings"]}
    assert site.requests == []
    refreshed = cli(["check", "--refresh-data", "--format", "json", "Dockerfile"], tmp_path, site.env)
    (eol,) = [f for f in json.loads(refreshed.stdout)["findings"] if f["rule"] == "NG701"]
    assert "end-of-life since 2026-06-01" in eol["message"]
    assert "nodeguard: release data: refreshed on" in refreshed.stderr


def test_version_names_the_date_of_the_bundled_data(tmp_path):
    done = cli(["--version"], tmp_path)
    assert done.stdout.strip().endswith("(Node.js release data of 2026-11-26)")


def test_the_maintainer_command_rewrites_the_bundled_copy(site, tmp_path, monkeypatch, open_registry):
    open_registry.push_tags("library/node", ["24.11.1", "24.11.1-alpine"])
    for name, value in {**site.env, node_image_tags.REGISTRY_VARIABLE: open_registry.host}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(releases, "DATA", tmp_path)
    before = date.today().isoformat()
    assert node_data.main(["--write"]) == 0
    assert json.loads((tmp_path / "node-release-schedule.json").read_text()) == PUBLISHED
    meta = json.loads((tmp_path / "node-release-data.json").read_text())
    assert meta["taken"] in {before, date.today().isoformat()}  # the run may cross midnight
    assert meta["newest"] == {"22": "22.21.0", "24": "24.11.1", "99": "99.0.0"}
    assert meta["lts"] == {"22": "Jod", "24": "Krypton"}


def test_the_action_refreshes_once_per_run(github, tmp_path, site):
    files = {"Dockerfile": b'FROM node:24-alpine\nUSER node\nCMD ["node", "a.js"]\n'}
    fake = github({"Dockerfile": b"FROM node:22-alpine\n"}, files)
    workspace = workspace_for(tmp_path, files)
    result = run_action(fake, workspace, pull_request_event(fake), inputs={"refresh-data": "true"}, env=site.env)
    assert site.requests == ["/schedule.json", "/dist/index.json"]
    assert "release data: refreshed on" in result.step_summary
    assert "NG701" in result.step_summary and "end-of-life since 2026-06-01" in result.step_summary


def test_a_refresh_names_the_newest_release_of_the_lts_line_where_a_version_is_suggested(lint, site, bundled_again):
    policy = "rules:\n  NG101: {options: {today: '2026-11-30'}}\n"
    before = lint("FROM node:alpine\n", policy=policy, rule="NG101")
    assert "`node:<version>-alpine`" in before.findings[0].message
    site.bodies["/dist/index.json"] = json.dumps(
        [{"version": "v26.3.0", "date": "2026-11-24", "lts": "Lithium"}, *INDEX]).encode()
    node_data.refresh_for_run(date(2026, 11, 30), site.env)
    assert releases.newest_release(26) == "26.3.0" and releases.newest_release(24) == "24.11.1"
    after = lint("FROM node:alpine\n", policy=policy, rule="NG101")
    assert "`node:26.3.0-alpine`" in after.findings[0].message

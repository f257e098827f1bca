"""Node.js release data as the Node.js project publishes it: the Release working group's ``schedule.json``
(start, LTS, maintenance and end-of-life dates per line) and ``index.json`` (every release, with its LTS
codename). ``check --refresh-data`` and the action read them once per run, with a short timeout, and
fall back to the bundled copy; ``python -m nodeguard.remote.node_data --write`` refreshes the bundled
copy for a release, with the official image's tags per line (``nodeguard.remote.node_image_tags``).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import requests

from nodeguard.node import releases
from nodeguard.remote import node_image_tags

SCHEDULE_URL = "https://raw.githubusercontent.com/nodejs/Release/main/schedule.json"
INDEX_URL = "https://nodejs.org/dist/index.json"
# Where the two files are read from; tests point these at a server on this machine.
SCHEDULE_URL_VARIABLE, INDEX_URL_VARIABLE = "NODEGUARD_NODE_SCHEDULE_URL", "NODEGUARD_NODE_INDEX_URL"
TIMEOUT_SECONDS = 5.0
MAX_BYTES = 16 * 1024 * 1024
_VERSION = re.compile(r"v(\d+)\.(\d+)\.(\d+)")


class DataUnavailable(Exception):
    """The published data could not be read or is not what it should be; ``str()`` says why."""


@dataclass(frozen=True)
class ReleaseData:
    schedule: dict  # the Release working group's format, as published
    newest: dict[str, str]  # major -> its newest release ("24" -> "24.11.1")
    lts: dict[str, str]  # major -> its LTS codename, for lines with LTS releases

    def unscheduled(self) -> list[int]:
        """Lines that have releases but no entry in the schedule (a schedule not updated yet)."""
        scheduled = releases.parse_schedule(self.schedule)
        return sorted(int(major) for major in self.newest if int(major) not in scheduled)


def urls(environ: Mapping[str, str]) -> tuple[str, str]:
    return environ.get(SCHEDULE_URL_VARIABLE) or SCHEDULE_URL, environ.get(INDEX_URL_VARIABLE) or INDEX_URL


def _get_json(session: requests.Session, url: str, timeout: float):
    try:
        with session.get(url, timeout=timeout, stream=True) as response:
            response.raise_for_status()
            body = response.raw.read(MAX_BYTES + 1, decode_content=True)
    except requests.RequestException as error:
        raise DataUnavailable(f"{url}: {type(error).__name__}") from None
    if len(body) > MAX_BYTES:
        raise DataUnavailable(f"{url}: larger than {MAX_BYTES // (1024 * 1024)} MiB")
    try:
        return json.loads(body)
    except ValueError:
        raise DataUnavailable(f"{url}: not JSON") from None


def index_summary(index: object) -> tuple[dict[str, str], dict[str, str]]:
    """The newest release and the LTS codename of each line in ``index.json``."""
    if not isinstance(index, list):
        raise DataUnavailable("index.json is not a list of releases")
    newest: dict[str, tuple[int, int, int]] = {}
    lts: dict[str, str] = {}
    for entry in index:
        found = _VERSION.fullmatch(entry.get("version", "")) if isinstance(entry, dict) else None
        if found is None:
            continue
        major_part, minor_part, patch_part = (int(part) for part in found.groups())
        number = (major_part, minor_part, patch_part)
        major = str(number[0])
        newest[major] = max(newest.get(major, number), number)
        if isinstance(entry.get("lts"), str) and entry["lts"]:
            lts[major] = entry["lts"]
    if not newest:
        raise DataUnavailable("index.json lists no release")
    return {major: ".".join(map(str, number)) for major, number in newest.items()}, lts


def fetch(schedule_url: str = SCHEDULE_URL, index_url: str = INDEX_URL, timeout: float = TIMEOUT_SECONDS) -> ReleaseData:
    """Both files, checked: one GET each, no retry (a run must not wait on them)."""
    with requests.Session() as session:
        session.headers["User-Agent"] = "nodeguard (release data)"
        schedule = _get_json(session, schedule_url, timeout)
        try:
            releases.parse_schedule(schedule)
        except ValueError as error:
            raise DataUnavailable(f"{schedule_url}: {error}") from None
        newest, lts = index_summary(_get_json(session, index_url, timeout))
    return ReleaseData(schedule, newest, lts)


def refresh_for_run(today: date, environ: Mapping[str, str] | None = None, timeout: float = TIMEOUT_SECONDS) -> str:
    """Judge this run by the published data when it can be read; a note saying which data is in force."""
    schedule_url, index_url = urls(os.environ if environ is None else environ)
    try:
        data = fetch(schedule_url, index_url, timeout)
    except DataUnavailable as error:
        return f"release data: not refreshed ({error}); the bundled copy of {releases.data_date()} is used"
    releases.use_schedule(data.schedule, today.isoformat(), data.newest)
    note = f"release data: refreshed on {today.isoformat()} from the published schedule and index"
    unscheduled = data.unscheduled()
    if unscheduled:
        note += f"; Node.js {', '.join(map(str, unscheduled))} has releases but no schedule entry yet"
    return note


def refresh_all_for_run(environ: Mapping[str, str] | None = None) -> list[str]:
    """The run's refresh (``check --refresh-data``, the action): the release data, then the image's tags."""
    environ = os.environ if environ is None else environ
    return [refresh_for_run(date.today(), environ), node_image_tags.refresh_for_run(environ)]


def write_bundled(data: ReleaseData, folder: Path, taken: date) -> None:
    """The maintainer's refresh: the schedule as published, and what was read when."""
    (folder / "node-release-schedule.json").write_text(json.dumps(data.schedule, indent=2) + "\n", encoding="utf-8")
    meta = {"taken": taken.isoformat(), "schedule": SCHEDULE_URL, "index": INDEX_URL,
            "newest": dict(sorted(data.newest.items(), key=lambda item: int(item[0]))),
            "lts": dict(sorted(data.lts.items(), key=lambda item: int(item[0])))}
    (folder / "node-release-data.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nodeguard.remote.node_data",
                                     description="Refresh nodeguard's bundled Node.js release data and the "
                                                 "official node image's tags per line (for a release).")
    parser.add_argument("--write", action="store_true", help="write the bundled files (default: only check)")
    args = parser.parse_args(argv)
    schedule_url, index_url = urls(os.environ)
    try:
        data = fetch(schedule_url, index_url, timeout=30)
        tag_lines, listed = node_image_tags.fetch(os.environ, timeout=30, attempts=3)
    except (DataUnavailable, node_image_tags.TagsUnavailable) as error:
        print(f"node data: {error}", file=sys.stderr)
        return 1
    lines = releases.parse_schedule(data.schedule)
    print(f"node data: {len(lines)} lines scheduled; newest releases: "
          + ", ".join(f"{data.newest[m]}" for m in sorted(data.newest, key=int, reverse=True)[:4]))
    if data.unscheduled():
        print(f"node data: releases without a schedule entry: {data.unscheduled()}", file=sys.stderr)
    print(f"node data: {node_image_tags.read_text(listed)}; the image's newest releases: "
          + ", ".join(tag_lines[m]["newest"] for m in sorted(tag_lines, key=int, reverse=True)[:4]))
    if args.write:
        taken = date.today()  # one day for both files, even across midnight
        write_bundled(data, releases.DATA, taken)
        node_image_tags.write_bundled(tag_lines, listed, releases.DATA, taken)
        print(f"node data: wrote {releases.DATA / 'node-release-schedule.json'}, node-release-data.json "
              "and node-image-tags.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())

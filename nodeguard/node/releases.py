"""The Node.js release schedule: which major lines are LTS, in maintenance or end-of-life on a given day.

The dates come from ``data/node-release-schedule.json`` (the Release working group's ``schedule.json``),
taken on the day ``data/node-release-data.json`` names. ``nodeguard check --refresh-data`` and the
action read the published schedule for the run instead (``use_schedule``); the maintainer command
``python -m nodeguard.remote.node_data --write`` refreshes the bundled copy for a release.
"""
from __future__ import annotations

import enum
import functools
import json
import re
from datetime import date
from pathlib import Path

from nodeguard.record import Record


class Phase(enum.Enum):
    UNRELEASED = "unreleased"
    CURRENT = "current"  # released, not (yet) LTS
    ACTIVE_LTS = "active-lts"
    MAINTENANCE_LTS = "maintenance-lts"
    MAINTENANCE = "maintenance"  # a non-LTS line in its short maintenance window before end-of-life
    END_OF_LIFE = "end-of-life"
    UNKNOWN = "unknown"  # the schedule does not know this major


class ReleaseLine(Record):
    """A Node.js release line and the dates of its phases."""

    major: int
    start: date | None  # first stable release; None when only an alpha date is known
    lts: date | None  # None for lines that never become LTS
    maintenance: date | None
    end: date
    codename: str | None

    def __init__(
        self,
        major: int,
        start: date | None,
        lts: date | None,
        maintenance: date | None,
        end: date,
        codename: str | None,
    ) -> None:
        self.__dict__.update(major=major, start=start, lts=lts, maintenance=maintenance, end=end, codename=codename)


class LineStatus(Record):
    """Where a release line stands on a given day."""

    major: int
    phase: Phase
    line: ReleaseLine | None  # None when the phase is UNKNOWN

    def __init__(self, major: int, phase: Phase, line: ReleaseLine | None) -> None:
        self.__dict__.update(major=major, phase=phase, line=line)

    @property
    def is_lts(self) -> bool:
        return self.phase in _LTS_PHASES

    @property
    def is_supported(self) -> bool:
        return self.phase in (Phase.CURRENT, Phase.ACTIVE_LTS, Phase.MAINTENANCE_LTS, Phase.MAINTENANCE)

    @property
    def is_end_of_life(self) -> bool:
        return self.phase is Phase.END_OF_LIFE


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _major_of_key(key: str) -> int:
    # "v0.10" and "v0.12" both become major 0: images name them "0.10"/"0.12", and every 0.x line is
    # long dead, so the line that ended last stands for all of them.
    return int(key.lstrip("v").split(".")[0])


DATA = Path(__file__).parent / "data"
_schedule_in_force: dict | None = None  # a schedule read for this run (--refresh-data, the action)
_taken_in_force: str | None = None
_newest_in_force: dict[str, str] | None = None  # major -> its newest release, read from index.json for this run


def parse_schedule(schedule: object) -> dict[int, ReleaseLine]:
    """The lines of a schedule in the Release working group's format; ValueError when it is not one."""
    if not isinstance(schedule, dict) or not schedule:
        raise ValueError("the schedule is not a JSON object of release lines")
    try:
        return _lines_of(schedule)
    except (AttributeError, KeyError, TypeError, ValueError) as error:
        raise ValueError(f"the schedule has an entry nodeguard cannot read ({error!r})") from None


def use_schedule(schedule: dict, taken: str, newest: dict[str, str] | None = None) -> None:
    """Judge by ``schedule`` (already checked with ``parse_schedule``) for the rest of this process, and
    name ``newest`` (major -> its newest release, from index.json) where a version is suggested."""
    global _schedule_in_force, _taken_in_force, _newest_in_force
    _schedule_in_force, _taken_in_force, _newest_in_force = schedule, taken, newest
    release_lines.cache_clear()
    codenames.cache_clear()


def newest_release(major: int) -> str | None:
    """The newest release of a line (``"24.11.1"``): from the data read for this run, else from the bundled
    copy when its maintainer refresh recorded one; None when neither knows it."""
    if _newest_in_force is not None:
        return _newest_in_force.get(str(major))
    newest = _bundled_data().get("newest") or {}
    return newest.get(str(major)) if isinstance(newest, dict) else None


def data_date() -> str:
    """The day the release data in force was taken: the bundled copy's, or the day of a refresh."""
    if _taken_in_force is not None:
        return _taken_in_force
    return _bundled_data()["taken"]


@functools.cache
def _bundled_data() -> dict:
    """The bundled copy's record of when and where its data was taken, read once per process."""
    return json.loads((DATA / "node-release-data.json").read_text("utf-8"))


@functools.cache
def release_lines() -> dict[int, ReleaseLine]:
    """Every major line of the schedule in force by major number."""
    if _schedule_in_force is not None:
        return _lines_of(_schedule_in_force)
    return _lines_of(json.loads((DATA / "node-release-schedule.json").read_text("utf-8")))


def _lines_of(schedule: dict) -> dict[int, ReleaseLine]:
    lines: dict[int, ReleaseLine] = {}
    for key, entry in schedule.items():
        line = ReleaseLine(
            major=_major_of_key(key),
            start=_date(entry.get("start")),
            lts=_date(entry.get("lts")),
            maintenance=_date(entry.get("maintenance")),
            end=date.fromisoformat(entry["end"]),
            codename=(entry.get("codename") or "").lower() or None,
        )
        known = lines.get(line.major)
        if known is None or line.end > known.end:
            lines[line.major] = line
    return lines


@functools.cache
def codenames() -> dict[str, int]:
    """LTS codenames (lower-case) to their major line: ``{"iron": 20, "jod": 22, ...}``."""
    return {line.codename: line.major for line in release_lines().values() if line.codename}


def line_status(major: int, today: date) -> LineStatus:
    line = release_lines().get(major)
    if line is None:
        return LineStatus(major, Phase.UNKNOWN, None)
    return LineStatus(major, _phase(line, today), line)


def lts_majors(today: date) -> list[int]:
    """The LTS lines (active or maintenance) on ``today``, newest first."""
    return sorted((major for major, line in release_lines().items() if _phase(line, today) in _LTS_PHASES), reverse=True)


_LTS_PHASES = (Phase.ACTIVE_LTS, Phase.MAINTENANCE_LTS)


def _phase(line: ReleaseLine, today: date) -> Phase:
    if line.start is None or today < line.start:
        return Phase.UNRELEASED
    if today >= line.end:
        return Phase.END_OF_LIFE
    if line.lts is not None and today >= line.lts:
        return Phase.MAINTENANCE_LTS if line.maintenance and today >= line.maintenance else Phase.ACTIVE_LTS
    if line.maintenance is not None and today >= line.maintenance:
        return Phase.MAINTENANCE
    return Phase.CURRENT


_NUMERIC_VERSION = re.compile(r"v?(\d+)(?:\.\d+){0,2}")
# version words of image tags whose Node.js major line changes over time (an LTS codename does not)
MOVING_VERSION_WORDS = frozenset({"latest", "current", "lts"})


def resolve_node_version(tag_version: str, today: date) -> int | None:
    """The major line a version word of an image tag means today, or None when it names none.

    ``22``, ``22.11``, ``22.11.0``, ``v22`` -> 22; an LTS codename (``iron``) -> its line; ``current`` and
    ``latest`` -> the newest released line; ``lts`` -> the newest line that has reached LTS and is not
    end-of-life (the line Docker's ``lts`` tags follow, also in the days between one line entering
    maintenance and the next becoming LTS).
    """
    word = tag_version.strip().lower()
    numeric = _NUMERIC_VERSION.fullmatch(word)
    if numeric:
        return int(numeric.group(1))
    if word in codenames():
        return codenames()[word]
    lines = release_lines().values()
    if word in ("current", "latest"):
        released = [line.major for line in lines if line.start is not None and line.start <= today]
        return max(released, default=None)
    if word == "lts":
        lts_lines = [line.major for line in lines if line.lts is not None and line.lts <= today < line.end]
        return max(lts_lines, default=None)
    return None

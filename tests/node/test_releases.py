from datetime import date

import pytest

from nodeguard.node.releases import Phase, codenames, line_status, release_lines, resolve_node_version


@pytest.mark.parametrize(
    ("major", "today", "phase"),
    [
        # Node 18: LTS 2022-10-25, maintenance 2023-10-18, end 2025-04-30
        (18, date(2022, 4, 18), Phase.UNRELEASED),
        (18, date(2022, 4, 19), Phase.CURRENT),
        (18, date(2022, 10, 24), Phase.CURRENT),
        (18, date(2022, 10, 25), Phase.ACTIVE_LTS),
        (18, date(2023, 10, 17), Phase.ACTIVE_LTS),
        (18, date(2023, 10, 18), Phase.MAINTENANCE_LTS),
        (18, date(2025, 4, 29), Phase.MAINTENANCE_LTS),
        (18, date(2025, 4, 30), Phase.END_OF_LIFE),
        # Node 20: end 2026-04-30
        (20, date(2026, 4, 29), Phase.MAINTENANCE_LTS),
        (20, date(2026, 4, 30), Phase.END_OF_LIFE),
        (22, date(2025, 6, 1), Phase.ACTIVE_LTS),
        (22, date(2025, 10, 21), Phase.MAINTENANCE_LTS),
        # odd lines: current, then a short non-LTS maintenance window, then end-of-life
        (23, date(2025, 1, 1), Phase.CURRENT),
        (23, date(2025, 4, 1), Phase.MAINTENANCE),
        (23, date(2025, 6, 1), Phase.END_OF_LIFE),
        (25, date(2026, 3, 31), Phase.CURRENT),
        (26, date(2026, 5, 4), Phase.UNRELEASED),
        (26, date(2026, 5, 5), Phase.CURRENT),
        # 27 has only an alpha before its start date: not released yet
        (27, date(2027, 1, 1), Phase.UNRELEASED),
        (0, date(2020, 1, 1), Phase.END_OF_LIFE),
        (14, date(2030, 1, 1), Phase.END_OF_LIFE),
        (99, date(2025, 1, 1), Phase.UNKNOWN),
        (2, date(2015, 6, 1), Phase.UNKNOWN),  # io.js years: not in the schedule
    ],
)
def test_line_status_phases(major, today, phase):
    assert line_status(major, today).phase is phase


def test_line_status_carries_the_dates():
    status = line_status(20, date(2024, 1, 1))
    assert status.line.lts == date(2023, 10, 24)
    assert status.line.maintenance == date(2024, 10, 22)
    assert status.line.end == date(2026, 4, 30)
    assert status.line.codename == "iron"
    assert status.is_lts and status.is_supported and not status.is_end_of_life


def test_status_properties_for_non_lts_and_dead_lines():
    odd = line_status(23, date(2025, 1, 1))
    assert odd.is_supported and not odd.is_lts
    dead = line_status(16, date(2024, 1, 1))
    assert dead.is_end_of_life and not dead.is_supported and not dead.is_lts
    unknown = line_status(99, date(2024, 1, 1))
    assert unknown.line is None and not unknown.is_supported and not unknown.is_end_of_life


def test_odd_lines_of_the_old_schedule_never_reach_lts():
    for line in release_lines().values():
        if line.major % 2 and line.major < 27:
            assert line.lts is None and line.codename is None
            for year in range(2015, 2027):
                assert not line_status(line.major, date(year, 6, 1)).is_lts


@pytest.mark.parametrize(
    ("word", "major"),
    [
        ("22", 22),
        ("22.11", 22),
        ("22.11.0", 22),
        ("v22", 22),
        ("V20.1.0", 20),
        ("0.12", 0),
        ("argon", 4),
        ("Boron", 6),
        ("CARBON", 8),
        ("hydrogen", 18),
        ("iron", 20),
        ("jod", 22),
        ("krypton", 24),
        ("lithium", 26),
    ],
)
def test_resolve_fixed_words(word, major):
    assert resolve_node_version(word, date(2025, 1, 1)) == major


@pytest.mark.parametrize(
    ("word", "today", "major"),
    [
        ("lts", date(2024, 6, 1), 20),  # 22 released in April but not LTS until 2024-10-29
        ("lts", date(2024, 10, 29), 22),
        ("lts", date(2025, 10, 24), 22),  # 22 in maintenance since 10-21, 24 not LTS before 10-28
        ("lts", date(2025, 10, 28), 24),
        ("current", date(2024, 6, 1), 22),
        ("current", date(2024, 10, 16), 23),
        ("latest", date(2025, 5, 6), 24),
        ("Latest", date(2026, 5, 5), 26),
    ],
)
def test_resolve_moving_words(word, today, major):
    assert resolve_node_version(word, today) == major


@pytest.mark.parametrize("word", ["", "alpine", "slim", "22.x", "stable", "nonroot", "22-alpine", "1.2.3.4"])
def test_resolve_rejects_other_words(word):
    assert resolve_node_version(word, date(2025, 1, 1)) is None


def test_resolve_before_any_release():
    assert resolve_node_version("latest", date(2000, 1, 1)) is None
    assert resolve_node_version("lts", date(2000, 1, 1)) is None


def test_codenames_come_from_the_schedule():
    names = codenames()
    assert names["iron"] == 20 and names["jod"] == 22
    assert "" not in names
    assert all(name == name.lower() for name in names)

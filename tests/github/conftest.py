"""The fake GitHub as a fixture: every fake started in a test is stopped after it, and a request body
that does not match GitHub's schema fails the test."""
from __future__ import annotations

import pytest

from tests.github.fakegithub import FakeGitHub
from tests.github.scenarios import TOKEN


@pytest.fixture
def github():
    started: list[FakeGitHub] = []

    def start(base_files, head_files, **options) -> FakeGitHub:
        fake = FakeGitHub(base_files, head_files, token=TOKEN, **options).__enter__()
        started.append(fake)
        return fake

    yield start
    for fake in started:
        fake.__exit__(None, None, None)
    assert [error for fake in started for error in fake.schema_errors] == []

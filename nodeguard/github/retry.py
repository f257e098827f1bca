"""nodeguard's own bounded retry around GitHub API calls.

PyGithub is built with ``retry=None``: its default retry never retries PATCH, does not back off on 5xx and
misses a 429 without ``Retry-After``. Here every call may be retried on 5xx, connection errors and rate
limits (primary: ``x-ratelimit-remaining: 0`` with ``x-ratelimit-reset``; secondary: ``retry-after`` or
GitHub's message), waiting what GitHub asks for, never more than ``max_total_wait`` seconds in all.
"""
from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import requests
from github.GithubException import GithubException

T = TypeVar("T")

# What a GitHub call raises when GitHub (or the way to it) fails, once PyGithub is built with retry=None.
# A body cut off on the way (a dropped connection mid-response) reaches PyGithub's json.loads as JSONDecodeError.
API_ERRORS = (GithubException, requests.exceptions.RequestException, json.JSONDecodeError)
SERVER_ERRORS = frozenset({500, 502, 503, 504})
SECONDARY_LIMIT_WAIT = 60.0  # GitHub: without retry-after, wait at least one minute
MAX_SINGLE_WAIT = 120.0  # a Retry-After is clamped to 0..this; one that is not a finite number counts as absent
SECONDARY_LIMIT_PHRASES = ("secondary rate limit", "retry your request again later", "wait a few minutes")


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    max_total_wait: float = 180.0  # seconds of waiting, summed over the retries of one call
    first_backoff: float = 2.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.time


def error_status(error: BaseException) -> int | None:
    return error.status if isinstance(error, GithubException) else None


def error_message(error: BaseException) -> str:
    """GitHub's own message for an API error, without headers or request details."""
    if isinstance(error, GithubException):
        data = error.data if isinstance(error.data, dict) else {}
        message = data.get("message") or error.message or ""
        return f"HTTP {error.status}{': ' + str(message) if message else ''}"
    if isinstance(error, requests.exceptions.RequestException):
        return f"connection problem ({type(error).__name__})"
    if isinstance(error, json.JSONDecodeError):
        return "a response that is not complete JSON"
    return type(error).__name__


def wait_before_retry(error: BaseException, attempt: int, now: float, first_backoff: float) -> float | None:
    """Seconds to wait before retrying after ``error`` (``attempt`` is 1 for the first failure), or None
    when retrying cannot help."""
    backoff = first_backoff * 2 ** (attempt - 1)
    if isinstance(error, (requests.exceptions.ConnectionError, requests.exceptions.Timeout, json.JSONDecodeError)):
        return backoff
    if not isinstance(error, GithubException):
        return None
    if error.status in SERVER_ERRORS:
        return backoff
    if error.status not in (403, 429):
        return None
    headers = {key.lower(): value for key, value in (error.headers or {}).items()}
    retry_after = _seconds(headers.get("retry-after"))
    if retry_after is not None:
        return min(max(retry_after, 0.0), MAX_SINGLE_WAIT)
    if headers.get("x-ratelimit-remaining") == "0":
        reset = _seconds(headers.get("x-ratelimit-reset"))
        return max(0.0, reset - now) + 1 if reset is not None else SECONDARY_LIMIT_WAIT
    if error.status == 429 or any(phrase in error_message(error).lower() for phrase in SECONDARY_LIMIT_PHRASES):
        return SECONDARY_LIMIT_WAIT * 2 ** (attempt - 1)
    return None


def _seconds(value: str | None) -> float | None:
    """A header's number of seconds; None unless it is a finite number (``nan``, ``inf`` and words are not)."""
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    return seconds if seconds is not None and math.isfinite(seconds) else None


def may_have_been_applied(error: BaseException) -> bool:
    """Whether a write that failed with ``error`` may still have reached GitHub and been applied: its
    answer was lost (a dropped connection, a timeout, a cut body) or GitHub failed on its side (5xx)."""
    if isinstance(error, GithubException):
        return error.status in SERVER_ERRORS
    return isinstance(error, (requests.exceptions.RequestException, json.JSONDecodeError))


def call_with_retry(
    call: Callable[[], T],
    policy: RetryPolicy,
    describe: str,
    notify: Callable[[str], None],
    already_done: Callable[[], T | None] | None = None,
) -> T:
    """``call()``, retried as GitHub allows; raises the last error when retrying cannot help or the time is up.

    A write is not retried blindly: when its answer was lost, ``already_done()`` looks for what it may
    have created, and what it finds is the result."""
    waited = 0.0
    attempt = 1
    while True:
        try:
            return call()
        except API_ERRORS as error:
            wait = wait_before_retry(error, attempt, policy.clock(), policy.first_backoff)
            if wait is None or attempt >= policy.max_attempts or waited + wait > policy.max_total_wait:
                raise
            notify(f"{describe}: {error_message(error)}; retrying in {wait:.0f} s")
            policy.sleep(wait)
            waited += wait
            attempt += 1
            if already_done is not None and may_have_been_applied(error):
                found = already_done()
                if found is not None:
                    notify(f"{describe}: the earlier attempt went through; not sent again")
                    return found

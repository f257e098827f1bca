"""The bounded retry and the review bisection, with an injected sleep and a scripted poster."""
from __future__ import annotations

import pytest
import requests
from github.GithubException import GithubException

from nodeguard.findings import Finding, Severity
from nodeguard.github.comments import InlineComment
from nodeguard.github.retry import RetryPolicy, call_with_retry, wait_before_retry
from nodeguard.github.review import post_review

NOW = 1_700_000_000.0


def api_error(status, message="x", **headers):
    return GithubException(status, {"message": message}, headers)


def test_waits_follow_what_github_asks_for():
    assert wait_before_retry(api_error(502), 1, NOW, 2.0) == 2.0
    assert wait_before_retry(api_error(500), 3, NOW, 2.0) == 8.0
    assert wait_before_retry(api_error(429, **{"Retry-After": "7"}), 1, NOW, 2.0) == 7.0
    reset = api_error(403, "API rate limit exceeded", **{"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(NOW) + 30)})
    assert wait_before_retry(reset, 1, NOW, 2.0) == 31.0
    primary_429 = api_error(429, "API rate limit exceeded", **{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(NOW) + 9)})
    assert wait_before_retry(primary_429, 1, NOW, 2.0) == 10.0
    assert wait_before_retry(api_error(429), 1, NOW, 2.0) == 60.0  # a 429 without retry-after
    secondary = api_error(403, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.")
    assert wait_before_retry(secondary, 2, NOW, 2.0) == 120.0
    assert wait_before_retry(requests.exceptions.ConnectionError(), 1, NOW, 2.0) == 2.0


def test_no_retry_for_what_retrying_cannot_fix():
    assert wait_before_retry(api_error(403, "Resource not accessible by integration"), 1, NOW, 2.0) is None
    assert wait_before_retry(api_error(422), 1, NOW, 2.0) is None
    assert wait_before_retry(api_error(404), 1, NOW, 2.0) is None
    assert wait_before_retry(ValueError(), 1, NOW, 2.0) is None


def scripted(*outcomes):
    calls = []

    def call():
        calls.append(1)
        outcome = outcomes[len(calls) - 1]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    return call, calls


def test_retries_then_succeeds_with_the_waits_slept_and_announced():
    slept, told = [], []
    call, calls = scripted(api_error(502), api_error(429, **{"retry-after": "3"}), "ok")
    policy = RetryPolicy(sleep=slept.append, clock=lambda: NOW)
    assert call_with_retry(call, policy, "posting", told.append) == "ok"
    assert slept == [2.0, 3.0] and len(calls) == 3
    assert told == ["posting: HTTP 502: x; retrying in 2 s", "posting: HTTP 429: x; retrying in 3 s"]


def test_gives_up_when_the_total_wait_would_pass_the_cap():
    slept = []
    call, calls = scripted(api_error(403, "limit", **{"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(NOW) + 3600)}))
    with pytest.raises(GithubException):
        call_with_retry(call, RetryPolicy(sleep=slept.append, clock=lambda: NOW), "x", lambda _: None)
    assert slept == [] and len(calls) == 1


def test_gives_up_after_max_attempts():
    slept = []
    call, calls = scripted(*[api_error(500)] * 3)
    with pytest.raises(GithubException):
        call_with_retry(call, RetryPolicy(max_attempts=3, sleep=slept.append), "x", lambda _: None)
    assert len(calls) == 3 and slept == [2.0, 4.0]


def comments(count):
    return [
        InlineComment(Finding("NG101", "n", 1, Severity.ERROR, "Dockerfile", line, line, "m"), line, line, f"b{line}", "f" * 20)
        for line in range(1, count + 1)
    ]


def poster(bad_lines, error=None):
    requests_made = []

    def post(batch):
        requests_made.append([c.line for c in batch])
        if error is not None:
            raise error
        if any(c.line in bad_lines for c in batch):
            raise api_error(422, "Unprocessable Entity")

    return post, requests_made


def test_one_request_when_github_takes_the_review():
    post, made = poster(set())
    outcome = post_review(post, comments(5))
    assert made == [[1, 2, 3, 4, 5]] and len(outcome.posted) == 5 and not outcome.refused


def test_bisection_isolates_the_refused_comments_and_posts_the_rest():
    post, made = poster({3, 7})
    outcome = post_review(post, comments(8))
    assert sorted(c.line for c in outcome.refused) == [3, 7]
    assert sorted(c.line for c in outcome.posted) == [1, 2, 4, 5, 6, 8]
    assert not outcome.not_posted and outcome.error is None
    assert made[0] == list(range(1, 9)) and len(made) <= 10


def test_budget_bounds_the_bisection():
    post, made = poster(set(range(1, 21)))
    outcome = post_review(post, comments(20), budget=5)
    assert len(made) == 5
    assert len(outcome.refused) + len(outcome.not_posted) == 20


def test_other_errors_stop_posting_and_keep_every_comment():
    post, made = poster(set(), error=api_error(403, "Resource not accessible by integration"))
    outcome = post_review(post, comments(3))
    assert len(made) == 1 and len(outcome.not_posted) == 3
    assert outcome.problem == "HTTP 403: Resource not accessible by integration"


def test_nothing_to_post_makes_no_request():
    post, made = poster(set())
    assert post_review(post, []).posted == [] and made == []


def test_a_truncated_json_body_is_retried_and_named_plainly():
    import json

    slept, told = [], []
    truncated = json.JSONDecodeError("Unterminated string", '{"id": "ab', 7)
    call, calls = scripted(truncated, "ok")
    assert call_with_retry(call, RetryPolicy(sleep=slept.append, clock=lambda: NOW), "listing", told.append) == "ok"
    assert slept == [2.0] and told == ["listing: a response that is not complete JSON; retrying in 2 s"]

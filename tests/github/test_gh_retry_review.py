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
    """A scripted GitHub for post_review: what was created (comment lines, event) and what was deleted."""
    requests_made, deleted = [], []

    def create(batch, event):
        requests_made.append(([c.line for c in batch], event))
        if error is not None:
            raise error
        if any(c.line in bad_lines for c in batch):
            raise GithubException(422, {"message": "Unprocessable Entity", "errors": ["Line could not be resolved"]}, {})
        return len(requests_made)

    return create, deleted.append, requests_made, deleted


def post(create, delete, count, event="COMMENT", budget=24, slept=None):
    return post_review(create, delete, comments(count), event, (slept if slept is not None else []).append, budget=budget)


def test_one_request_when_github_takes_the_review():
    create, delete, made, deleted = poster(set())
    outcome = post(create, delete, 5)
    assert made == [([1, 2, 3, 4, 5], "COMMENT")] and len(outcome.posted) == 5 and not outcome.refused


def test_bisection_probes_with_pending_reviews_and_ends_in_one_review():
    create, delete, made, deleted = poster({3, 7})
    outcome = post(create, delete, 8, event="REQUEST_CHANGES")
    assert sorted(c.line for c in outcome.refused) == [3, 7]
    assert sorted(c.line for c in outcome.posted) == [1, 2, 4, 5, 6, 8]
    assert not outcome.not_posted and outcome.error is None
    assert made[0] == (list(range(1, 9)), "REQUEST_CHANGES") and len(made) <= 12
    # Every probe is a pending review (no event), deleted when GitHub took it; one real review at the end.
    assert [event for _, event in made[1:-1]] == [None] * (len(made) - 2)
    assert sorted(made[-1][0]) == [1, 2, 4, 5, 6, 8] and made[-1][1] == "REQUEST_CHANGES"
    taken_probes = [index + 1 for index, (lines, event) in enumerate(made) if event is None and not {3, 7} & set(lines)]
    assert deleted == taken_probes


def test_budget_bounds_the_bisection():
    create, delete, made, deleted = poster(set(range(1, 21)))
    outcome = post(create, delete, 20, budget=5)
    assert len(made) <= 5
    assert len(outcome.refused) + len(outcome.not_posted) == 20 and outcome.posted == []


def test_other_errors_stop_posting_and_keep_every_comment():
    create, delete, made, deleted = poster(set(), error=api_error(403, "Resource not accessible by integration"))
    outcome = post(create, delete, 3)
    assert len(made) == 1 and len(outcome.not_posted) == 3
    assert outcome.problem == "HTTP 403: Resource not accessible by integration"


def test_a_422_that_is_not_about_lines_is_not_bisected():
    error = GithubException(422, {"message": "Validation Failed", "errors": [{"message": "Body is too long"}]}, {})
    create, delete, made, deleted = poster(set(), error=error)
    outcome = post(create, delete, 8)
    assert len(made) == 1 and len(outcome.not_posted) == 8 and deleted == []


def test_submitted_too_quickly_waits_once_and_retries_once():
    too_quickly = GithubException(422, {"message": "Validation Failed", "errors": [{"message": "was submitted too quickly"}]}, {})
    answers = [too_quickly, None]
    made, slept = [], []

    def create(batch, event):
        made.append(event)
        answer = answers.pop(0) if answers else too_quickly
        if answer is not None:
            raise answer

    outcome = post(create, lambda _: None, 3, slept=slept)
    assert made == ["COMMENT", "COMMENT"] and slept == [60.0] and len(outcome.posted) == 3
    answers[:] = [too_quickly, too_quickly]
    made.clear()
    outcome = post(create, lambda _: None, 3, slept=slept)
    assert made == ["COMMENT", "COMMENT"] and len(outcome.not_posted) == 3  # once only


def test_request_changes_on_the_accounts_own_pull_request_becomes_a_comment():
    own = GithubException(422, {"message": "Unprocessable Entity", "errors": ["Review Can not request changes on your own pull request"]}, {})
    made = []

    def create(batch, event):
        made.append(event)
        if event == "REQUEST_CHANGES":
            raise own

    outcome = post(create, lambda _: None, 2, event="REQUEST_CHANGES")
    assert made == ["REQUEST_CHANGES", "COMMENT"] and outcome.changed_event and len(outcome.posted) == 2


def test_nothing_to_post_makes_no_request():
    create, delete, made, deleted = poster(set())
    assert post(create, delete, 0).posted == [] and made == []


def test_a_truncated_json_body_is_retried_and_named_plainly():
    import json

    slept, told = [], []
    truncated = json.JSONDecodeError("Unterminated string", '{"id": "ab', 7)
    call, calls = scripted(truncated, "ok")
    assert call_with_retry(call, RetryPolicy(sleep=slept.append, clock=lambda: NOW), "listing", told.append) == "ok"
    assert slept == [2.0] and told == ["listing: a response that is not complete JSON; retrying in 2 s"]

"""Posting the review: one request holding every inline comment, and the way out of GitHub's all-or-nothing 422.

A review with one comment anchored outside the diff is refused whole (422), without saying which
comment. The comments are validated against the hunks before posting; if GitHub still refuses, the
comments are bisected: each half that GitHub takes is posted, each half it refuses is split again, until
the refused comments stand alone. Those go to the summary. A budget bounds the extra requests.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from nodeguard.github.comments import InlineComment
from nodeguard.github.retry import API_ERRORS, error_message, error_status

BISECT_REQUEST_BUDGET = 24


@dataclass
class ReviewOutcome:
    posted: list[InlineComment] = field(default_factory=list)
    refused: list[InlineComment] = field(default_factory=list)  # GitHub's 422, isolated
    not_posted: list[InlineComment] = field(default_factory=list)  # another error, or the budget ran out
    error: Exception | None = None

    @property
    def problem(self) -> str | None:
        return None if self.error is None else error_message(self.error)


class _Bisection:
    def __init__(self, post: Callable[[list[InlineComment]], None], budget: int):
        self.post = post
        self.budget = budget
        self.outcome = ReviewOutcome()

    def attempt(self, comments: list[InlineComment]) -> bool | None:
        """True when posted, False on a 422, None when posting must stop (error or budget)."""
        if self.outcome.error is not None or self.budget <= 0:
            self.outcome.not_posted.extend(comments)
            return None
        self.budget -= 1
        try:
            self.post(comments)
        except API_ERRORS as error:
            if error_status(error) == 422:
                return False
            self.outcome.error = error
            self.outcome.not_posted.extend(comments)
            return None
        self.outcome.posted.extend(comments)
        return True

    def isolate(self, refused: list[InlineComment]) -> None:
        """``refused`` was refused as a whole: find its bad comments, post the others."""
        if len(refused) == 1:
            self.outcome.refused.extend(refused)
            return
        middle = len(refused) // 2
        first, second = refused[:middle], refused[middle:]
        first_posted = self.attempt(first)
        if first_posted is False:
            self.isolate(first)
        # When the first half went through, the second holds a culprit: no need to try it whole.
        second_posted = False if first_posted else self.attempt(second)
        if second_posted is False:
            self.isolate(second)


def post_review(
    post: Callable[[list[InlineComment]], None],
    comments: Sequence[InlineComment],
    budget: int = BISECT_REQUEST_BUDGET,
) -> ReviewOutcome:
    """Post ``comments`` through ``post`` (one review per call); bisect on a 422."""
    bisection = _Bisection(post, budget)
    if comments and bisection.attempt(list(comments)) is False:
        bisection.isolate(list(comments))
    return bisection.outcome

"""Posting the review: one review holding every inline comment GitHub takes, whatever its 422s mean.

GitHub answers 422 for several reasons, and each is handled for what it is:

- a comment anchored outside the diff refuses the review whole, without saying which comment. The
  comments are then bisected with *pending* reviews (created without an event, then deleted), which
  GitHub validates the same way but which nobody sees; the comments it takes are then posted in **one**
  review. Bisecting with real reviews would leave several reviews with the same body (with
  ``REQUEST_CHANGES``, several change requests);
- "was submitted too quickly" (a secondary limit on creating content): wait, then retry once;
- "Can not request changes on your own pull request" (the token's account opened the pull request):
  post the review as a ``COMMENT``.

Any other 422 or error stops posting; the findings stay in the check run and the summary. A budget
bounds the extra requests.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from nodeguard.github.comments import InlineComment
from nodeguard.github.retry import API_ERRORS, SECONDARY_LIMIT_WAIT, error_message, error_status

BISECT_REQUEST_BUDGET = 24
REVIEW_MARK = "<!-- nodeguard:review run="  # + the run's id + " -->", at the end of the review's body
REVIEW_MARK_AT_END = re.compile(r"<!-- nodeguard:review run=[0-9A-Za-z_.-]+ -->\s*\Z")
ANCHOR_PHRASES = ("could not be resolved", "must be part of the", "diff hunk", "is outside the diff", "position")
TOO_QUICKLY = "submitted too quickly"
OWN_PULL_REQUEST = "can not request changes on your own pull request"

# create(comments, event): a review; event None leaves it pending. delete(review): drop a pending one.
Create = Callable[[list[InlineComment], str | None], Any]
Delete = Callable[[Any], None]


@dataclass
class ReviewOutcome:
    posted: list[InlineComment] = field(default_factory=list)
    refused: list[InlineComment] = field(default_factory=list)  # anchor errors, isolated
    not_posted: list[InlineComment] = field(default_factory=list)  # another error, or the budget ran out
    error: Exception | None = None
    changed_event: bool = False  # REQUEST_CHANGES was refused on the account's own pull request

    @property
    def problem(self) -> str | None:
        return None if self.error is None else error_message(self.error)


def refusal_text(error: BaseException) -> str:
    """GitHub's message and its ``errors`` details, lower-cased: what tells one 422 from another."""
    data = getattr(error, "data", None)
    parts = [error_message(error)]
    if isinstance(data, dict):
        for item in data.get("errors") or []:
            parts.append(str(item.get("message", item)) if isinstance(item, dict) else str(item))
    return " ".join(parts).lower()


def is_anchor_error(error: BaseException) -> bool:
    return error_status(error) == 422 and any(phrase in refusal_text(error) for phrase in ANCHOR_PHRASES)


class _Poster:
    def __init__(self, create: Create, delete: Delete, event: str, sleep: Callable[[float], None], budget: int):
        self.create, self.delete, self.event, self.sleep = create, delete, event, sleep
        self.budget = budget
        self.outcome = ReviewOutcome()

    def request(self, comments: list[InlineComment], event: str | None) -> Any:
        """One review request, with the 422s that are not about anchors handled; raises the others."""
        waited = False
        while True:
            self.budget -= 1
            try:
                return self.create(comments, event)
            except API_ERRORS as error:
                text = refusal_text(error) if error_status(error) == 422 else ""
                if TOO_QUICKLY in text and not waited:
                    waited = True
                    self.sleep(SECONDARY_LIMIT_WAIT)
                elif OWN_PULL_REQUEST in text and event == "REQUEST_CHANGES":
                    event = self.event = "COMMENT"
                    self.outcome.changed_event = True
                else:
                    raise

    def probe(self, comments: list[InlineComment]) -> bool | None:
        """Whether GitHub takes these comments (a pending review, deleted at once); None: stop probing."""
        if self.outcome.error is not None or self.budget <= 1:  # one request stays for the review itself
            return None
        try:
            pending = self.request(comments, None)
        except API_ERRORS as error:
            if is_anchor_error(error):
                return False
            self.outcome.error = error
            return None
        try:
            self.delete(pending)
        except API_ERRORS as error:
            self.outcome.error = error
            return None
        return True

    def isolate(self, refused: list[InlineComment], accepted: list[InlineComment], unknown: list[InlineComment]) -> None:
        """``refused`` was refused as a whole: sort its comments into accepted and refused ones (unknown
        when probing had to stop)."""
        if len(refused) == 1:
            self.outcome.refused.extend(refused)
            return
        middle = len(refused) // 2
        first, second = refused[:middle], refused[middle:]
        first_taken = self.probe(first)
        if first_taken is None:
            unknown.extend(refused)
            return
        if first_taken:
            accepted.extend(first)
            self.isolate(second, accepted, unknown)  # the culprit is in the second half
            return
        self.isolate(first, accepted, unknown)
        second_taken = self.probe(second)
        if second_taken is None:
            unknown.extend(second)
        elif second_taken:
            accepted.extend(second)
        else:
            self.isolate(second, accepted, unknown)

    def submit(self, comments: list[InlineComment]) -> None:
        try:
            self.request(comments, self.event)
        except API_ERRORS as error:
            self.outcome.error = error
            self.outcome.not_posted.extend(comments)
            return
        self.outcome.posted.extend(comments)


def post_review(
    create: Create,
    delete: Delete,
    comments: Sequence[InlineComment],
    event: str,
    sleep: Callable[[float], None],
    budget: int = BISECT_REQUEST_BUDGET,
) -> ReviewOutcome:
    """Post ``comments`` in one review with ``event``; on an anchor 422, find the refused comments and
    post the others, still in one review."""
    poster = _Poster(create, delete, event, sleep, budget)
    if not comments:
        return poster.outcome
    try:
        poster.request(list(comments), event)
    except API_ERRORS as error:
        if not is_anchor_error(error):
            poster.outcome.error = error
            poster.outcome.not_posted.extend(comments)
            return poster.outcome
    else:
        poster.outcome.posted.extend(comments)
        return poster.outcome
    accepted: list[InlineComment] = []
    unknown: list[InlineComment] = []
    poster.isolate(list(comments), accepted, unknown)
    poster.outcome.not_posted.extend(unknown)
    if accepted:
        poster.submit(accepted)
    return poster.outcome

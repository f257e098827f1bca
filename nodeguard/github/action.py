"""The GitHub Action: check what the event brings, place the findings where GitHub shows them, and exit
by the conclusion.

On a pull request: the changed Dockerfiles and .dockerignore files (and the Dockerfiles a changed
.dockerignore governs), at the head commit; one review with inline comments on the diff's lines; a check
run with every finding as an annotation. On push and workflow_dispatch: every Dockerfile in the
workspace; the check run, no review. Whatever GitHub refuses, every finding still reaches the step
summary and the log, and the exit code still follows ``fail-on``.
"""
from __future__ import annotations

import json
import os
import sys
import time
import traceback
import uuid
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TextIO

from nodeguard.discover import context_folder, dockerfiles_with_context_files, governed_dockerfiles, ignore_file_candidates, is_dockerfile_name, is_ignore_file_name
from nodeguard.engine import FileToCheck, SourceFile, check_files, check_paths, expand_paths, unreadable_file_finding
from nodeguard.findings import Finding, Severity
from nodeguard.model.context import DiskRepository, GivenFiles
from nodeguard.model.parse import text_lines
from nodeguard.node.packages import is_context_input
from nodeguard.rules import rule_by_id
from nodeguard.github.checkrun import publish_check_run
from nodeguard.github.client import FileContent, GitHubApi, TreeTooLarge, make_github
from nodeguard.github.comments import code_span, plan_comments, posted_fingerprints
from nodeguard.github.console import Console
from nodeguard.github.diff import Hunk, added_hunks, anchor_range, parse_hunks
from nodeguard.github.findings_file import pull_request_section, read_findings_file
from nodeguard.github.policy_source import LoadedPolicy, builtin_policy, policy_at
from nodeguard.github.retry import API_ERRORS, RetryPolicy, error_message
from nodeguard.github.review import REVIEW_MARK, REVIEW_MARK_AT_END, post_review
from nodeguard.github.settings import (
    PULL_REQUEST_EVENTS,
    WORKSPACE_EVENTS,
    Inputs,
    PullRequest,
    Runner,
    SettingsError,
    merge_group_base,
    merge_group_head,
    pull_request_from,
    read_inputs,
    read_only_reason,
    read_runner,
)
from nodeguard.github.sources import (
    CommitFiles,
    VerifiedWorkspaceFiles,
    WorkspaceFiles,
    checked_out_commit,
    read_inside,
)
from nodeguard.github.summary import (
    CHECK_RUN_LIMIT,
    STEP_SUMMARY_LIMIT,
    Placement,
    RunReport,
    render_summary,
    title,
)
from nodeguard.policy import Policy, PolicyError, RuleSetting
from nodeguard.record import replace
from nodeguard.report import render
from nodeguard.report.common import plural, summary_line
from nodeguard.report.github import escape_data, log_block

# Tests only: multiplies every wait (retry backoff, PyGithub's pacing); 0 makes them instant.
TIME_SCALE_VARIABLE = "NODEGUARD_SLEEP_SCALE"
TOKEN_INPUT = "INPUT_GITHUB-TOKEN"
MISSING_AT_HEAD = (
    "GitHub lists this file at the pull request's head commit but answers 404 Not Found when it is read "
    "(a force-push, or replication lag): it was not checked, so the check fails; run it again"
)


@dataclass
class Gathered:
    """What was checked and found, and what the placing of comments needs to know."""

    policy: LoadedPolicy
    findings: list[Finding]
    checked_files: int
    lines_by_path: dict[str, list[str]]
    hunks_by_path: dict[str, tuple[Hunk, ...]] = field(default_factory=dict)
    patches: dict[str, str | None] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def time_scale(environ: Mapping[str, str]) -> float:
    try:
        return max(0.0, float(environ.get(TIME_SCALE_VARIABLE, "1")))
    except ValueError:
        return 1.0


class ActionRun:
    def __init__(self, inputs: Inputs, runner: Runner, api: GitHubApi, console: Console, run_id: str):
        self.inputs, self.runner, self.api, self.console = inputs, runner, api, console
        self.workspace = runner.workspace.resolve()
        self.run_id = run_id  # marks what this run writes, so that a lost answer is not written twice
        self.read_only: str | None = None
        self.pull: PullRequest | None = None
        self.retry_sleep: Callable[[float], None] = time.sleep

    # -- the run

    def execute(self) -> int:
        read_only = None
        if self.inputs.findings_file is not None:
            if self.runner.event_name != "workflow_run":
                raise SettingsError(
                    f"input findings-file is for a workflow_run event (the second workflow), not {self.runner.event_name}"
                )
            pull = read_findings_file(self.workspace, self.inputs.findings_file, self.runner.event).pull
            target_sha, gather = pull.head_sha, lambda: self.gather_findings_file(pull)
        elif self.runner.event_name in PULL_REQUEST_EVENTS:
            pull = pull_request_from(self.runner.event)
            target_sha, gather = pull.head_sha, lambda: self.gather_pull_request(pull)
            read_only = read_only_reason(self.runner.event_name, pull, self.runner.actor)
        elif self.runner.event_name in WORKSPACE_EVENTS:
            if not self.runner.sha:
                raise SettingsError("GITHUB_SHA is not set: nodeguard runs as a GitHub Actions step")
            pull, target_sha, gather = None, merge_group_head(self.runner.event, self.runner.sha), self.gather_workspace
            queue_base = merge_group_base(self.runner.event) if self.runner.event_name == "merge_group" else None
            if queue_base is not None and self.inputs.policy_from == "base":
                # The merge group holds the queued pull requests' changes, their policy file's too: the
                # gate is the target branch's policy, as on the pull request.
                gather = lambda: self.gather_workspace(self.policy_from(queue_base, f"on the base branch ({queue_base[:7]})", None))  # noqa: E731
        else:
            raise SettingsError(
                f"nodeguard runs on {', '.join(PULL_REQUEST_EVENTS + WORKSPACE_EVENTS)}, not on {self.runner.event_name}"
            )
        self.read_only, self.pull = read_only, pull
        data_notes = self.refresh_release_data()
        try:
            gathered = gather()
        except PolicyError as error:
            report = RunReport([], 0, "failure", self.inputs.fail_on or "error", "invalid", error=str(error))
            return self.publish(target_sha, report, {})
        gathered.notes.extend(data_notes)
        threshold = self.inputs.threshold(gathered.policy.policy.fail_on)
        conclusion = "failure" if threshold is not None and any(f.severity >= threshold for f in gathered.findings) else "success"
        placements: dict[Finding, Placement] = {}
        if pull is not None and read_only is not None:
            placements = {finding: Placement.NOT_POSTED for finding in gathered.findings}
        elif pull is not None:
            if self.inputs.comments:
                placements = self.review(pull, gathered, conclusion)
            if conclusion == "success":
                self.dismiss_stale_change_requests(pull, gathered)
        report = RunReport(
            findings=gathered.findings,
            checked_files=gathered.checked_files,
            conclusion=conclusion,
            fail_on=threshold.label if threshold is not None else "never",
            policy=gathered.policy.description,
            placements=placements,
            notes=[note for note in [gathered.policy.note, *gathered.notes] if note],
        )
        return self.publish(target_sha, report, gathered.lines_by_path)

    # -- what to check

    def policy_from(self, ref: str, where: str, head_files: CommitFiles | WorkspaceFiles | None) -> LoadedPolicy:
        if checked_out_commit(self.workspace) == ref:
            files: CommitFiles | WorkspaceFiles = WorkspaceFiles(self.workspace)
        else:
            files = head_files if isinstance(head_files, CommitFiles) and head_files.ref == ref else CommitFiles(self.api, ref)
        try:
            return self.with_ignored(policy_at(files.read, self.inputs.config, where))
        except API_ERRORS as error:
            raise PolicyError(self.inputs.config or "policy", f"cannot be read {where}: {error_message(error)}") from None

    def gather_findings_file(self, pull: PullRequest) -> Gathered:
        """The findings a ``pull_request`` run wrote, with what placing them needs: the pull request's
        diff, and the flagged files' lines at its head commit (read through the API)."""
        written = read_findings_file(self.workspace, self.inputs.findings_file or "", self.runner.event)
        policy = LoadedPolicy(builtin_policy(), f"applied by the run that wrote `{self.inputs.findings_file}`")
        gathered = Gathered(policy, sorted(written.findings, key=Finding.sort_key), written.checked_files, {})
        try:
            listing = self.api.list_pull_files(pull.number, None)
        except API_ERRORS as error:
            gathered.notes.append(f"The pull request's files could not be listed ({error_message(error)}): no inline comment.")
            return gathered
        gathered.hunks_by_path = {changed.path: parse_hunks(changed.patch) for changed in listing.files}
        gathered.patches = {changed.path: changed.patch for changed in listing.files}
        head = CommitFiles(self.api, pull.head_sha)
        for path in sorted({finding.path for finding in gathered.findings if finding.path in gathered.hunks_by_path}):
            try:
                found = head.read(path)
            except API_ERRORS:
                found = None
            if found is not None and found.data is not None:
                gathered.lines_by_path[path] = text_lines(found.data)
        return gathered

    def with_ignored(self, loaded: LoadedPolicy) -> LoadedPolicy:
        """The policy with the ``ignore`` input's rules turned off, overrides included."""
        if not self.inputs.ignore:
            return loaded
        ids = ignored_rule_ids(self.inputs.ignore)
        policy = loaded.policy

        def off(settings: Mapping[str, RuleSetting]) -> dict[str, RuleSetting]:
            return {rule: replace(setting, enabled=False) if rule in ids else setting for rule, setting in settings.items()}

        overrides = tuple(replace(override, rules=off(override.rules)) for override in policy.overrides)
        turned_off = replace(policy, rules=off(policy.rules), overrides=overrides)
        return replace(loaded, policy=turned_off, description=f"{loaded.description}; ignored: {', '.join(sorted(ids))}")

    def gather_workspace(self, policy: LoadedPolicy | None = None) -> Gathered:
        """Every Dockerfile in the workspace (push, workflow_dispatch, merge_group, and pull requests GitHub
        cannot list); ``policy`` when given, else the workspace's."""
        if policy is None:
            policy = self.with_ignored(policy_at(WorkspaceFiles(self.workspace).read, self.inputs.config, "in the workspace"))
        checked_policy, digest_notes = self.with_digests(policy.policy, self.workspace_dockerfiles(policy.policy))
        result = check_paths([str(self.workspace)], checked_policy, cwd=self.workspace)
        lines = {}
        for path in {finding.path for finding in result.findings}:
            found = read_inside(self.workspace, path)
            if found is not None and found.data is not None:
                lines[path] = text_lines(found.data)
        return Gathered(policy, list(result.findings), len(result.checked), lines, notes=digest_notes)

    def refresh_release_data(self) -> list[str]:
        """Judge this run by Node.js's published release schedule and the official image's tag list (one
        short try each, else the bundled copies); a note for each."""
        if not self.inputs.refresh_data:
            return []
        from nodeguard.remote.node_data import refresh_all_for_run

        return refresh_all_for_run()

    @property
    def wants_digests(self) -> bool:
        return self.inputs.resolve_digests or self.inputs.check_digests

    def workspace_dockerfiles(self, policy) -> list[tuple[str, bytes]]:
        """The workspace's Dockerfiles the policy selects, for their digest lookups (none unless wanted)."""
        found = []
        for path, _ in expand_paths([str(self.workspace)])[0] if self.wants_digests else []:
            relative = path.relative_to(self.workspace).as_posix() if path.is_relative_to(self.workspace) else None
            content = read_inside(self.workspace, relative) if relative and policy.selects(relative) else None
            if relative is not None and content is not None and content.data is not None:
                found.append((relative, content.data))
        return found

    def with_digests(self, policy, dockerfiles: list[tuple[str, bytes]]):
        """The policy with NG102 given the registry's answers (resolve-digests, check-digests inputs), and
        notes on the lookups; a registry that cannot be reached is a note, never a failed run."""
        if not self.wants_digests:
            return policy, []
        from nodeguard.remote.digests import policy_with_digests

        # A policy a pull request wrote (its head's, or a merge group's workspace) names no registry to ask.
        queued = (*PULL_REQUEST_EVENTS, "merge_group")
        from_pull_request = self.runner.event_name in queued and self.inputs.policy_from == "head"
        return policy_with_digests(policy, dockerfiles, unpinned=self.inputs.resolve_digests,
                                   pinned=self.inputs.check_digests, policy_registries=not from_pull_request)

    def gather_pull_request(self, pull: PullRequest) -> Gathered:
        trusted = checked_out_commit(self.workspace) == pull.head_sha
        head_commit = CommitFiles(self.api, pull.head_sha)
        head_files: CommitFiles | WorkspaceFiles = WorkspaceFiles(self.workspace) if trusted else head_commit
        if self.inputs.policy_from == "base":
            policy = self.policy_from(pull.base_sha, f"on the base branch ({pull.base_sha[:7]})", head_files)
        else:
            policy = self.policy_from(pull.head_sha, f"at the head commit ({pull.head_sha[:7]})", head_files)
        try:
            listing = self.api.list_pull_files(pull.number, pull.changed_files)
        except API_ERRORS as error:
            gathered = self.gather_workspace(policy)
            gathered.notes.append(
                f"The pull request's files could not be listed ({error_message(error)}): every Dockerfile in the "
                "workspace was checked instead, without inline comments."
            )
            return gathered
        hunks = {changed.path: parse_hunks(changed.patch) for changed in listing.files}
        patches = {changed.path: changed.patch for changed in listing.files}
        if not listing.complete:
            gathered = self.gather_workspace(policy)
            gathered.notes.append(
                "GitHub lists at most 3000 files of a pull request and this one has more: every Dockerfile in "
                "the workspace was checked instead."
            )
            if trusted:  # the workspace's lines are the head commit's: comments can go on the listed files
                gathered.hunks_by_path, gathered.patches = hunks, patches
            return gathered
        changed = [entry.path for entry in listing.files if entry.status != "removed"]
        # A removed or renamed ignore file governed Dockerfiles too: they are checked again without it.
        gone = {entry.path for entry in listing.files if entry.status == "removed"}
        gone.update(entry.previous_filename for entry in listing.files if entry.previous_filename)
        # A build context's file the rules read (a new .env, a removed lockfile) changes what its
        # Dockerfile's check finds, though neither the Dockerfile nor its ignore file changed. Only the
        # workspace has the contexts: through the API the rules have nothing of them to read.
        context_inputs = {
            path for entry in listing.files for path in (entry.path, entry.previous_filename)
            if path and is_context_input(path)
        } if trusted else set()
        checked_files: CommitFiles | VerifiedWorkspaceFiles = head_commit
        if trusted:
            listed = {entry.path: entry.sha for entry in listing.files if entry.status != "removed" and entry.sha}
            checked_files = VerifiedWorkspaceFiles(self.workspace, head_commit, listed)
        gathered = self.check_changed(changed, checked_files, policy, trusted, gone_ignores={
            path for path in gone if is_ignore_file_name(PurePosixPath(path).name)
        }, context_inputs=context_inputs)
        gathered.hunks_by_path, gathered.patches = hunks, patches
        if not trusted:
            gathered.notes.append(
                f"The workspace is not checked out at the pull request's head commit ({pull.head_sha[:7]}): the "
                "files were read through the API, and the rules that look at other files of a build context "
                "had nothing to read. Check out `github.event.pull_request.head.sha` to give them the workspace."
            )
        return gathered

    def check_changed(
        self,
        changed: list[str],
        head_files: CommitFiles | VerifiedWorkspaceFiles,
        policy: LoadedPolicy,
        trusted: bool,
        gone_ignores: AbstractSet[str] = frozenset(),
        context_inputs: AbstractSet[str] = frozenset(),
    ) -> Gathered:
        dockerfiles = {path for path in changed if is_dockerfile_name(PurePosixPath(path).name)}
        ignores = {path for path in changed if is_ignore_file_name(PurePosixPath(path).name)}
        notes: list[str] = []
        wanted = ignores or gone_ignores or context_inputs or not trusted
        repo_paths = self.repo_paths(head_files, notes) if wanted else set()
        for ignore in ignores | gone_ignores:
            dockerfiles.update(governed_dockerfiles(ignore, repo_paths, policy.policy.context_for))
        if context_inputs:
            dockerfiles.update(dockerfiles_with_context_files(context_inputs, repo_paths, policy.policy.context_for))
        if trusted and not self.contexts_match_head(head_files, dockerfiles, policy):
            trusted = False  # the build contexts' ignore files are read from the head commit instead
            repo_paths = repo_paths or self.repo_paths(head_files, notes)
        if not trusted:  # without the workspace, the engine knows only the ignore files it is given
            for dockerfile in dockerfiles:
                context = context_folder(dockerfile, policy.policy.context_for(dockerfile))
                ignores.update(path for path in ignore_file_candidates(dockerfile, context) if path in repo_paths)
        sources, problems = self.read_sources(head_files, sorted(dockerfiles))
        ignore_sources, ignore_problems = self.read_sources(head_files, sorted(ignores))
        checked_policy, digest_notes = self.with_digests(policy.policy, [(s.path, s.data) for s in sources])
        notes.extend(digest_notes)
        given = {source.path: source.data for source in sources}
        if trusted:  # the Dockerfiles as read; their ignore files and contexts from the workspace
            repository = GivenFiles(given, rest=DiskRepository(self.workspace))
        else:
            repository = GivenFiles({**given, **{source.path: source.data for source in ignore_sources}})
        result = check_files(FileToCheck(source.path, repository, checked_policy) for source in sources)
        if isinstance(head_files, VerifiedWorkspaceFiles) and head_files.replaced:
            notes.append(
                f"{plural(len(head_files.replaced), 'file')} in the workspace differed from the pull request's head "
                f"commit (changed by an earlier step of the job?) and were read from GitHub instead: "
                f"{', '.join(code_span(path) for path in head_files.replaced)}."
            )
        findings = sorted([*result.findings, *problems, *ignore_problems], key=Finding.sort_key)
        lines = {source.path: text_lines(source.data) for source in [*sources, *ignore_sources]}
        return Gathered(policy, findings, len(result.checked) + len(problems), lines, notes=notes)

    def repo_paths(self, head_files: CommitFiles | VerifiedWorkspaceFiles, notes: list[str]) -> set[str]:
        try:
            return set(head_files.file_paths())
        except (*API_ERRORS, TreeTooLarge) as error:
            reason = str(error) if isinstance(error, TreeTooLarge) else error_message(error)
            notes.append(
                f"The repository's files could not be listed ({reason}): only the changed "
                "files were checked, without the .dockerignore files they did not change."
            )
            return set()

    def read_sources(
        self, files: CommitFiles | VerifiedWorkspaceFiles, paths: list[str]
    ) -> tuple[list[SourceFile], list[Finding]]:
        sources, problems = [], []
        for path in paths:
            try:
                found: FileContent | None = files.read(path)
            except API_ERRORS as error:
                found = FileContent(problem=f"cannot be read through the API ({error_message(error)})")
            if found is None:  # GitHub lists it at the head commit, yet cannot serve it
                found = FileContent(problem=MISSING_AT_HEAD)
            if found.data is None:
                problems.append(unreadable_file_finding(path, found.problem or "cannot be read"))
            else:
                sources.append(SourceFile(path, found.data))
        return sources, problems

    def contexts_match_head(
        self, head_files: CommitFiles | VerifiedWorkspaceFiles, dockerfiles: set[str], policy: LoadedPolicy
    ) -> bool:
        """Whether the ignore files the engine would read from disk for these Dockerfiles are the head
        commit's (an earlier step may have added or changed one). One removed from disk is not looked
        for: without it the engine reports more, never less."""
        if not isinstance(head_files, VerifiedWorkspaceFiles):
            return True
        candidates = {
            path
            for dockerfile in dockerfiles
            for path in ignore_file_candidates(dockerfile, context_folder(dockerfile, policy.policy.context_for(dockerfile)))
            if os.path.lexists(self.workspace / path)
        }
        try:
            differing = [path for path in sorted(candidates) if not head_files.matches_head(path)]
        except API_ERRORS:
            return False
        for path in differing:
            if path not in head_files.replaced:
                head_files.replaced.append(path)
        return not differing

    # -- placing findings

    def review(self, pull: PullRequest, gathered: Gathered, conclusion: str) -> dict[Finding, Placement]:
        findings, lines = gathered.findings, gathered.lines_by_path
        hunks = self.commentable_hunks(gathered)
        in_files = self.inputs.filter == "file"
        anchored = [f for f in findings if f.path in lines and (anchor_range(hunks.get(f.path, ()), f.line, f.end_line) or (in_files and f.path in hunks))]
        if not anchored:
            return {finding: self.not_commented(finding, gathered) for finding in findings}
        try:
            posted = self.own_fingerprints(pull)
        except API_ERRORS as error:
            gathered.notes.append(
                f"The existing review comments could not be listed ({error_message(error)}): no inline comment "
                "was posted, so that none is posted twice."
            )
            return {finding: Placement.NOT_POSTED for finding in findings}
        plan = plan_comments(findings, hunks, lines, posted, file_level=in_files)
        placements = {finding: self.not_commented(finding, gathered) for finding in plan.outside_diff}
        placements.update((finding, Placement.ALREADY_COMMENTED) for finding in plan.already_posted)
        by_severity = sorted(plan.comments, key=lambda comment: -comment.finding.severity)
        over_cap = by_severity[self.inputs.max_comments :]
        capped = {id(comment) for comment in over_cap}
        to_post = [comment for comment in plan.comments if id(comment) not in capped]
        placements.update((comment.finding, Placement.OVER_CAP) for comment in over_cap)
        if not to_post:
            return placements
        if self.head_moved(pull, gathered):
            placements.update((comment.finding, Placement.HEAD_MOVED) for comment in to_post)
            return placements
        event = "REQUEST_CHANGES" if self.inputs.review_event == "REQUEST_CHANGES" and conclusion == "failure" else "COMMENT"
        body = f"**nodeguard**: {summary_line(findings)}. The inline comments mark the changed lines; the `{self.inputs.check_name}` check run lists every finding."
        if over_cap:
            body += f" {len(over_cap)} more not commented inline (max-comments: {self.inputs.max_comments}): the check run has them."
        marker = f"{REVIEW_MARK}{self.run_id} -->"
        outcome = post_review(
            lambda comments, review_event: self.api.create_review(
                pull.number, pull.head_sha, f"{body}\n\n{marker}", review_event,
                [comment.payload() for comment in comments], marker if review_event else None,
            ),
            self.api.delete_pending_review,
            [comment for comment in to_post if not comment.file_level],
            event,
            self.retry_sleep,
        )
        file_level = [comment for comment in to_post if comment.file_level]
        for comment in file_level:
            try:
                self.api.create_file_comment(pull.number, pull.head_sha, comment.finding.path, comment.body, comment.fingerprint)
                placements[comment.finding] = Placement.INLINE
            except API_ERRORS as error:
                placements[comment.finding] = Placement.NOT_POSTED
                outcome.error = outcome.error or error
        for comments, placement in (
            (outcome.posted, Placement.INLINE),
            (outcome.refused, Placement.REFUSED),
            (outcome.not_posted, Placement.NOT_POSTED),
        ):
            placements.update((comment.finding, placement) for comment in comments)
        if outcome.refused:
            gathered.notes.append(
                f"GitHub refused {len(outcome.refused)} inline comment(s) (422: not a line of the diff); "
                "their findings are listed above."
            )
        if outcome.changed_event:
            gathered.notes.append(
                "GitHub does not let the token's account request changes on its own pull request: the review "
                "was posted as a comment instead."
            )
        if outcome.problem:
            gathered.notes.append(f"The review could not be posted ({outcome.problem}); its findings are listed above.")
        return placements

    def commentable_hunks(self, gathered: Gathered) -> dict[str, tuple[Hunk, ...]]:
        """The lines of each file a comment may go on, as the ``filter`` input says."""
        if self.inputs.filter == "added":
            return {path: added_hunks(patch) for path, patch in gathered.patches.items()}
        return gathered.hunks_by_path

    def not_commented(self, finding: Finding, gathered: Gathered) -> Placement:
        if self.inputs.filter == "added" and anchor_range(gathered.hunks_by_path.get(finding.path, ()), finding.line, finding.end_line):
            return Placement.FILTERED
        return Placement.OUTSIDE_DIFF

    def head_moved(self, pull: PullRequest, gathered: Gathered) -> bool:
        """Whether the pull request's head moved since the event: its diff and lines are then another
        commit's, and comments would land on wrong lines or be refused."""
        try:
            current = self.api.pull_head_sha(pull.number)
        except API_ERRORS as error:
            self.console.log(f"the pull request's head could not be read ({error_message(error)}); commenting on {pull.head_sha[:7]}")
            return False
        if current == pull.head_sha:
            return False
        gathered.notes.append(
            f"The pull request's head moved during the run ({pull.head_sha[:7]} → {current[:7]}): no inline comment "
            f"was posted. This check run is for {pull.head_sha[:7]}; the run for {current[:7]} reviews the new head."
        )
        return True

    def own_fingerprints(self, pull: PullRequest) -> set[str]:
        """The fingerprints of the comments nodeguard itself wrote on the pull request: a comment by anyone
        else that ends with a fingerprint silences nothing. Who nodeguard is, is asked only when a
        comment carries a fingerprint."""
        comments = [(author, marks) for author, body in self.api.list_review_comments(pull.number) if (marks := posted_fingerprints([body]))]
        if not comments:
            return set()
        own = self.api.own_login()
        return {mark for author, marks in comments if author == own for mark in marks}

    def dismiss_stale_change_requests(self, pull: PullRequest, gathered: Gathered) -> None:
        """nodeguard's own earlier REQUEST_CHANGES reviews, dismissed now that the check passes: otherwise
        they keep the pull request blocked after it is fixed."""
        if self.inputs.review_event != "REQUEST_CHANGES":
            return
        try:
            stale = [
                review for review in self.api.list_reviews(pull.number)
                if review.state == "CHANGES_REQUESTED" and is_own_review(review)
            ]
            for review in stale:
                self.api.dismiss_review(
                    review, f"nodeguard passes at {pull.head_sha[:7]}: the changes it requested are no longer needed."
                )
        except API_ERRORS as error:
            gathered.notes.append(
                f"nodeguard's earlier change requests could not be dismissed ({error_message(error)}): dismiss them "
                "by hand, the check passes."
            )
            return
        if stale:
            gathered.notes.append(f"Dismissed {len(stale)} earlier change request(s) of nodeguard: the check passes now.")

    # -- reporting

    def publish(self, target_sha: str, report: RunReport, lines_by_path: dict[str, list[str]]) -> int:
        findings = list(report.findings)
        fallback_note = self.publish_check_run(target_sha, report)
        if fallback_note is not None:
            self.console.write(render("github", findings, checked_files=report.checked_files))
            self.console.log(fallback_note)
        elif findings:
            self.console.write("\n".join(log_block(findings)))
        if report.error is not None:
            self.console.write(f"::error::{escape_data(report.error)}")
        for note in report.notes:
            self.console.log(note)
        self.console.log(f"{title(report)}; conclusion: {report.conclusion}")
        step_report = replace(report, notes=[*report.notes, fallback_note] if fallback_note else report.notes)
        self.console.append_file(self.runner.step_summary_file, render_summary(step_report, STEP_SUMMARY_LIMIT))
        sarif_file = self.write_report("sarif-file", self.inputs.sarif_file, lambda: render("sarif", findings, line_text=lines_by_path))
        json_file = self.write_report("json-file", self.inputs.json_file, lambda: self.json_report(findings))
        outputs = step_outputs(findings, report.conclusion, sarif_file)
        outputs["json-file"] = json_file or ""
        self.console.set_outputs(self.runner.output_file, outputs)
        return 1 if report.conclusion == "failure" else 0

    def json_report(self, findings: list[Finding]) -> str:
        """The JSON report; on a pull request it also names the pull request, for a findings-file run."""
        text = render("json", findings)
        if self.pull is None or self.inputs.findings_file is not None:
            return text
        data = json.loads(text)
        data["pull_request"] = pull_request_section(self.pull)
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    def publish_check_run(self, target_sha: str, report: RunReport) -> str | None:
        """The check run; when GitHub refuses it (or some of its annotations), the note saying so."""
        if self.read_only is not None:
            return (
                f"No review and no check run: {self.read_only}. The findings are reported as workflow "
                "annotations instead, here and in the log."
            )
        summary = render_summary(report, CHECK_RUN_LIMIT)
        outcome = publish_check_run(
            self.api, self.inputs.check_name, target_sha, title(report), summary, report.conclusion, report.findings,
            external_id=f"nodeguard-{self.run_id}",
        )
        if outcome.error is None:
            return None
        if not outcome.created:
            return (
                f"The check run could not be created ({error_message(outcome.error)}): the findings are reported "
                "as workflow annotations instead, here and in the log."
            )
        return (
            f"The check run lacks some annotations ({error_message(outcome.error)}): the findings are reported "
            "as workflow annotations too, here and in the log."
        )

    def write_report(self, name: str, wanted: str | None, text: Callable[[], str]) -> str | None:
        """A report file at an input's path inside the workspace, never through a symlink, owned like the
        workspace (the action runs as root; later steps run as the runner's user and must be able to
        change or delete it)."""
        if wanted is None:
            return None
        relative = PurePosixPath(wanted)
        target = self.workspace / relative
        if relative.is_absolute() or ".." in relative.parts or not target.parent.resolve().is_relative_to(self.workspace):
            self.console.log(f"{name} {wanted}: must be a path inside the workspace; not written")
            return None
        owner = self.workspace.stat()
        try:
            created = [folder for folder in [target.parent, *target.parent.parents] if not folder.exists()]
            target.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(text())
                if os.geteuid() == 0:
                    os.fchown(handle.fileno(), owner.st_uid, owner.st_gid)
            if os.geteuid() == 0:
                for folder in created:
                    os.chown(folder, owner.st_uid, owner.st_gid, follow_symlinks=False)
        except OSError as error:
            self.console.log(f"{name} {wanted}: cannot be written ({error.strerror or error})")
            return None
        return relative.as_posix()


def ignored_rule_ids(words: tuple[str, ...]) -> set[str]:
    """The rule IDs the ``ignore`` input names (by ID or name); an unknown one is a misconfiguration."""
    ids = set()
    for word in words:
        rule = rule_by_id(word)
        if rule is None:
            raise SettingsError(f"input ignore: {word!r} is not a rule ID or name (nodeguard explain lists them)")
        ids.add(rule.id)
    return ids


def is_own_review(review) -> bool:
    """A review nodeguard posted: its body ends with nodeguard's review marker, and an app wrote it (the
    token of a workflow or an app writes as a bot; a person quoting the marker is not one)."""
    user = review.user
    return REVIEW_MARK_AT_END.search(review.body or "") is not None and user is not None and user.type == "Bot"


def step_outputs(findings: list[Finding], conclusion: str, sarif_file: str | None) -> dict[str, str]:
    return {
        "findings": str(len(findings)),
        "errors": str(sum(1 for f in findings if f.severity == Severity.ERROR)),
        "warnings": str(sum(1 for f in findings if f.severity == Severity.WARNING)),
        "conclusion": conclusion,
        "sarif-file": sarif_file or "",
    }


def run_id(environ: Mapping[str, str]) -> str:
    """What marks this run's writes: the workflow run and attempt, and a random part (a job may call the
    action twice)."""
    parts = [environ.get("GITHUB_RUN_ID", "").strip(), environ.get("GITHUB_RUN_ATTEMPT", "").strip(), uuid.uuid4().hex[:12]]
    return "-".join(part for part in parts if part.isalnum())


def main(environ: Mapping[str, str] | None = None, stdout: TextIO | None = None) -> int:
    environ = os.environ if environ is None else environ
    console = Console(stdout or sys.stdout, [environ.get(TOKEN_INPUT, ""), environ.get(TOKEN_INPUT, "").strip()])
    try:
        inputs, runner = read_inputs(environ), read_runner(environ)
        if inputs.ignore:
            ignored_rule_ids(inputs.ignore)  # a misconfiguration is said before anything is checked
        scale = time_scale(environ)
        sleep = _scaled_sleep(scale)
        retry = RetryPolicy(sleep=sleep)
        api = GitHubApi(make_github(inputs.token, runner.api_url, scale), runner.repository, retry, console.log, console.redact)
        action = ActionRun(inputs, runner, api, console, run_id(environ))
        action.retry_sleep = sleep
        return action.execute()
    except SettingsError as error:
        console.write(f"::error::{escape_data(str(error))}")
        return 2
    except Exception:  # a bug: say so without ever showing the token
        console.write("::error::nodeguard failed unexpectedly; the details follow in the log")
        console.write(traceback.format_exc())
        return 2


def _scaled_sleep(scale: float) -> Callable[[float], None]:
    return lambda seconds: time.sleep(seconds * scale)

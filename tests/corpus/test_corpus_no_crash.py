"""nodeguard over every real Dockerfile in the shared corpus: no crash, no rule failure."""
from collections import Counter

from nodeguard.engine import check_paths
from nodeguard.policy import load_policy
from tests.conftest import shared_or_skip


def test_every_corpus_sample_is_checked_without_internal_errors():
    corpus = shared_or_skip("corpus")
    policy = load_policy(None, str(corpus))
    result = check_paths([str(corpus)], policy, cwd=corpus)
    assert len(result.checked) >= 160
    internal = [f"{f.path}:{f.line}: {f.message}" for f in result.findings if f.rule == "NG005"]
    assert not internal, "\n".join(internal)
    per_rule = Counter(f.rule for f in result.findings)
    assert per_rule["NG101"] > 0 and per_rule["NG501"] > 0


def test_corpus_files_parse_without_input_problems_except_known_ones():
    corpus = shared_or_skip("corpus")
    policy = load_policy(None, str(corpus))
    result = check_paths([str(corpus)], policy, cwd=corpus)
    unreadable = sorted({f.path for f in result.findings if f.rule == "NG001"})
    assert len(unreadable) <= 5, unreadable

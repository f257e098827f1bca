"""A lazy pattern is compiled on its first use and answers as the compiled pattern does."""
from __future__ import annotations

import re

from nodeguard.patterns import LazyPattern


def test_a_lazy_pattern_compiles_on_first_use_and_answers_as_re_does():
    lazy = LazyPattern(r"(?P<key>[a-z]+)=(\d+)", re.IGNORECASE)
    assert lazy._compiled is None
    compiled = re.compile(r"(?P<key>[a-z]+)=(\d+)", re.IGNORECASE)
    text = "A=1 b=22 c=x"
    assert lazy.search(text).group("key") == compiled.search(text).group("key") == "A"
    assert lazy._compiled is not None
    assert lazy.match(text, 4).span() == compiled.match(text, 4).span()
    assert lazy.fullmatch("b=22").groups() == ("b", "22")
    assert lazy.fullmatch(text) is None
    assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in compiled.finditer(text)]
    assert lazy.findall(text) == compiled.findall(text) == [("A", "1"), ("b", "22")]
    assert lazy.sub(r"\g<key>", text) == compiled.sub(r"\g<key>", text) == "A b c=x"
    assert lazy.sub(lambda m: m.group(2), text, count=1) == "1 b=22 c=x"

"""Case-insensitive patterns guarded by the characters a match can start with.

Python's ``re`` skips ahead with a literal prefix or a character set only when a pattern
starts with a case-sensitive literal; a case-insensitive ``\\b(?:mexico|canada|...)`` is
tried in full at every position of the text, each alternative in turn. Put in front of
it, a lookahead of its possible first characters, ``(?=[cm...])``, turns most positions
down at once. The matches are the same: the first character of any match is in the set
(tested on every pattern of the triage path). On realistic tickets, it takes about a
third off the time triage spends in regular expressions, which hold the GIL.
"""

from __future__ import annotations

import re
from re import _constants as C  # type: ignore[attr-defined]
from re import _parser as P  # type: ignore[attr-defined]
from typing import Any, MutableMapping

_ZERO_WIDTH = (C.AT, C.ASSERT, C.ASSERT_NOT)
_GLOBAL_FLAGS = re.compile(r"\(\?[aiLmsux]+\)")


def _first(data: Any) -> set[str] | None:
    """The characters a match of ``data`` (a parsed sequence) can start with, or None
    when that is not known cheaply."""
    for op, av in data:
        if op in _ZERO_WIDTH:  # \b, ^, lookarounds: the first consumed character is later
            continue
        if op is C.LITERAL:
            return {chr(av)}
        if op is C.IN:
            chars: set[str] = set()
            for o, a in av:
                if o is C.LITERAL:
                    chars.add(chr(a))
                elif o is C.RANGE and a[1] - a[0] <= 400:
                    chars.update(map(chr, range(a[0], a[1] + 1)))
                else:  # a negated set or a category (\d, \w): no cheap guard
                    return None
            return chars
        if op is C.SUBPATTERN:
            _, add, delete, sub = av
            if add or delete or sub.getwidth()[0] == 0:
                return None
            return _first(sub.data)
        if op is C.BRANCH:
            out: set[str] = set()
            for branch in av[1]:
                found = _first(branch.data) if branch.getwidth()[0] > 0 else None
                if found is None:
                    return None
                out |= found
            return out
        if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            low, _, item = av
            if low == 0 or item.getwidth()[0] == 0:
                return None
            return _first(item.data)
        return None
    return None


def guarded(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """``pattern`` with a first-character lookahead in front, or itself when none applies.
    Groups keep their numbers and names."""
    source, flags = pattern.pattern, pattern.flags
    if not isinstance(source, str) or _GLOBAL_FLAGS.match(source):
        return pattern
    parsed = P.parse(source, flags)
    if parsed.getwidth()[0] == 0:  # it can match nothing, anywhere
        return pattern
    first = _first(parsed.data)
    if not first:
        return pattern
    chars = "".join(re.escape(c) for c in sorted(first))
    return re.compile(f"(?=[{chars}])(?:{source})", flags)


def guard_module(namespace: MutableMapping[str, Any]) -> None:
    """Guard every compiled pattern a module defines (call it at the module's end, after
    any pattern was built from another one's source)."""
    for name, value in list(namespace.items()):
        if isinstance(value, re.Pattern) and isinstance(value.pattern, str):
            namespace[name] = guarded(value)

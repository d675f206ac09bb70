"""YAML files a team edits (policy, playbooks, prompts, figures, suites), loaded strictly,
and the line-numbered reading of the JSON Lines datasets.

Unknown keys and bad values are errors, and every error names the file and the line,
so a typo cannot silently switch something off.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from assistant.errors import AssistantError

M = TypeVar("M", bound=BaseModel)


def jsonl_lines(path: Path, error: type[AssistantError],
                missing_hint: str = "restore it from git") -> Iterator[tuple[int, str]]:
    """The non-blank lines of a JSON Lines file with their 1-based numbers, so a caller's
    error can name the line; a file that cannot be read is an ``error`` saying why."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise error(f"{path} is not UTF-8 text ({exc.reason})", "re-save it as UTF-8") from None
    except OSError as exc:
        raise error(f"cannot read {path}: {exc}", missing_hint) from None
    for number, line in enumerate(lines, 1):
        if line.strip():
            yield number, line


def read_text(path: Path, what: str, error: type[AssistantError], hint: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{what} {path} does not exist", hint) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"cannot read {what} {path}: {exc}", "save it as UTF-8 YAML") from None


def parse_yaml(text: str, source: str, error: type[AssistantError]) -> tuple[Any, Any]:
    """(data, node tree); a syntax error names its line."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "somewhere"
        raise error(
            f"{source} {where}: not valid YAML ({getattr(exc, 'problem', exc)})",
            "fix the YAML syntax (indentation, a missing colon or quote)",
        ) from None
    return data, node


def validate_yaml(
    text: str,
    model: type[M],
    source: str,
    error: type[AssistantError],
    hint: str,
    context: dict[str, Any] | None = None,
) -> M:
    """Parse ``text`` and validate it as ``model``; errors name ``source`` and the line."""
    data, node = parse_yaml(text, source, error)
    if not isinstance(data, dict):
        raise error(f"{source}: expected a mapping at the top of the file", hint)
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        raise error(describe(exc, node, source), hint) from None


def describe(exc: ValidationError, node: Any, source: str, limit: int = 5) -> str:
    """pydantic's errors as ``<source> line N: path: message``, at most ``limit``."""
    lines = line_index(node)
    problems = []
    for err in exc.errors()[:limit]:
        loc = tuple(err["loc"])
        line = nearest_line(lines, loc)
        path = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in loc)
        path = path.replace(".[", "[")
        message = err["msg"].removeprefix("Value error, ")
        problems.append(f"{source} line {line}: {path or '(top)'}: {message}")
    return "; ".join(problems)


def line_index(node: Any, path: tuple[Any, ...] = ()) -> dict[tuple[Any, ...], int]:
    """1-based line of every key and item in the YAML node tree, by pydantic-style path."""
    lines: dict[tuple[Any, ...], int] = {}
    if node is None:
        return lines
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            sub = path + (key.value,)
            lines.update(line_index(value, sub))
            lines[sub] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines.update(line_index(item, path + (i,)))
    return lines


def nearest_line(lines: dict[tuple[Any, ...], int], loc: tuple[Any, ...]) -> int:
    for cut in range(len(loc), -1, -1):
        if loc[:cut] in lines:
            return lines[loc[:cut]]
    return 1

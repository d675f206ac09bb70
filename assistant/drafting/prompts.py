"""Prompt files (``prompts/*.yaml``): every word a reply or an LLM prompt uses lives there.

Each file has a ``version`` that drafts record. Files are loaded strictly: unknown keys
are errors, a placeholder that names no declared variable is an error at load time (with
its line), and rendering without a value a fragment needs is an error too.
"""

from __future__ import annotations

import hashlib
import re
import string
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from assistant.config import PROJECT_ROOT
from assistant.datafiles import parse_yaml, read_text, validate_yaml
from assistant.errors import PromptError

PROMPTS_DIR = PROJECT_ROOT / "prompts"
_FIELD = re.compile(r"\{([a-z_]+)\}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def placeholders(text: str) -> set[str]:
    """The ``{name}`` fields of a template (``string.Formatter`` rules; ``{{`` escapes)."""
    names = set()
    for _, field, _, _ in string.Formatter().parse(text):
        if field is not None:
            if not re.fullmatch(r"[a-z_]+", field):
                raise ValueError(f"{{{field}}} is not a plain variable name")
            names.add(field)
    return names


class Option(_Strict):
    """Wording used when every variable in ``needs`` has a value; ``text`` holds
    interchangeable variants (one is picked per ticket, so two tickets do not read the
    same)."""

    needs: list[str] = Field(default_factory=list)
    text: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _fields_are_needed(self, info: ValidationInfo) -> "Option":
        always = set((info.context or {}).get("always", ()))
        declared = set((info.context or {}).get("variables", ()))
        for name in self.needs:
            if declared and name not in declared:
                raise ValueError(f"needs {name!r}, which is not in the file's `variables`")
        for variant in self.text:
            try:
                used = placeholders(variant)
            except ValueError as exc:
                raise ValueError(f"{exc} in {variant[:60]!r}") from None
            missing = used - set(self.needs) - always
            if missing:
                raise ValueError(
                    f"{variant[:60]!r} uses {', '.join(sorted(missing))} without listing "
                    "it under `needs` (or in `always`)"
                )
        return self


class PromptFile(_Strict):
    version: str = Field(min_length=1)
    description: str = ""
    variables: list[str] = Field(default_factory=list)
    always: list[str] = Field(default_factory=list)  # variables every render provides
    fragments: dict[str, list[Option]] = Field(default_factory=dict)
    templates: dict[str, str] = Field(default_factory=dict)  # whole prompts (LLM writer)

    @field_validator("templates")
    @classmethod
    def _template_fields(cls, value: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        declared = set((info.context or {}).get("variables", ())) | set(
            (info.context or {}).get("always", ())
        )
        for name, text in value.items():
            unknown = placeholders(text) - declared
            if declared and unknown:
                raise ValueError(
                    f"template {name!r} uses {', '.join(sorted(unknown))}, not in `variables`"
                )
        return value

    def has(self, key: str) -> bool:
        return key in self.fragments

    def render(
        self, key: str, values: Mapping[str, Any], seed: str = "", required: bool = True
    ) -> str:
        """The first option of ``key`` whose needs all have values, one variant chosen by
        ``seed``. A missing fragment (when ``required``) or value is a PromptError."""
        options = self.fragments.get(key)
        if options is None:
            if required:
                raise PromptError(
                    f"the prompt file has no fragment {key!r}",
                    "add it under `fragments` in the prompt YAML (see prompts/README.md)",
                )
            return ""
        for option in options:
            if all(_present(values.get(n)) for n in option.needs):
                variant = option.text[_pick(seed + key, len(option.text))]
                return fill(variant, values, key)
        if required:
            raise PromptError(
                f"no option of fragment {key!r} fits the values given "
                f"({', '.join(sorted(k for k, v in values.items() if _present(v)))})",
                "give the fragment a last option with `needs: []`",
            )
        return ""

    def template(self, name: str, values: Mapping[str, Any]) -> str:
        if name not in self.templates:
            raise PromptError(f"the prompt file has no template {name!r}", "add it under `templates`")
        return fill(self.templates[name], values, name)


def fill(text: str, values: Mapping[str, Any], where: str) -> str:
    missing = [n for n in placeholders(text) if not _present(values.get(n))]
    if missing:
        raise PromptError(
            f"fragment {where!r} needs {', '.join(sorted(missing))}, which has no value",
            "this is a bug in the code that renders it, or list the variable under `needs`",
        )
    return text.format(**{n: values[n] for n in placeholders(text)})


def _present(value: Any) -> bool:
    return value is not None and value != "" and value != []


def _pick(seed: str, n: int) -> int:
    digest = hashlib.sha256(seed.encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") % n


def prompt_path(name: str, directory: Path | None = None) -> Path:
    return (directory or PROMPTS_DIR) / f"{name}.yaml"


@lru_cache(maxsize=16)
def load_prompt(name: str, directory: Path | None = None) -> PromptFile:
    """``prompts/<name>.yaml``, validated; PromptError names the file and the line."""
    path = prompt_path(name, directory)
    text = read_text(path, "prompt file", PromptError, "restore it from git (prompts/)")
    hint = "fix the named line (the format is described in prompts/README.md)"
    # The declared variables must be known before the fragments are checked.
    data, _ = parse_yaml(text, str(path), PromptError)
    head = data if isinstance(data, dict) else {}
    context = {
        "variables": [str(v) for v in head.get("variables") or []],
        "always": [str(v) for v in head.get("always") or []],
    }
    return validate_yaml(text, PromptFile, str(path), PromptError, hint, context=context)

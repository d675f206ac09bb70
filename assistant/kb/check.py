"""``assistant kb check``: the lint a team runs before ingesting.

- front matter and file format (what the loaders refuse);
- duplicate ids (two files with one id and one version; two resolutions with one id);
- broken cross-references (a chunk id or document id in the text that no document has,
  a Markdown link to a file that does not exist);
- figures that disagree: a time limit, amount limit or liability cap stated for a rule
  with a figure other than the one declared once in ``assistant/clocks/figures.yaml``
  (the figures the clocks and liability rules compute), in digits or in words;
- contact points: a phone number or e-mail in a document that `public_contacts` does not
  declare (the ingest would redact it as personal data), or a declared one the text lacks;
- superseded resolutions are listed, with their reason.

Statutes (`type: regulation`) are the law itself and are not checked for figures.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterator, Literal

from assistant.clocks.figures import Registry, check_figures, load_figures
from assistant.errors import KbSourceError
from assistant.guards.pii import PiiDetector
from assistant.kb.chunking import chunk_document
from assistant.kb.documents import Document
from assistant.kb.ingest import public_contacts
from assistant.kb.loaders import load_file, source_files

Severity = Literal["error", "warning", "info"]
_REFERENCE = re.compile(
    r"(?<![\w/.-])((?:policy|terms|guide|regulation|resolution)/[a-z0-9][a-z0-9._/-]*[a-z0-9])"
    r"(#[a-z0-9-]+)?"
)
_MD_LINK = re.compile(r"\]\(([^)#\s]+\.(?:md|html|pdf|txt))(?:#[^)]*)?\)")


@dataclass(frozen=True)
class Issue:
    file: str
    line: int
    kind: str  # front_matter, duplicate_id, broken_reference, figure, contact, superseded
    severity: Severity
    message: str


def _line_of(raw: str, needle: str, default: int = 1) -> int:
    """1-based line of the first occurrence of ``needle`` (whitespace-insensitive)."""
    if not needle:
        return default
    pattern = r"\s+".join(re.escape(w) for w in needle.split()[:12])
    m = re.search(pattern, raw)
    return raw[: m.start()].count("\n") + 1 if m else default


def _documents(root: Path) -> Iterator[Document]:
    """Every document the sources under ``root`` load as (files that fail are skipped)."""
    for path in source_files(root):
        try:
            loaded, _ = load_file(path, root)
        except KbSourceError:
            continue
        yield from loaded


def source_chunk_ids(root: Path) -> set[str]:
    """The chunk ids the sources under ``root`` would be indexed as (no index needed)."""
    return {c.chunk_id for doc in _documents(root) for c in chunk_document(doc)}


def source_public_contacts(root: Path) -> list[str]:
    """Every contact point a kb document declares public (a reply may quote them)."""
    found: list[str] = []
    for doc in _documents(root):
        found += [c for c in public_contacts(doc) if c not in found]
    return found


def check_kb(root: Path, registry: Registry | None = None) -> list[Issue]:
    registry = registry or load_figures()
    pii = PiiDetector()
    issues: list[Issue] = []
    docs: list[tuple[Document, Path, str]] = []
    for path in source_files(root):
        rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
        try:
            loaded, errors = load_file(path, root)
        except KbSourceError as exc:
            issues.append(Issue(rel, _where_line(exc.message), "front_matter", "error",
                                f"{exc.message} ({exc.hint})"))
            continue
        for exc in errors:
            issues.append(Issue(rel, _where_line(exc.message), "front_matter", "error",
                                f"{exc.message} ({exc.hint})"))
        try:
            raw = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            raw = ""
        docs += [(d, path, raw) for d in loaded]
        if path.suffix.lower() == ".jsonl":
            issues += _superseded(rel, raw)

    # duplicate ids
    seen: dict[tuple[str, str], str] = {}
    for doc, path, raw in docs:
        key = (doc.meta.id, doc.meta.version)
        line = _record_line(doc) or _line_of(raw, f"id: {doc.meta.id}")
        if key in seen:
            issues.append(Issue(doc.source.split("#")[0], line, "duplicate_id", "error",
                                f"{doc.meta.id} version {doc.meta.version} is also in {seen[key]}"))
        else:
            seen[key] = doc.source

    doc_ids = {d.meta.id for d, _, _ in docs}
    chunk_ids = {c.chunk_id for d, _, _ in docs for c in chunk_document(d)}
    for doc, path, raw in docs:
        file = doc.source.split("#")[0]
        base = _record_line(doc)
        # cross-references
        for section in doc.sections:
            for m in _REFERENCE.finditer(section.text):
                target = m.group(1) + (m.group(2) or "")
                known = target in chunk_ids if m.group(2) else m.group(1) in doc_ids
                if not known:
                    issues.append(Issue(file, base or _line_of(raw, m.group(0)),
                                        "broken_reference", "error",
                                        f"{target} is not a {'chunk' if m.group(2) else 'document'}"
                                        " of this knowledge base"))
            for m in _MD_LINK.finditer(section.text):
                if not (path.parent / m.group(1)).exists():
                    issues.append(Issue(file, base or _line_of(raw, m.group(0)),
                                        "broken_reference", "error",
                                        f"the link to {m.group(1)} points to no file"))
        # figures
        if doc.meta.type != "regulation":
            for section in doc.sections:
                context = " ".join(section.path)
                for issue in check_figures(section.text, registry, context):
                    line = base or _line_of(raw, issue.clause)
                    issues.append(Issue(file, line, "figure", "error",
                                        f"{issue.why}: \"{issue.clause[:160]}\""))
        # contact points
        declared = public_contacts(doc)
        body = "\n".join(s.text for s in doc.sections)
        for value in declared:
            if " ".join(value.split()) not in " ".join(body.split()):
                issues.append(Issue(file, base or 1, "contact", "warning",
                                    f"public_contacts declares {value!r}, which the text does "
                                    "not contain"))
        kept = {v.lower() for v in declared}
        for f in pii.find(body):
            if f.type in ("PHONE", "EMAIL") and not any(f.value.lower() in k for k in kept):
                issues.append(Issue(file, base or _line_of(raw, f.value), "contact", "warning",
                                    f"{f.type.lower()} {f.value!r} is not declared in "
                                    "public_contacts: the ingest will redact it"))
    issues.sort(key=lambda i: (i.file, i.line, i.kind))
    return issues


def _record_line(doc: Document) -> int | None:
    """The JSONL line of a resolution (its source is 'file#<n>': the n-th record)."""
    if "#" not in doc.source:
        return None
    try:
        return int(doc.source.rsplit("#", 1)[1])
    except ValueError:
        return None


def _where_line(message: str) -> int:
    m = re.search(r"\b(?:line|row) (\d+)", message)
    return int(m.group(1)) if m else 1


def _superseded(rel: str, raw: str) -> list[Issue]:
    out = []
    for n, line in enumerate(raw.splitlines(), 1):
        try:
            record = json.loads(line) if line.strip() else None
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict) and str(record.get("superseded") or "").strip():
            out.append(Issue(rel, n, "superseded", "info",
                             f"{record.get('id')} is superseded and not indexed: "
                             f"{record['superseded']}"))
    return out


def to_dict(issues: list[Issue]) -> dict[str, object]:
    return {
        "errors": sum(i.severity == "error" for i in issues),
        "warnings": sum(i.severity == "warning" for i in issues),
        "issues": [asdict(i) for i in issues],
    }

"""Read knowledge-base sources into documents: Markdown, HTML, PDF, plain text, and
JSONL/CSV for past resolutions.

Each loader finds the document's sections from its own structure (Markdown headings,
HTML ``<h2>``-``<h4>``, numbered or underlined headings in text and PDF), never from
fixed-size windows. A file that cannot be used raises or returns a
:class:`~assistant.errors.KbSourceError` naming the file; the ingest reports it and goes
on with the rest.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any, Callable, Iterable

import frontmatter
import yaml

from assistant.errors import KbSourceError
from assistant.kb.documents import Document, Section, parse_meta

TEXT_SUFFIXES = {".md", ".markdown", ".txt", ".text", ".html", ".htm"}
SUFFIXES = TEXT_SUFFIXES | {".pdf", ".jsonl", ".csv"}
MAX_FILE_BYTES = 20_000_000  # a source bigger than this is almost surely not a policy


def _read_text(path: Path, where: str) -> str:
    data = path.read_bytes()
    if not data.strip():
        raise KbSourceError(f"{where}: the file is empty", "add content or delete the file")
    if b"\x00" in data[:4096]:
        raise KbSourceError(
            f"{where}: looks binary, not text", "save it as UTF-8 text (or as a real PDF)"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise KbSourceError(
            f"{where}: not valid UTF-8 (byte {exc.start})", "re-save the file as UTF-8"
        ) from None


def _split_front_matter(text: str, where: str) -> tuple[dict[str, Any], str]:
    if not text.lstrip().startswith("---"):
        return {}, text
    try:
        post = frontmatter.loads(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise KbSourceError(
            f"{where}: front matter is not valid YAML{line} ({getattr(exc, 'problem', exc)})",
            "fix the YAML between the two '---' lines at the top of the file",
        ) from None
    if not isinstance(post.metadata, dict):
        raise KbSourceError(f"{where}: front matter is not a mapping", "write `key: value` lines")
    return dict(post.metadata), post.content


def _sections_or_fail(sections: list[Section], where: str) -> list[Section]:
    sections = [s for s in sections if s.text.strip()]
    if not sections:
        raise KbSourceError(f"{where}: no text after the front matter", "add the document body")
    return sections


# ---------------------------------------------------------------- Markdown
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def markdown_sections(body: str) -> list[Section]:
    """Sections under ``##``-``####`` headings (``#`` is the title, text before the first
    section becomes "Overview"). Headings inside code blocks are not headings: the
    Markdown parser (markdown-it) decides, not a regular expression."""
    from markdown_it import MarkdownIt

    body = _COMMENT.sub("", body)
    lines = body.splitlines()
    tokens = MarkdownIt("commonmark").parse(body)
    heads: list[tuple[int, int, int, str]] = []  # (level, first line, after line, text)
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.map:
            heads.append((int(tok.tag[1]), tok.map[0], tok.map[1], tokens[i + 1].content.strip()))
    sections: list[Section] = []
    stack: list[tuple[int, str]] = []
    first = heads[0][1] if heads else len(lines)
    intro = "\n".join(lines[:first]).strip()
    if intro:
        sections.append(Section(("Overview",), intro))
    for n, (level, _start, after, title) in enumerate(heads):
        end = heads[n + 1][1] if n + 1 < len(heads) else len(lines)
        text = "\n".join(lines[after:end]).strip()
        if level == 1:
            if text:
                sections.append(Section(("Overview",), text))
            stack = []
            continue
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, title))
        if text:
            sections.append(Section(tuple(t for _, t in stack), text))
    return sections


# ---------------------------------------------------------------- plain text and PDF
_NUMBERED = re.compile(r"^(?:\d+(?:\.\d+)*\.?|[A-Z]\.|\([a-z0-9]{1,3}\)|Section \d+[.:]?)\s+\S")
_UNDERLINE = re.compile(r"^(=+|-+)\s*$")


def _is_heading(line: str) -> int:
    """0 if ``line`` is body text, else the heading level (2 = section, 3 = subsection)."""
    s = line.strip()
    if not s or len(s) > 90 or s.endswith((".", ",", ";", ":")) and not _NUMBERED.match(s):
        return 0
    if s.startswith("#"):
        return max(2, min(4, len(s) - len(s.lstrip("#"))))
    if _NUMBERED.match(s) and len(s.split()) <= 12 and not s.endswith((".", ",", ";")):
        number = s.split()[0].rstrip(".")
        return 3 if "." in number else 2
    letters = [c for c in s if c.isalpha()]
    if len(letters) >= 4 and all(c.isupper() for c in letters) and len(s.split()) <= 10:
        return 2
    return 0


def text_sections(body: str) -> list[Section]:
    """Sections of plain text: ``#`` headings, underlined headings, numbered headings
    ("7.", "7.2", "(a)", "Section 3") and short ALL-CAPS lines."""
    lines = body.splitlines()
    sections: list[Section] = []
    stack: list[tuple[int, str]] = []
    buf: list[str] = []

    def flush() -> None:
        text = "\n".join(buf).strip()
        if text:
            sections.append(Section(tuple(t for _, t in stack) or ("Overview",), text))
        buf.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        underlined = i + 1 < len(lines) and _UNDERLINE.match(lines[i + 1]) and line.strip()
        level = (2 if lines[i + 1].strip()[0] == "=" else 3) if underlined else _is_heading(line)
        if level:
            flush()
            title = line.strip().lstrip("#").strip()
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, title))
            i += 2 if underlined else 1
            continue
        buf.append(line)
        i += 1
    flush()
    return sections


# ---------------------------------------------------------------- HTML
_BLOCKS = {"p", "div", "li", "tr", "br", "pre", "blockquote", "section", "article", "dd", "dt"}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4}


def html_sections(html: str) -> tuple[dict[str, Any], list[Section]]:
    """Front matter from ``<meta name="kb:<field>">`` tags, sections from ``<h2>``-``<h4>``.
    The page is walked in document order, so nested ``<section>``/``<div>`` layouts work."""
    from bs4 import BeautifulSoup, NavigableString, Tag

    soup = BeautifulSoup(html, "html.parser")
    meta = {
        str(tag["name"])[3:]: str(tag.get("content", ""))
        for tag in soup.find_all("meta")
        if str(tag.get("name", "")).startswith("kb:")
    }
    for tag in soup(["script", "style", "noscript", "template", "head"]):
        tag.decompose()
    parts: list[str] = []  # text with "\x00<level>\x00<title>\n" heading markers

    def walk(node: Tag) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if type(child) is NavigableString:  # skip comments, doctype, CDATA
                    parts.append(str(child))
            elif isinstance(child, Tag):
                if child.name in _HEADINGS:
                    title = " ".join(child.get_text(" ").split())
                    parts.append(f"\n\x00{_HEADINGS[child.name]}\x00{title}\n")
                    continue
                if child.name in _BLOCKS:
                    parts.append("\n")
                walk(child)
                if child.name in _BLOCKS:
                    parts.append("\n")

    walk(soup)
    sections: list[Section] = []
    stack: list[tuple[int, str]] = []
    buf: list[str] = []

    def flush() -> None:
        text = "\n".join(" ".join(line.split()) for line in "".join(buf).splitlines())
        text = re.sub(r"\n{3,}", "\n\n", text).strip()
        if text:
            sections.append(Section(tuple(t for _, t in stack) or ("Overview",), text))
        buf.clear()

    for piece in re.split(r"(\n\x00\d\x00[^\n]*\n)", "".join(parts)):
        marker = re.fullmatch(r"\n\x00(\d)\x00([^\n]*)\n", piece)
        if not marker:
            buf.append(piece)
            continue
        flush()
        level, title = int(marker.group(1)), marker.group(2)
        if level == 1:
            stack = []
            continue
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, title))
    flush()
    return meta, sections


# ---------------------------------------------------------------- PDF
def pdf_text(path: Path, where: str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            raise KbSourceError(
                f"{where}: the PDF is encrypted", "save an unencrypted copy of it in kb/"
            )
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    except KbSourceError:
        raise
    except (PdfReadError, OSError, ValueError, KeyError, TypeError) as exc:
        raise KbSourceError(
            f"{where}: unreadable PDF ({type(exc).__name__}: {exc})",
            "re-export the PDF from its source, or convert it to Markdown",
        ) from None
    if not text.strip():
        raise KbSourceError(
            f"{where}: the PDF has no text layer (a scan?)",
            "run OCR on it first, or convert it to Markdown",
        )
    return text


def _sidecar_meta(path: Path, where: str) -> dict[str, Any]:
    """Front matter for a PDF lives next to it in ``<name>.pdf.yaml`` (PDFs have no
    room for a YAML header); a YAML block at the top of the PDF's text also works."""
    sidecar = path.with_name(path.name + ".yaml")
    if not sidecar.is_file():
        return {}
    try:
        data = yaml.safe_load(sidecar.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise KbSourceError(
            f"{where}: its front matter file {sidecar.name} is not valid YAML ({exc})",
            f"fix {sidecar.name}",
        ) from None
    if not isinstance(data, dict):
        raise KbSourceError(f"{where}: {sidecar.name} is not a mapping", "write key: value lines")
    return data


# ---------------------------------------------------------------- resolutions (JSONL / CSV)
RESOLUTION_PARTS = (
    ("summary", "Ticket summary"),
    ("actions", "What we did"),
    ("outcome", "Outcome"),
    ("reply", "Approved reply"),
)


def record_document(record: dict[str, Any], source: str, where: str) -> Document:
    """A past resolution (or any record with ``text``) as a one-section document."""
    if not isinstance(record, dict):
        raise KbSourceError(f"{where}: not a JSON object", "write one object per line")
    meta = parse_meta({k: v for k, v in record.items() if v not in ("", None)}, where)
    parts = [
        f"{label}: {str(record[key]).strip()}"
        for key, label in RESOLUTION_PARTS
        if str(record.get(key) or "").strip()
    ]
    if not parts and str(record.get("text") or "").strip():
        parts = [str(record["text"]).strip()]
    if not parts:
        raise KbSourceError(
            f"{where}: the record has no text",
            "give it summary, actions, outcome and reply (or a text field)",
        )
    heading = "Case" if meta.type == "resolution" else meta.title
    return Document(meta, [Section((heading,), "\n".join(parts))], source)


def _records(path: Path, where: str) -> Iterable[tuple[str, Any]]:
    text = _read_text(path, where)
    if path.suffix.lower() == ".jsonl":
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                yield f"{where} line {n}", json.loads(line)
            except json.JSONDecodeError as exc:
                yield f"{where} line {n}", KbSourceError(
                    f"{where} line {n}: not valid JSON ({exc.msg} at column {exc.colno})",
                    "fix that line; each line is one JSON object",
                )
        return
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "id" not in reader.fieldnames:
        raise KbSourceError(
            f"{where}: the CSV has no header row with an id column",
            "the first row names the columns: id,title,type,version,effective_date,owner,"
            "summary,actions,outcome,reply",
        )
    for n, row in enumerate(reader, 2):
        yield f"{where} row {n}", row


# ---------------------------------------------------------------- entry point
def load_file(path: Path, root: Path) -> tuple[list[Document], list[KbSourceError]]:
    """Documents in one source file, and the per-record errors of a JSONL/CSV file.
    A file-level problem raises :class:`KbSourceError`."""
    rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    where = rel
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise KbSourceError(
            f"{where}: unsupported file type {suffix or '(none)'}",
            "use .md, .html, .pdf, .txt, .jsonl or .csv",
        )
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise KbSourceError(f"{where}: cannot read ({exc.strerror})", "check the path") from None
    if size > MAX_FILE_BYTES:
        raise KbSourceError(
            f"{where}: {size / 1e6:.0f} MB is too large for one document",
            f"split it into documents under {MAX_FILE_BYTES // 1_000_000} MB",
        )
    if suffix in {".jsonl", ".csv"}:
        docs: list[Document] = []
        errors: list[KbSourceError] = []
        superseded = 0
        for n, (record_where, record) in enumerate(_records(path, where), 1):
            if isinstance(record, KbSourceError):
                errors.append(record)
                continue
            if isinstance(record, dict) and str(record.get("superseded") or "").strip():
                superseded += 1
                continue  # kept in the file as history, never indexed or cited
            try:
                docs.append(record_document(record, f"{rel}#{n}", record_where))
            except KbSourceError as exc:
                errors.append(exc)
        if not docs and not errors and not superseded:
            raise KbSourceError(f"{where}: no records", "add one resolution per line")
        return docs, errors

    split: Callable[[str], list[Section]]
    if suffix == ".pdf":
        meta = _sidecar_meta(path, where)
        text_meta, body = _split_front_matter(pdf_text(path, where), where)
        meta = meta or text_meta
        sections = text_sections(body)
    else:
        meta, body = _split_front_matter(_read_text(path, where), where)
        if suffix in {".html", ".htm"}:
            tag_meta, sections = html_sections(body)
            meta = meta or tag_meta
        else:
            split = markdown_sections if suffix in {".md", ".markdown"} else text_sections
            sections = split(body)
    if not meta:
        raise KbSourceError(
            f"{where}: no front matter",
            "start the file with a YAML block between '---' lines (id, title, type, version, "
            "effective_date, owner)"
            + ("; for a PDF put it in " + path.name + ".yaml next to it" if suffix == ".pdf" else ""),
        )
    return [Document(parse_meta(meta, where), _sections_or_fail(sections, where), rel)], []


def source_files(root: Path) -> list[Path]:
    """Every file under ``root`` an ingest reads (README files and sidecars excluded)."""
    if root.is_file():
        return [root]
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file()
        and p.suffix.lower() in SUFFIXES
        and p.name.lower() not in {"readme.md", "readme.txt", "license.md", "licence.md"}
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )

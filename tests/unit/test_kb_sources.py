"""Knowledge-base sources: front matter, section finding per format, chunk ids, and the
shipped kb/ itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.config import PROJECT_ROOT
from assistant.errors import KbSourceError
from assistant.kb.chunking import chunk_document
from assistant.kb.documents import Document, DocMeta, Section
from assistant.kb.loaders import (
    html_sections,
    load_file,
    markdown_sections,
    source_files,
    text_sections,
)

FRONT = """---
id: policy/sample
title: Sample policy
type: policy
version: 2
effective_date: 2026-01-01
owner: Tests
---
"""
KB = PROJECT_ROOT / "kb"


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_markdown_sections_follow_headings_not_code_blocks() -> None:
    body = (
        "# Title\n\nIntro line.\n\n## Provisional credit\n\nCredit within 10 days.\n\n"
        "```\n## not a heading\n```\n\n### New accounts\n\n20 business days.\n\n## Fees\n\nNone.\n"
    )
    sections = markdown_sections(body)
    assert [s.path for s in sections] == [
        ("Overview",),
        ("Provisional credit",),
        ("Provisional credit", "New accounts"),
        ("Fees",),
    ]
    assert "## not a heading" in sections[1].text


def test_html_sections_walk_nested_layouts_and_read_meta_tags() -> None:
    meta, sections = html_sections(
        '<html><head><meta name="kb:id" content="policy/x"><title>t</title>'
        "<style>h2{}</style></head><body><h1>X</h1><div><section><h2>Freeze first</h2>"
        "<p>Freeze the <b>card</b> in the app.</p><script>alert(1)</script></section>"
        "<section><h2>Delivery</h2><ul><li>Standard: 5 to 7 days.</li><li>Express: 2.</li>"
        "</ul><h3>Abroad</h3><p>Longer.</p></section></div></body></html>"
    )
    assert meta == {"id": "policy/x"}
    assert [s.path for s in sections] == [
        ("Freeze first",), ("Delivery",), ("Delivery", "Abroad"),
    ]
    assert sections[0].text == "Freeze the card in the app."
    assert "alert" not in " ".join(s.text for s in sections)
    assert "Standard: 5 to 7 days." in sections[1].text


def test_text_sections_find_numbered_and_underlined_headings() -> None:
    sections = text_sections(
        "7. Errors\n7.1 Telling us\nContact us within 60 days.\n7.2 Our investigation\n"
        "We decide within 10 business days.\n\nFEES AND CHARGES\nNo monthly fee.\n"
        "Closing\n=======\nYou may close it.\n"
    )
    assert [s.path for s in sections] == [
        ("7. Errors", "7.1 Telling us"),
        ("7. Errors", "7.2 Our investigation"),
        ("FEES AND CHARGES",),
        ("Closing",),
    ]


def test_markdown_file_loads_with_validated_front_matter(tmp_path: Path) -> None:
    path = write(tmp_path, "p.md", FRONT + "# Sample\n\n## Timing\n\nTen days.\n")
    [doc], errors = load_file(path, tmp_path)
    assert errors == []
    assert doc.meta.version == "2" and doc.meta.effective_date.isoformat() == "2026-01-01"
    assert doc.source == "p.md" and doc.sections == [Section(("Timing",), "Ten days.")]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.md", "", "empty"),
        ("blank.md", "  \n\n", "empty"),
        ("junk.md", b"\x00\x01\x02binary\xff", "binary"),
        ("latin1.md", "caf\xe9".encode("latin-1"), "UTF-8"),
        ("nofm.md", "# Title\n\n## A\n\ntext\n", "no front matter"),
        ("badyaml.md", "---\nid: [unclosed\n---\n## A\n\ntext\n", "not valid YAML line"),
        ("missing.md", "---\nid: policy/x\ntitle: X\n---\n## A\n\ntext\n", "lacks type, version"),
        ("badtype.md", FRONT.replace("type: policy", "type: memo") + "## A\n\nt\n", "type"),
        ("baddate.md", FRONT.replace("2026-01-01", "next week") + "## A\n\nt\n", "effective_date"),
        ("nobody.md", FRONT, "no text"),
        ("x.docx", "hello", "unsupported file type"),
        ("broken.pdf", b"%PDF-1.4\nnot really a pdf at all", "unreadable PDF"),
    ],
)
def test_bad_sources_get_a_clear_per_file_error(
    tmp_path: Path, name: str, content: str | bytes, message: str
) -> None:
    path = write(tmp_path, name, content)
    with pytest.raises(KbSourceError) as err:
        load_file(path, tmp_path)
    assert name in err.value.message and message in err.value.message
    assert err.value.hint


def _pdf(path: Path, lines: list[str]) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for line in lines:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def test_pdf_with_sidecar_front_matter_is_split_at_its_numbered_headings(tmp_path: Path) -> None:
    pdf = _pdf(
        tmp_path / "fees.pdf",
        ["1. ATM withdrawals", "Out-of-network withdrawals cost $3.00 each.",
         "2. Instant transfers", "Instant transfers cost 1.75% of the amount."],
    )
    (tmp_path / "fees.pdf.yaml").write_text(FRONT.strip("-\n").replace("---", ""))
    [doc], _ = load_file(pdf, tmp_path)
    assert [s.path for s in doc.sections] == [("1. ATM withdrawals",), ("2. Instant transfers",)]
    assert "$3.00" in doc.sections[0].text
    assert [c.chunk_id for c in chunk_document(doc)] == [
        "policy/sample#1-atm-withdrawals", "policy/sample#2-instant-transfers",
    ]


def test_pdf_without_front_matter_says_where_to_put_it(tmp_path: Path) -> None:
    pdf = _pdf(tmp_path / "bare.pdf", ["1. Section", "Some text."])
    with pytest.raises(KbSourceError, match="bare.pdf.yaml"):
        load_file(pdf, tmp_path)


def test_jsonl_resolutions_load_per_record_and_report_bad_lines(tmp_path: Path) -> None:
    good = {
        "id": "resolution/r-1", "title": "Duplicate charge", "type": "resolution",
        "version": "1", "effective_date": "2026-01-02", "owner": "Disputes",
        "summary": "Charged twice.", "actions": "Filed a chargeback.", "outcome": "Won.",
        "reply": "We disputed the second charge.",
    }
    path = write(
        tmp_path,
        "res.jsonl",
        "\n".join([json.dumps(good), "{not json", json.dumps({**good, "id": "resolution/r-2",
                   "owner": None}), "", json.dumps({**good, "id": "resolution/r-3"})]),
    )
    docs, errors = load_file(path, tmp_path)
    assert [d.meta.id for d in docs] == ["resolution/r-1", "resolution/r-3"]
    assert docs[0].sections[0].text.startswith("Ticket summary: Charged twice.")
    assert "Approved reply: We disputed" in docs[0].sections[0].text
    assert [e.message.split(":")[0] for e in errors] == ["res.jsonl line 2", "res.jsonl line 3"]
    assert chunk_document(docs[0])[0].chunk_id == "resolution/r-1#case"


def test_csv_resolutions_need_a_header(tmp_path: Path) -> None:
    path = write(tmp_path, "res.csv", "a,b\n1,2\n")
    with pytest.raises(KbSourceError, match="no header row with an id column"):
        load_file(path, tmp_path)
    path = write(
        tmp_path, "ok.csv",
        "id,title,type,version,effective_date,owner,summary,reply\n"
        'resolution/c-1,Late refund,resolution,1,2026-02-01,Care,"Refund late, 12 days.",Opened a dispute.\n',
    )
    [doc], errors = load_file(path, tmp_path)
    assert errors == [] and doc.meta.id == "resolution/c-1" and doc.source == "ok.csv#1"


def _doc(sections: list[Section]) -> Document:
    meta = DocMeta(id="policy/unauthorized-transfers", title="T", type="policy", version="1",
                   effective_date="2026-01-01", owner="o")
    return Document(meta, sections, "p.md")


def test_chunk_ids_are_stable_unique_and_long_sections_split() -> None:
    chunks = chunk_document(
        _doc([
            Section(("Provisional credit",), "Credit within 10 business days."),
            Section(("Cards", "Timing"), "Card timing."),
            Section(("Transfers", "Timing"), "Transfer timing."),
            Section(("Long",), "\n\n".join(["word " * 100] * 12)),
        ])
    )
    ids = [c.chunk_id for c in chunks]
    assert ids[:3] == [
        "policy/unauthorized-transfers#provisional-credit",
        "policy/unauthorized-transfers#cards-timing",
        "policy/unauthorized-transfers#transfers-timing",
    ]
    assert ids[3] == "policy/unauthorized-transfers#long"
    assert ids[4] == "policy/unauthorized-transfers#long-part-2" and len(set(ids)) == len(ids)
    assert all(len(c.text) <= 2_400 for c in chunks)
    assert chunks[1].section == "Cards > Timing"


def test_content_hash_changes_with_text_and_metadata_only() -> None:
    a = _doc([Section(("A",), "one")])
    assert a.content_hash == _doc([Section(("A",), "one")]).content_hash
    assert a.content_hash != _doc([Section(("A",), "two")]).content_hash


# --------------------------------------------------------------- the shipped knowledge base
def test_shipped_kb_loads_cleanly_and_has_the_promised_content() -> None:
    docs: list[Document] = []
    for path in source_files(KB):
        loaded, errors = load_file(path, KB)
        assert errors == [], errors
        docs += loaded
    by_type: dict[str, set[str]] = {}
    for doc in docs:
        by_type.setdefault(doc.meta.type, set()).add(doc.meta.id)
    assert len(by_type["policy"]) >= 11 and len(by_type["guide"]) >= 1  # 12 policy docs
    assert len(by_type["policy"] | by_type["guide"]) >= 12
    assert len(by_type["resolution"]) >= 40
    assert by_type["terms"] == {"terms/terms-of-service"}
    assert len(by_type["regulation"]) == 5
    keys = [d.key for d in docs]
    assert len(keys) == len(set(keys)), "two files hold the same id and version"
    terms = next(d for d in docs if d.meta.type == "terms")
    assert any(s.path[-1].startswith("7.2 ") for s in terms.sections)
    formats = {Path(d.source.split("#")[0]).suffix for d in docs}
    assert {".md", ".html", ".jsonl"} <= formats
    fees = sorted(d.meta.effective_date.isoformat() for d in docs if d.meta.id == "policy/fees")
    assert fees == ["2025-01-01", "2026-07-01"]


def test_retrieval_eval_set_cites_only_chunks_that_exist() -> None:
    from assistant.evaluation.retrieval import load_questions

    ids = set()
    for path in source_files(KB):
        for doc in load_file(path, KB)[0]:
            ids |= {c.chunk_id for c in chunk_document(doc)}
    questions = load_questions()
    assert len(questions) >= 80
    missing = {c for q in questions for c in q["relevant"]} - ids
    assert not missing

"""`assistant kb check`: the knowledge base has no figure that disagrees with the rules,
and a planted contradiction is caught with its file and line."""

from pathlib import Path

from assistant.config import PROJECT_ROOT
from assistant.kb.check import check_kb

FRONT = """---
id: {id}
title: {title}
type: policy
version: "1"
effective_date: 2026-01-01
owner: Tests
{extra}---

"""


def _doc(root: Path, name: str, doc_id: str, body: str, extra: str = "") -> Path:
    path = root / name
    path.write_text(FRONT.format(id=doc_id, title=doc_id, extra=extra) + body, encoding="utf-8")
    return path


def test_the_shipped_knowledge_base_has_no_errors() -> None:
    issues = check_kb(PROJECT_ROOT / "kb")
    errors = [i for i in issues if i.severity == "error"]
    assert errors == [], "\n".join(f"{i.file}:{i.line}: {i.message}" for i in errors)


def test_a_planted_contradiction_is_reported_with_file_and_line(tmp_path: Path) -> None:
    _doc(tmp_path, "good.md", "policy/good",
         "# Good\n\n## Timeline\n\nWe investigate within 10 business days of the notice.\n")
    _doc(tmp_path, "bad.md", "policy/bad",
         "# Bad\n\n## Timeline\n\nSome text first.\n\nWe must investigate within thirty "
         "days of your notice.\n\n## Liability\n\nYou are liable for up to $100 if you tell "
         "us within 2 business days.\n")
    issues = [i for i in check_kb(tmp_path) if i.kind == "figure"]
    assert [(i.file, i.line) for i in issues] == [("bad.md", 16), ("bad.md", 20)]
    assert "thirty days" in issues[0].message and "10 business days" in issues[0].message
    assert "$100" in issues[1].message


def test_references_ids_and_contact_points(tmp_path: Path) -> None:
    _doc(tmp_path, "a.md", "policy/a",
         "# A\n\n## Links\n\nSee policy/a#links and policy/missing#nowhere.\n\n"
         "## Contact\n\nCall (800) 555-0134 or write to help@lumenpay.example.\n",
         extra='public_contacts: ["(800) 555-0134", "(800) 555-0199"]\n')
    _doc(tmp_path, "b.md", "policy/a", "# A again\n\n## Other\n\nText.\n")
    (tmp_path / "r.jsonl").write_text(
        '{"id": "resolution/r-1", "title": "Old", "type": "resolution", "version": "1", '
        '"effective_date": "2026-01-01", "owner": "Care", "summary": "x", "reply": "y", '
        '"superseded": "stated the law wrongly"}\n', encoding="utf-8")
    kinds = {(i.kind, i.severity, i.file) for i in check_kb(tmp_path)}
    assert ("broken_reference", "error", "a.md") in kinds
    assert ("duplicate_id", "error", "b.md") in kinds or ("duplicate_id", "error", "a.md") in kinds
    assert ("contact", "warning", "a.md") in kinds  # the e-mail is not declared; 0199 absent
    assert ("superseded", "info", "r.jsonl") in kinds

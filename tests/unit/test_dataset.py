from pathlib import Path

import pytest

from assistant.errors import DatasetError
from assistant.intent.dataset import load_labelled_csv


def write(tmp_path: Path, content: bytes | str) -> Path:
    path = tmp_path / "data.csv"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def test_loads_text_and_category(tmp_path: Path) -> None:
    data = load_labelled_csv(write(tmp_path, "text,category\nhi there,a\nbye now,b\n"))
    assert data.texts == ["hi there", "bye now"] and data.classes == ["a", "b"]
    assert len(data.sha256) == 64


def test_missing_column_is_named(tmp_path: Path) -> None:
    with pytest.raises(DatasetError) as err:
        load_labelled_csv(write(tmp_path, "message,label\nhi,a\n"))
    assert "text, category" in err.value.message and "header" in err.value.hint


def test_empty_cell_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(DatasetError) as err:
        load_labelled_csv(write(tmp_path, "text,category\nhi,a\n,b\nyo,b\n"))
    assert "line 3" in err.value.message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DatasetError) as err:
        load_labelled_csv(tmp_path / "nope.csv")
    assert "does not exist" in err.value.message


def test_single_category_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(DatasetError) as err:
        load_labelled_csv(write(tmp_path, "text,category\nhi,a\nho,a\n"))
    assert "at least 2" in err.value.message


def test_non_utf8_csv(tmp_path: Path) -> None:
    with pytest.raises(DatasetError) as err:
        load_labelled_csv(write(tmp_path, b"text,category\ncaf\xe9,a\nx,b\n"))
    assert "UTF-8" in err.value.message


def test_thin_classes_are_named(tmp_path: Path) -> None:
    with pytest.raises(DatasetError) as err:
        load_labelled_csv(write(tmp_path, "text,category\nhi,a\nho,a\nyo,b\n"), min_per_class=2)
    assert "b" in err.value.message


def test_hash_changes_with_content(tmp_path: Path) -> None:
    first = load_labelled_csv(write(tmp_path, "text,category\nhi,a\nho,b\n")).sha256
    second = load_labelled_csv(write(tmp_path, "text,category\nhi,a\nhey,b\n")).sha256
    assert first != second

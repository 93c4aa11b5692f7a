"""The YAML reader: libyaml's parser and PyYAML's own give the same document, lines and refusals."""

import pytest

from seedpacks.packfile import source, starter_file
from seedpacks.packfile.problems import Problems

STARTER = starter_file("demo")
LOADERS = [source._Loader] + ([source._FastLoader] if hasattr(source, "_FastLoader") else [])


def _read(text: str, loader: object, monkeypatch: pytest.MonkeyPatch) -> tuple[object, dict]:
    monkeypatch.setattr(source, "_loader", loader)
    problems = Problems()
    data, lines = source.read_document(text, problems)
    assert not problems
    return data, lines.of


@pytest.mark.parametrize("loader", LOADERS, ids=lambda c: c.__name__)
def test_both_parsers_read_the_same_document_with_the_same_lines(
    loader: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, lines = _read(STARTER, loader, monkeypatch)
    assert (data, lines) == _read(STARTER, source._Loader, monkeypatch)
    assert data["tables"][0]["rows"] == 500  # type: ignore[index]
    assert lines[("tables", 0, "rows")] == STARTER[: STARTER.index("rows: 500")].count("\n") + 1
    typed = "a: [no, on, 2024-01-01, '5', 5, 0x1f, 1.5e3, .inf, null, ~, true, False, 1:20]"
    (values,) = _read(typed, loader, monkeypatch)[0].values()  # type: ignore[attr-defined]
    assert values == ["no", "on", "2024-01-01", "5", 5, 31, 1500.0, float("inf"), None, None,
                      True, False, "1:20"]  # fmt: skip


@pytest.mark.parametrize("loader", LOADERS, ids=lambda c: c.__name__)
@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("a: 1\nb: [1, 2\nc: 3\n", 3, "YAML syntax"),
        ("a: &x 1\nb: 2\n", 1, "anchors"),
        ("a: 1\nb: !!str 2\n", 2, "tags"),
        ("a: 1\n---\nb: 2\n", 2, "YAML syntax"),
        ("a: " + "[" * 40 + "]" * 40 + "\n", 1, "nests deeper than 32"),
    ],
)
def test_both_parsers_refuse_the_same_way(
    loader: object, text: str, line: int, words: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(source, "_loader", loader)
    with pytest.raises(source.FileRefused) as refused:
        source.read_document(text, Problems())
    assert refused.value.line == line and words in refused.value.message

"""JSONC: comments and trailing commas go, strings stay exactly as written."""

from __future__ import annotations

import pytest

from nhiscan.providers.mcp.jsonc import JsoncError, loads, strip_jsonc


def test_comments_and_trailing_commas() -> None:
    text = """
    // line comment
    {
      /* block
         comment */
      "a": [1, 2, 3,],   // trailing comma in a list
      "b": {"c": "d",},  /* and in an object */
    }
    """
    assert loads(text) == {"a": [1, 2, 3], "b": {"c": "d"}}


def test_strings_are_untouched() -> None:
    text = r'{"url": "https://x.example/a//b", "glob": "/* not a comment */", "q": "say \"hi\", // ok", "e": "\\",}'
    assert loads(text) == {
        "url": "https://x.example/a//b",
        "glob": "/* not a comment */",
        "q": 'say "hi", // ok',
        "e": "\\",
    }


def test_blanking_keeps_positions() -> None:
    text = '{\n  // c\n  "a": 1,\n}'
    stripped = strip_jsonc(text)
    assert len(stripped) == len(text) and stripped.count("\n") == text.count("\n")


def test_errors_name_line_and_column_not_content() -> None:
    with pytest.raises(JsoncError) as exc:
        loads('{\n  "token": "ghp_secretvalue"\n  "b": 1\n}')
    assert str(exc.value).startswith("invalid JSON at line 3 column 3")
    assert "ghp_" not in str(exc.value)


def test_unterminated_block_comment() -> None:
    with pytest.raises(JsoncError):
        loads('{"a": 1 /* never closed')


def test_bom() -> None:
    assert loads('\ufeff{"a": 1}') == {"a": 1}

"""JSON with comments and trailing commas (JSONC), as VS Code, Zed and Claude Code accept.

The stdlib parser is strict, so comments and trailing commas are blanked out by a small scanner
that knows where strings start and end: ``"//"`` inside a string value (a URL) is never touched.
Blanking (rather than deleting) keeps line and column numbers of parse errors true to the file.
"""

from __future__ import annotations

import json
from typing import Any


class JsoncError(ValueError):
    """The text is not JSON even after removing comments and trailing commas."""


def strip_jsonc(text: str) -> str:
    """Return ``text`` with ``//`` and ``/* */`` comments and trailing commas replaced by spaces."""
    out = list(text)
    n = len(text)
    i = 0
    last_comma: int | None = None  # position of a comma not yet followed by a value
    while i < n:
        ch = text[i]
        if ch == '"':
            last_comma = None
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
            i += 1
            continue
        if ch == "/" and i + 1 < n and text[i + 1] == "/":
            while i < n and text[i] != "\n":
                out[i] = " "
                i += 1
            continue
        if ch == "/" and i + 1 < n and text[i + 1] == "*":
            end = text.find("*/", i + 2)
            stop = n if end < 0 else end + 2
            for j in range(i, stop):
                if out[j] not in "\r\n":
                    out[j] = " "
            i = stop
            continue
        if ch == ",":
            last_comma = i
        elif ch in "}]":
            if last_comma is not None:
                out[last_comma] = " "
            last_comma = None
        elif not ch.isspace():
            last_comma = None
        i += 1
    return "".join(out)


def loads(text: str) -> Any:
    """Parse JSON, falling back to JSONC. Raises :class:`JsoncError` with line and column."""
    body = text.lstrip("\ufeff")
    try:
        return json.loads(body)
    except json.JSONDecodeError:
        pass
    try:
        return json.loads(strip_jsonc(body))
    except json.JSONDecodeError as exc:
        raise JsoncError(f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None

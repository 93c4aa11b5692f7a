"""Write a pack document as YAML with comments (PyYAML's dumper cannot write comments).

The document is plain mappings, lists and scalars; a `Noted` value carries the comment lines
written above its key or list item. Lists of scalars are written in flow style, wrapped.
"""

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

_WIDTH = 100
_PLAIN = re.compile(r"^[A-Za-z][A-Za-z0-9 _./()+-]*$")
# Plain words YAML 1.1 loaders read as something other than a string.
_RESERVED = {"true", "false", "yes", "no", "on", "off", "y", "n", "null", "none", "~"}


@dataclass(frozen=True)
class Noted:
    """A value with comment lines written above it."""

    value: Any
    comment: str


def dump(document: Mapping[str, Any], *, header: str = "") -> str:
    """Return the document as YAML text, `header` as its first comment lines."""
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    _mapping(document, 0, lines)
    return "\n".join(lines) + "\n"


def scalar(value: Any) -> str:
    """Return one scalar as YAML: plain where that reads back as the same string."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return json.dumps(value)
    if isinstance(value, float):
        text = json.dumps(value)
        # 1e-07 is a string to a YAML 1.1 reader; 1.0e-07 a number to every reader.
        return text.replace("e", ".0e") if "e" in text and "." not in text else text
    if isinstance(value, datetime | date):
        return json.dumps(value.isoformat())
    text = str(value)
    plain = _PLAIN.match(text) and text.lower() not in _RESERVED and not text.endswith(" ")
    return text if plain else json.dumps(text, ensure_ascii=False)


def _comment(comment: str, indent: int, lines: list[str]) -> None:
    for line in comment.splitlines():
        lines.append(f"{' ' * indent}# {line}".rstrip())


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, Mapping | list | tuple | Noted)


def _flow(items: Sequence[Any], indent: int, first: str) -> list[str]:
    """Return a flow sequence `[a, b, ...]` starting with `first`, wrapped at the width."""
    out: list[str] = []
    line, on_line = first + "[", 0
    for i, item in enumerate(items):
        text = scalar(item) + (", " if i < len(items) - 1 else "]")
        if on_line and len(line) + len(text) > _WIDTH:
            out.append(line.rstrip())
            line, on_line = " " * (indent + 2) + text, 1
        else:
            line, on_line = line + text, on_line + 1
    if not items:
        line += "]"
    out.append(line)
    return out


def _mapping(node: Mapping[str, Any], indent: int, lines: list[str]) -> None:
    pad = " " * indent
    for key, raw in node.items():
        value = raw
        if isinstance(raw, Noted):
            _comment(raw.comment, indent, lines)
            value = raw.value
        lines.extend(_entry(f"{pad}{scalar(key)}:", value, indent))


def _entry(prefix: str, value: Any, indent: int) -> list[str]:
    """Return the lines of `prefix` (a key or a list dash) followed by its value."""
    if _is_scalar(value):
        return [f"{prefix} {scalar(value)}"]
    if isinstance(value, Mapping):
        if not value:
            return [f"{prefix} {{}}"]
        out = [prefix]
        _mapping(value, indent + 2, out)
        return out
    items = list(value)
    if all(_is_scalar(v) for v in items):
        return _flow(items, indent, prefix + " ")
    out = [prefix]
    _sequence(items, indent + 2, out)
    return out


def _sequence(items: list[Any], indent: int, lines: list[str]) -> None:
    pad = " " * indent
    for raw in items:
        value = raw
        if isinstance(raw, Noted):
            _comment(raw.comment, indent, lines)
            value = raw.value
        if isinstance(value, Mapping) and value:
            nested: list[str] = []
            _mapping(value, indent + 2, nested)
            nested[0] = f"{pad}- {nested[0].lstrip()}"
            lines.extend(nested)
        elif isinstance(value, list | tuple) and value and not all(_is_scalar(v) for v in value):
            lines.append(f"{pad}-")
            _sequence(list(value), indent + 2, lines)
        else:
            lines.extend(_entry(f"{pad}-", value, indent))

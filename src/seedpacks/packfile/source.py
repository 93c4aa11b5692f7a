"""Read a pack file's YAML (or JSON) into plain data, remembering the line of every value.

Only plain data gets through: the YAML 1.2 core types (strings, numbers, true/false, null,
lists, mappings), no tags (which could name Python objects), no anchors or aliases (which could
multiply a small file into a huge document), no merge keys. Limits on depth, list length and
string length are checked while reading, so an oversized document is never built.
"""

import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.events import AliasEvent, CollectionStartEvent, ScalarEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from seedpacks.packfile.limits import MAX_BYTES, MAX_DEPTH, MAX_ITEMS, MAX_STRING
from seedpacks.packfile.problems import Path, Problems

_NULL, _BOOL = "tag:yaml.org,2002:null", "tag:yaml.org,2002:bool"
_INT, _FLOAT = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"


class _CoreResolver(BaseResolver):
    """YAML 1.2's core schema: `no`, `on` and `2024-01-01` stay strings (YAML 1.1 made them a
    boolean and a date), and `1:20` stays a string rather than a base-60 number."""


for _tag, _pattern, _first in (
    (_NULL, r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    (_BOOL, r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    (_INT, r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    (
        _FLOAT,
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        list("-+.0123456789"),
    ),
):
    _CoreResolver.add_implicit_resolver(_tag, re.compile(_pattern), _first)


class FileRefused(Exception):
    """The document cannot be read at all (syntax, a tag, an alias, too deep)."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line, self.message = line, message


class _Checked(Composer):
    """A composer that refuses aliases, anchors and tags, and nesting beyond the limit."""

    depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node:  # type: ignore[override]
        event = self.peek_event()  # type: ignore[attr-defined]
        line = event.start_mark.line + 1
        if isinstance(event, AliasEvent):
            raise FileRefused(line, "aliases (*name) are not allowed in a pack file")
        if event.anchor is not None:
            raise FileRefused(line, "anchors (&name) are not allowed in a pack file")
        if isinstance(event, ScalarEvent | CollectionStartEvent) and event.tag is not None:
            raise FileRefused(line, f"tags ({event.tag}) are not allowed in a pack file")
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FileRefused(line, f"the document nests deeper than {MAX_DEPTH} levels")
        try:
            return super().compose_node(parent, index)  # type: ignore[no-any-return]
        finally:
            self.depth -= 1


class _Loader(Reader, Scanner, Parser, _Checked, _CoreResolver):
    def __init__(self, text: str) -> None:
        Reader.__init__(self, text)
        Scanner.__init__(self)
        Parser.__init__(self)
        _Checked.__init__(self)
        _CoreResolver.__init__(self)


_loader: Callable[[str], Any] = _Loader
if yaml.__with_libyaml__:
    from yaml._yaml import CParser

    class _FastLoader(_Checked, CParser, _CoreResolver):  # type: ignore[misc]
        """libyaml scans and parses (the same events, seven times faster); composing, with
        its checks, stays ours."""

        def __init__(self, text: str) -> None:
            CParser.__init__(self, text)
            _Checked.__init__(self)
            _CoreResolver.__init__(self)

    _loader = _FastLoader


@dataclass
class Lines:
    """The line of each value of the document, by its path."""

    of: dict[Path, int] = field(default_factory=dict)

    def line(self, path: Path) -> int | None:
        """Return the line of `path`, or of its nearest ancestor the file has."""
        for end in range(len(path), -1, -1):
            found = self.of.get(tuple(path[:end]))
            if found is not None:
                return found
        return None


def read_document(text: str | bytes, problems: Problems) -> tuple[Any, Lines]:
    """Return the document's plain data and lines; refusals go to `problems` (FileRefused if
    nothing can be read)."""
    size = len(text.encode() if isinstance(text, str) else text)
    if size > MAX_BYTES:
        raise FileRefused(None, f"the file is {size:,} bytes; a pack file is at most {MAX_BYTES:,}")
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FileRefused(None, f"the file is not UTF-8 text (byte {exc.start})") from None
    loader = _loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        reason = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        raise FileRefused(mark.line + 1 if mark else None, f"YAML syntax: {reason}") from None
    except yaml.YAMLError as exc:
        raise FileRefused(None, f"YAML syntax: {exc}") from None
    finally:
        loader.dispose()
    lines = Lines({(): 1})
    if node is None:
        return None, lines
    return _value(node, (), lines, problems), lines


def _value(node: Node, path: Path, lines: Lines, problems: Problems) -> Any:
    line = node.start_mark.line + 1
    lines.of.setdefault(path, line)
    if isinstance(node, ScalarNode):
        return _scalar(node, path, line, problems)
    if isinstance(node, SequenceNode):
        if len(node.value) > MAX_ITEMS:
            problems.add(path, f"the list has {len(node.value):,} items; at most {MAX_ITEMS:,}")
            return []
        items = []
        for index, item in enumerate(node.value):
            lines.of[(*path, index)] = item.start_mark.line + 1
            items.append(_value(item, (*path, index), lines, problems))
        return items
    assert isinstance(node, MappingNode)
    if len(node.value) > MAX_ITEMS:
        problems.add(path, f"the mapping has {len(node.value):,} keys; at most {MAX_ITEMS:,}")
        return {}
    mapping: dict[Hashable, Any] = {}
    for key_node, value_node in node.value:
        key_line = key_node.start_mark.line + 1
        if not isinstance(key_node, ScalarNode):
            problems.at(key_line, path, "a key must be a plain value, not a list or mapping")
            continue
        key = _scalar(key_node, path, key_line, problems)
        if key == "<<" and not key_node.style:
            problems.at(key_line, path, "merge keys (<<) are not allowed in a pack file")
            continue
        if key in mapping:
            problems.at(key_line, (*path, key), f"'{key}' is given twice in the same mapping")
            continue
        lines.of[(*path, key)] = key_line
        mapping[key] = _value(value_node, (*path, key), lines, problems)
    return mapping


def _scalar(node: ScalarNode, path: Path, line: int, problems: Problems) -> Any:
    text = node.value
    # Quoted or a block scalar: always a string (plain is None, or "" from libyaml).
    tag = node.tag if not node.style else "tag:yaml.org,2002:str"
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return text.lower() == "true"
    if tag == _INT:
        if text.startswith(("0o", "0x")):
            return int(text[2:], 8 if text[1] == "o" else 16)
        return int(text)
    if tag == _FLOAT:
        return float(text.lower().replace(".inf", "inf").replace(".nan", "nan"))
    if len(text) > MAX_STRING:
        problems.at(line, path, f"the text has {len(text):,} characters; at most {MAX_STRING:,}")
        return text[:MAX_STRING]
    return text

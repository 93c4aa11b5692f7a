"""The one way in: a pack file's text becomes a checked `Pack`, or every problem it has."""

from collections.abc import Hashable, Sequence
from typing import Any, get_args, get_origin

import numpy as np
from pydantic import BaseModel, ValidationError

from seedpacks.config import Settings, get_settings
from seedpacks.errors import InvalidPackFile, Problem
from seedpacks.packfile import checks
from seedpacks.packfile.compile import compile_pack
from seedpacks.packfile.document import PackDocument
from seedpacks.packfile.limits import TRIAL_ROWS
from seedpacks.packfile.params import TAG
from seedpacks.packfile.problems import Path, Problems
from seedpacks.packfile.source import FileRefused, read_document
from seedpacks.packs.model import Pack
from seedpacks.packs.truth import feature_matrix
from seedpacks.seeding.generate import Generator
from seedpacks.seeding.validate import pack_problems


def parse_pack(
    text: str | bytes, *, origin: str = "pack file", settings: Settings | None = None
) -> Pack:
    """Return the pack a pack file declares, or raise InvalidPackFile listing every problem."""
    settings = settings or get_settings()
    problems = Problems()
    try:
        data, lines = read_document(text, problems)
    except FileRefused as exc:
        raise InvalidPackFile(
            [Problem(line=exc.line, path="", message=exc.message)], origin=origin
        ) from None
    if problems:
        raise InvalidPackFile(problems.listed(lines), origin=origin)
    if not isinstance(data, dict):
        message = "the file must be a mapping starting with format: seedpacks/v1"
        raise InvalidPackFile([Problem(line=1, path="", message=message)], origin=origin)
    try:
        document = PackDocument.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            path, message = _error(error)
            problems.add(path, message)
        raise InvalidPackFile(problems.listed(lines), origin=origin) from None
    checks.check_limits(
        document, problems, max_scale=settings.max_scale, max_rows=settings.pack_file_max_rows
    )
    checks.check_tables(document, problems)
    checks.check_entities(document, problems)
    pack = compile_pack(document, problems=problems, max_scale=settings.max_scale)
    if not problems:
        # The loader's own checks, as for every built-in pack: what the file's checks missed.
        for message in pack_problems(pack):
            problems.add(checks.locate(message, document), message)
    if not problems:
        _trial(pack, problems)
    if problems:
        raise InvalidPackFile(problems.listed(lines), origin=origin)
    return pack


def _trial(pack: Pack, problems: Problems) -> None:
    """Generate a few rows of every column, so what fails only on real values fails here."""
    generator = Generator(pack, seed=0, scale=1)
    for i, table in enumerate(pack.tables):
        idx = np.arange(min(table.rows, TRIAL_ROWS), dtype=np.int64)
        for j, column in enumerate(table.columns):
            try:
                generator.column(table.name, column.name, idx)
            except Exception as exc:  # a defect of the file's values, found before any load
                problems.add(
                    ("tables", i, "columns", j, "generate"), f"generating rows fails: {exc}"
                )
                return
    truth = pack.ground_truth
    customers = pack.table(truth.customer_table)
    idx = np.arange(min(customers.rows, TRIAL_ROWS), dtype=np.int64)
    try:
        names = {f.column for f in truth.features}
        feature_matrix(truth, generator.columns(truth.customer_table, names, idx) if names else {})
    except Exception as exc:
        problems.add(("ground_truth", "features"), f"computing the features fails: {exc}")


def _error(error: Any) -> tuple[Path, str]:
    """Return a pydantic error's path in the document and a sentence for it."""
    loc: list[Hashable] = [
        part for part in error["loc"] if not (isinstance(part, str) and part.startswith(TAG))
    ]
    kind, message = error["type"], error["msg"]
    if loc and loc[-1] == "[key]":
        loc.pop()
        key = "null" if error["input"] is None else repr(error["input"])
        return tuple(loc), f"the key {key} is not valid: {message.removeprefix('Value error, ')}"
    if kind == "extra_forbidden":
        known = _fields_at(error["loc"][:-1])
        listed = f"; known: {', '.join(known)}" if known else ""
        return tuple(loc), f"unknown key '{loc[-1]}'{listed}"
    if kind == "missing":
        return tuple(loc), f"'{loc[-1]}' is required"
    message = message.removeprefix("Value error, ")
    if kind not in ("value_error", "param", "literal_error") and not isinstance(
        error["input"], dict | list
    ):
        message += f" (got {error['input']!r:.60})"
    return tuple(loc), message


def _fields_at(loc: Sequence[Hashable]) -> list[str] | None:
    """Return the keys the document's model takes at `loc`, when one model does."""
    tp: Any = PackDocument
    for part in loc:
        tp = _step(tp, part)
        if tp is None:
            return None
    tp = _plain(tp)
    return list(tp.model_fields) if isinstance(tp, type) and issubclass(tp, BaseModel) else None


def _plain(tp: Any) -> Any:
    """Strip Annotated and Optional from a type."""
    while True:
        origin, args = get_origin(tp), get_args(tp)
        if origin is not None and hasattr(tp, "__metadata__"):
            tp = args[0]
        elif args and type(None) in args and len(args) == 2:
            tp = next(a for a in args if a is not type(None))
        else:
            return tp


def _step(tp: Any, part: Hashable) -> Any:
    tp = _plain(tp)
    origin = get_origin(tp)
    if origin is list:
        return get_args(tp)[0] if isinstance(part, int) else None
    if origin is dict:
        return get_args(tp)[1]
    if isinstance(tp, type) and issubclass(tp, BaseModel) and isinstance(part, str):
        field = tp.model_fields.get(part)
        return None if field is None else field.annotation
    return None

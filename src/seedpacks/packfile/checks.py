"""Cross-checks of a pack document: what its sections name exists, ids are unique, counts fit.

Each problem is reported at the path of the value that is wrong, with what the file does have;
`seedpacks.seeding.validate` then checks the compiled pack as it checks every built-in one.
"""

import re
from collections.abc import Iterable
from typing import Any

from seedpacks.packfile import document as doc
from seedpacks.packfile.context import NUMERIC, a, convert_value
from seedpacks.packfile.kinds import KINDS, kind_of
from seedpacks.packfile.limits import MAX_COLUMNS, MAX_TABLES
from seedpacks.packfile.problems import Path, Problems
from seedpacks.packs.model import Segment
from seedpacks.seeding.upload_mapping import date_format
from seedpacks.seeding.validate import FLOW_NODES, HISTORY_MODELS

NUMBERS = (*NUMERIC, "boolean")


def _known(names: Iterable[str]) -> str:
    listed = sorted(set(names))
    return ", ".join(listed[:20]) + (", ..." if len(listed) > 20 else "") if listed else "none"


def _unique(problems: Problems, section: str, items: Iterable[Any], field: str = "id") -> None:
    seen: dict[Any, int] = {}
    for i, item in enumerate(items):
        value = getattr(item, field)
        if value in seen:
            problems.add(
                (section, i, field),
                f"{field} '{value}' is already used by {section}[{seen[value]}]",
            )
        else:
            seen[value] = i


def _exists(problems: Problems, path: Path, what: str, value: Any, known: Iterable[str]) -> bool:
    known = list(known)
    if value in known:
        return True
    problems.add(path, f"unknown {what} '{value}'; known: {_known(known)}")
    return False


def check_limits(d: doc.PackDocument, problems: Problems, *, max_scale: int, max_rows: int) -> None:
    """Report a document asking for more tables, columns or rows than a pack file may."""
    if len(d.tables) > MAX_TABLES:
        problems.add(("tables",), f"{len(d.tables)} tables; a pack file has at most {MAX_TABLES}")
    for i, t in enumerate(d.tables):
        if len(t.columns) > MAX_COLUMNS:
            problems.add(
                ("tables", i, "columns"), f"{len(t.columns)} columns; at most {MAX_COLUMNS}"
            )
    planned = sum(t.rows * (max_scale if t.scales else 1) for t in d.tables)
    planned += d.ground_truth.interactions * max_scale
    if planned > max_rows:
        problems.add(
            ("tables",),
            f"at the largest scale ({max_scale:,}) the pack plans {planned:,} rows (tables and "
            f"interactions); this server's limit is {max_rows:,} (SEEDPACKS_PACK_FILE_MAX_ROWS): "
            "lower the rows",
        )


def check_tables(d: doc.PackDocument, problems: Problems) -> None:
    tables = {t.name: t for t in d.tables}
    _unique(problems, "tables", d.tables, "name")
    for i, t in enumerate(d.tables):
        at: Path = ("tables", i)
        names = [c.name for c in t.columns]
        seen: set[str] = set()
        for j, c in enumerate(t.columns):
            if c.name in seen:
                problems.add((*at, "columns", j, "name"), f"column '{c.name}' is declared twice")
            seen.add(c.name)
        for j, name in enumerate(t.primary_key):
            if name in t.primary_key[:j]:
                problems.add((*at, "primary_key", j), f"'{name}' is in the primary key twice")
            _exists(problems, (*at, "primary_key", j), "column", name, names)
        for j, index in enumerate(t.indexes):
            for k, name in enumerate(index):
                _exists(problems, (*at, "indexes", j, k), "column", name, names)
        for j, ref in enumerate(t.references):
            _exists(problems, (*at, "references", j, "column"), "column", ref.column, names)
            if _exists(problems, (*at, "references", j, "table"), "table", ref.table, tables):
                target = [c.name for c in tables[ref.table].columns]
                _exists(
                    problems,
                    (*at, "references", j, "target"),
                    f"column of {ref.table}",
                    ref.target,
                    target,
                )
        for j, copula in enumerate(t.copulas):
            for k, name in enumerate(copula.columns):
                _exists(problems, (*at, "copulas", j, "columns", k), "column", name, names)
        if t.csv is not None:
            for j, name in enumerate(t.csv.generated):
                _exists(problems, (*at, "csv", "generated", j), "column", name, names)
        _check_key(t, at, problems)
        _check_csv(t, at, problems)


def _check_csv(t: doc.Table, at: Path, problems: Problems) -> None:
    """An upload's rules must work on the table's columns: drop rules, date formats."""
    columns = {c.name: c for c in t.columns}
    for j, rule in enumerate(t.csv.drop_rows if t.csv else ()):
        where = (*at, "csv", "drop_rows", j, "when")
        if _exists(problems, (*where, "column"), "column", rule.when.column, columns):
            flt = doc.Filter(
                field=rule.when.column, operator=rule.when.operator, value=rule.when.value
            )
            _check_filter(flt, columns[rule.when.column], where, problems)
    for j, column in enumerate(t.columns):
        for k, fmt in enumerate(column.csv.parse.date_formats or ()):
            try:
                date_format(fmt)
            except ValueError as exc:
                problems.add((*at, "columns", j, "csv", "parse", "date_formats", k), str(exc))


def _check_key(t: doc.Table, at: Path, problems: Problems) -> None:
    """A primary key needs a column whose values never repeat, or fixed rows that do not."""
    columns = {c.name: c for c in t.columns}
    key = [columns[n] for n in t.primary_key if n in columns]
    if len(key) != len(t.primary_key):
        return
    kinds = [kind_of(c.generate) for c in key]
    if any(KINDS[k].unique and k != "fixed" for k in kinds):
        return
    if all(k == "fixed" for k in kinds):
        rows = list(zip(*(c.generate.fixed for c in key), strict=False))  # type: ignore[attr-defined]
        if len(set(map(repr, rows))) == len(rows):
            return
        problems.add((*at, "primary_key"), "the fixed values of the primary key repeat")
        return
    unique = ", ".join(k for k, kind in KINDS.items() if kind.unique)
    problems.add(
        (*at, "primary_key"),
        f"no primary key column is generated by a kind whose values never repeat ({unique})",
    )


def check_entities(d: doc.PackDocument, problems: Problems) -> None:
    for section, field in (
        ("categories", "id"), ("channels", "id"), ("offers", "id"), ("creatives", "id"),
        ("qualification_rules", "id"), ("contact_policies", "id"), ("outcome_types", "id"),
        ("outcome_types", "key"), ("models", "id"), ("experiments", "id"),
        ("decision_flows", "id"), ("segments", "id"),
        # Unique in the platform tables too.
        ("categories", "name"), ("channels", "name"), ("models", "key"),
        ("decision_flows", "key"), ("segments", "name"),
    ):  # fmt: skip
        _unique(problems, section, getattr(d, section), field)
    subs = [
        (i, j, s.id) for i, c in enumerate(d.categories) for j, s in enumerate(c.sub_categories)
    ]
    first: dict[str, tuple[int, int]] = {}
    for i, j, sub in subs:
        if sub in first:
            problems.add(
                ("categories", i, "sub_categories", j, "id"),
                f"sub-category id '{sub}' is already used",
            )
        first.setdefault(sub, (i, j))
    categories = {c.id: c for c in d.categories}
    channels, offers = [c.id for c in d.channels], [o.id for o in d.offers]
    for i, o in enumerate(d.offers):
        if (
            _exists(problems, ("offers", i, "category"), "category", o.category, categories)
            and o.sub_category
        ):
            own = [s.id for s in categories[o.category].sub_categories]
            _exists(
                problems,
                ("offers", i, "sub_category"),
                f"sub-category of {o.category}",
                o.sub_category,
                own,
            )
        if o.start_date and o.end_date and o.start_date > o.end_date:
            problems.add(
                ("offers", i, "end_date"),
                f"end_date {o.end_date} is before start_date {o.start_date}",
            )
    for i, c in enumerate(d.creatives):
        _exists(problems, ("creatives", i, "offer"), "offer", c.offer, offers)
        _exists(problems, ("creatives", i, "channel"), "channel", c.channel, channels)
    scopes = {"offer": offers, "channel": channels, "category": list(categories)}
    for section in ("qualification_rules", "contact_policies"):
        for i, item in enumerate(getattr(d, section)):
            if item.scope == "global":
                continue
            if item.scope not in scopes:
                problems.add(
                    (section, i, "scope"),
                    f"unknown scope '{item.scope}'; known: global, offer, channel, category",
                )
            else:
                _exists(
                    problems,
                    (section, i, "scope_ref"),
                    item.scope,
                    item.scope_ref,
                    scopes[item.scope],
                )
    models = [m.id for m in d.models]
    for i, m in enumerate(d.models):
        if m.learns_from_history and m.model_type not in HISTORY_MODELS:
            problems.add(
                ("models", i, "learns_from_history"),
                f"a {m.model_type} cannot learn from the history; "
                f"these can: {', '.join(HISTORY_MODELS)}",
            )
    for i, e in enumerate(d.experiments):
        _exists(problems, ("experiments", i, "champion"), "model", e.champion, models)
        for model_id in e.traffic_split:
            _exists(
                problems, ("experiments", i, "traffic_split", model_id), "model", model_id, models
            )
        if e.champion not in e.traffic_split:
            problems.add(
                ("experiments", i, "traffic_split"), "the champion has no share of the traffic"
            )
        if sum(e.traffic_split.values()) != 100:
            problems.add(
                ("experiments", i, "traffic_split"),
                f"the shares sum to {sum(e.traffic_split.values())}, not 100",
            )
    experiments = [e.id for e in d.experiments]
    for i, f in enumerate(d.decision_flows):
        if f.experiment is not None:
            _exists(
                problems,
                ("decision_flows", i, "experiment"),
                "experiment",
                f.experiment,
                experiments,
            )
        types = [n.type for n in f.nodes]
        if types != sorted(types, key=FLOW_NODES.index):
            problems.add(
                ("decision_flows", i, "nodes"),
                f"nodes {types} are not in the order {', '.join(FLOW_NODES)}",
            )
    _check_segments(d, problems)
    _check_truth(d, problems)


def _check_segments(d: doc.PackDocument, problems: Problems) -> None:
    tables = {t.name: t for t in d.tables}
    views: dict[str, int] = {}
    for i, s in enumerate(d.segments):
        view = Segment(s.id, s.name, s.table, ()).view_name
        if view in views or view in tables:
            problems.add(
                ("segments", i, "name"),
                f"its view {view} is already the name of a segment's view or a table",
            )
        views.setdefault(view, i)
        if not _exists(problems, ("segments", i, "table"), "table", s.table, tables):
            continue
        columns = {c.name: c for c in tables[s.table].columns}
        for j, flt in enumerate(s.filters):
            at = ("segments", i, "filters", j)
            if _exists(problems, (*at, "field"), f"column of {s.table}", flt.field, columns):
                _check_filter(flt, columns[flt.field], at, problems)


def _check_filter(flt: doc.Filter, column: doc.Column, at: Path, problems: Problems) -> None:
    """A filter's value must be one its column can be compared with (the view is SQL)."""
    if flt.operator in ("is_null", "not_null"):
        return
    if column.type == "json":
        problems.add((*at, "field"), f"{column.name} is json: a segment compares plain columns")
        return
    many = flt.operator in ("in", "not_in")
    values = flt.value if isinstance(flt.value, list) and many else [flt.value]
    if many and not (isinstance(flt.value, list) and flt.value):
        problems.add((*at, "value"), f"{flt.operator} takes a list of one or more values")
        return
    for k, value in enumerate(values):
        try:
            if value is None:
                raise TypeError(" (null: use is_null)")
            convert_value(value, column.type)
        except (TypeError, ValueError) as exc:
            where = (*at, "value", k) if many else (*at, "value")
            problems.add(where, f"{value!r} is not {a(column.type)} value of {column.name}{exc}")


def _check_truth(d: doc.PackDocument, problems: Problems) -> None:
    truth, at = d.ground_truth, ("ground_truth",)
    tables = {t.name: t for t in d.tables}
    if not _exists(problems, (*at, "customer_table"), "table", truth.customer_table, tables):
        return
    columns = {c.name: c for c in tables[truth.customer_table].columns}
    _exists(problems, (*at, "customer_id"), "column", truth.customer_id, columns)
    for i, f in enumerate(truth.features):
        path = (*at, "features", i)
        if f.kind == "equals" and f.value is None:
            problems.add((*path, "value"), "equals needs a value; a NULL is kind is_null")
        known = _exists(problems, (*path, "column"), "column", f.column, columns)
        kind = columns[f.column].type if known else None
        if f.kind == "numeric" and kind is not None and kind not in NUMBERS:
            problems.add((*path, "kind"), f"numeric reads a number column; {f.column} is {kind}")
    _unique(problems, "ground_truth.features", truth.features, "name")
    features = [f.name for f in truth.features]
    offers, channels = [o.id for o in d.offers], [c.id for c in d.channels]
    covered = {(c.offer, c.channel) for c in d.creatives}
    for i, arm in enumerate(truth.arms):
        known = _exists(problems, (*at, "arms", i, "offer"), "offer", arm.offer, offers)
        known &= _exists(problems, (*at, "arms", i, "channel"), "channel", arm.channel, channels)
        if known and (arm.offer, arm.channel) not in covered:
            problems.add(
                (*at, "arms", i), f"offer {arm.offer} has no creative on channel {arm.channel}"
            )
        for name in arm.weights:
            _exists(problems, (*at, "arms", i, "weights", name), "feature", name, features)
    outcomes = {o.key: o.classification for o in d.outcome_types}
    for field, wanted in (("positive_outcome", "positive"), ("negative_outcome", "negative")):
        key = getattr(truth, field)
        if outcomes.get(key) != wanted:
            fitting = [k for k, c in outcomes.items() if c == wanted]
            problems.add(
                (*at, field),
                f"'{key}' is not a {wanted} outcome type key; {wanted}: {_known(fitting)}",
            )


_SECTIONS = {
    "offer": "offers",
    "creative": "creatives",
    "experiment": "experiments",
    "flow": "decision_flows",
    "segment": "segments",
    "model": "models",
}


def locate(message: str, d: doc.PackDocument) -> Path:
    """Return the path a problem of `seedpacks.seeding.validate` is about, as near as it says."""
    if message.startswith("ground truth:"):
        return ("ground_truth",)
    word, _, rest = message.partition(" ")
    section = _SECTIONS.get(word)
    if section is not None:
        item = rest.split(":", 1)[0]
        ids = [x.id for x in getattr(d, section)]
        return (section, ids.index(item)) if item in ids else (section,)
    tables = [t.name for t in d.tables]
    name = re.match(r"[a-z_][a-z0-9_]*", message)
    if name is None or name[0] not in tables:
        return ()
    at: Path = ("tables", tables.index(name[0]))
    table = d.tables[tables.index(name[0])]
    copula = re.match(r"[a-z0-9_]+: copula '([^']+)'", message)
    columns = [c.name for c in table.columns]
    column = re.match(r"[a-z0-9_]+\.([a-z0-9_]+) ", message)
    if copula is not None:
        names = [c.name for c in table.copulas]
        return (*at, "copulas", names.index(copula[1])) if copula[1] in names else at
    if column is not None and column[1] in columns:
        return (*at, "columns", columns.index(column[1]))
    return at

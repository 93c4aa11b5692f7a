"""The customer table of an inferred pack: one column per file column, as the file profiles it."""

from dataclasses import dataclass
from typing import Any

import polars as pl

from seedpacks.packfile import dependence
from seedpacks.packfile.csvfile import CsvFile
from seedpacks.packfile.emit import Noted
from seedpacks.packfile.marginal import generator, id_generator
from seedpacks.packfile.profile import Profile, profile_column
from seedpacks.seeding.upload_mapping import normalize

# The surrogate key of a file without an id column (the CSV mapping generates it on upload).
ROW_ID = "row_id"


@dataclass(frozen=True)
class Profiled:
    """The file's columns profiled, typed, and their dependencies."""

    profiles: list[Profile]
    typed: dict[str, pl.Series]
    parents: dict[str, dependence.Parent]
    copula: dependence.CopulaFit | None
    together: list[list[str]]

    @property
    def rows(self) -> int:
        return self.profiles[0].rows

    def id_column(self) -> str | None:
        return next((p.name for p in self.profiles if p.role == "id" and p.unique), None)


def profile_file(csv: CsvFile) -> Profiled:
    """Return the profile of every column of the file and their main dependencies."""
    profiles, typed = [], {}
    for header, name in zip(csv.headers, csv.names, strict=True):
        profile, values = profile_column(header, name, csv.frame[name])
        profiles.append(profile)
        typed[name] = values
    parents, copula = dependence.settle(profiles, typed)
    return Profiled(profiles, typed, parents, copula, dependence.missing_together(profiles, typed))


def table_document(profiled: Profiled, *, name: str, rows: int, delimiter: str) -> Noted:
    """Return the customer table's declaration, commented with what was inferred."""
    key = profiled.id_column()
    columns = []
    if key is None:
        columns.append(
            Noted(
                {
                    "name": ROW_ID,
                    "type": "integer",
                    "nullable": False,
                    "description": "row number (the file has no id column)",
                    "generate": {"row_number": {"start": 1}},
                },
                "No column is unique per row: a row number is the key; uploads generate it.",
            )
        )
    groups = {c: g for g in profiled.together for c in g}
    columns += [_column(profiled, p, groups.get(p.name)) for p in profiled.profiles]
    table: dict[str, Any] = {
        "name": name,
        "description": f"Customers profiled from a file of {profiled.rows} rows",
        "rows": rows,
        "scales": True,
        "primary_key": [key or ROW_ID],
    }
    if profiled.copula is not None:
        fit = profiled.copula
        pairs = ", ".join(
            f"{a}~{b} {fit.rho[i][j]:+.2f}"
            for i, a in enumerate(fit.columns)
            for j, b in enumerate(fit.columns)
            if j > i
        )
        table["copulas"] = [
            Noted(
                {
                    "name": "inferred",
                    "columns": list(fit.columns),
                    "correlation": [list(row) for row in fit.correlation],
                    "description": "rank correlations of the profiled file",
                },
                f"Spearman's rho in the file: {pairs}; the matrix is 2 sin(pi rho / 6).",
            )
        ]
    csv_mapping: dict[str, Any] = {
        "description": "The profiled file's columns, so the file itself uploads back",
        "delimiters": [delimiter, *(d for d in (",", ";", "\t") if d != delimiter)],
    }
    if key is None:
        csv_mapping["generated"] = [ROW_ID]
    table["csv"] = csv_mapping
    table["columns"] = columns
    return Noted(table, _table_comment(profiled))


def _table_comment(profiled: Profiled) -> str:
    if profiled.rows < dependence.MIN_ROWS:
        return (
            f"Only {profiled.rows} rows: marginals are inferred, dependencies are not "
            f"(they need {dependence.MIN_ROWS} rows)."
        )
    return (
        f"Profiled from {profiled.rows} rows. Dependencies kept: Spearman |rho| >= "
        f"{dependence.STRONG_RHO} (copula), Cramer's V >= {dependence.STRONG_V} (choice_by), "
        f"eta2 >= {dependence.STRONG_ETA2} on ranks (quantiles_by)."
    )


def _column(profiled: Profiled, p: Profile, together: list[str] | None) -> Noted:
    values = profiled.typed[p.name]
    parent = profiled.parents.get(p.name)
    column: dict[str, Any] = {"name": p.name, "type": p.type}
    notes: list[str] = [p.type]
    if p.type == "decimal":
        column["decimals"] = p.decimals
        notes[0] += f" ({p.decimals} decimal{'s' if p.decimals != 1 else ''})"
    if p.role == "id" and p.unique:
        column["nullable"] = False
    column["description"] = f"as the file's '{p.header}'"
    if p.role == "id":
        column["generate"] = id_generator(p, values)
        if p.unique:
            notes.append("unique per row: an id generator, never the file's ids")
        else:
            notes.append("identifiers (values repeat): an id generator, never the file's ids")
    else:
        parent_values = profiled.typed[parent.column] if parent else None
        column["generate"] = generator(p, values, parent=parent, parent_values=parent_values)
        notes.append(f"{p.distinct} distinct values")
        if p.role == "numeric":
            notes.append("quantiles of the file")
        if parent:
            notes.append(f"depends on {parent.column} ({parent.measure} {parent.strength:.2f})")
    if p.missing > 0:
        notes.append(f"{p.missing:.1%} missing")
        if together and p.role != "id":
            others = ", ".join(c for c in together if c != p.name)
            known = sum(profiled.typed[c].null_count() for c in together)
            share = round(known / (len(together) * p.rows), 4)
            column["missing_together"] = {"stream": f"missing_{together[0]}", "share": share}
            notes.append(f"missing together with {others}")
        else:
            column["missing"] = round(p.missing, 4)
    csv = _csv(p)
    if csv:
        column["csv"] = csv
    return Noted(column, "; ".join(notes))


def _csv(p: Profile) -> dict[str, Any]:
    """Return how the file's own column is read back on upload."""
    csv: dict[str, Any] = {}
    if normalize(p.name) != normalize(p.header):
        csv["aliases"] = [p.header]
    sentinels = list(p.sentinels)
    if p.type == "text" and p.missing > 0:
        sentinels.append("")
    if sentinels:
        csv["sentinels"] = sentinels
    if p.parse:
        csv["parse"] = p.parse
    if p.role == "id" and p.unique:
        csv["required"] = True
    return csv

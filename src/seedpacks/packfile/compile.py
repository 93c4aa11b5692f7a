"""Turn a validated pack document into the `Pack` the generic loader takes, column by column."""

from typing import Any

from seedpacks.packfile import document as doc
from seedpacks.packfile.context import Context, Refused
from seedpacks.packfile.kinds import KINDS, kind_of
from seedpacks.packfile.problems import Path, Problems
from seedpacks.packs import gen, model
from seedpacks.packs.model import Generator


def _generator(ctx: Context, column: doc.Column) -> Generator | None:
    """Return the column's generator, or None after reporting why it cannot be built."""
    kind_name = kind_of(column.generate)
    kind = KINDS[kind_name]
    if kind.types is not None and column.type not in kind.types:
        ctx.problem(
            f"{kind_name} fills {' or '.join(kind.types)} columns; {column.name} is {column.type}"
        )
        return None
    try:
        inner = kind.build(getattr(column.generate, kind_name), ctx)
    except Refused:
        return None
    except (ValueError, TypeError, ArithmeticError) as exc:
        ctx.problem(f"cannot build the {kind_name} generator: {exc}")
        return None
    at: Path = ctx.path[:-2]
    if column.missing is not None and column.missing_together is not None:
        ctx.problems.add((*at, "missing"), "give missing or missing_together, not both")
        return None
    if (column.missing or column.missing_together) and (
        not column.nullable or column.name in ctx.table.primary_key
    ):
        ctx.problems.add(
            (*at, "nullable"), f"{column.name} is not nullable, yet asks for missing values"
        )
        return None
    if column.missing is not None:
        return gen.null_fraction(inner, column.missing)
    if column.missing_together is not None:
        return gen.missing_together(
            inner, column.missing_together.stream, column.missing_together.share
        )
    return inner


def _unused(_: Any) -> Any:
    raise TypeError("this column's generator did not compile")


def compile_table(
    table: doc.Table, index: int, *, tables: dict[str, doc.Table], problems: Problems, max_rows: int
) -> model.Table:
    """Return the table's declaration (a column that does not compile is reported)."""
    columns = []
    for position, column in enumerate(table.columns):
        kind = kind_of(column.generate)
        ctx = Context(
            table=table,
            column=column,
            position=position,
            path=("tables", index, "columns", position, "generate", kind),
            problems=problems,
            tables=tables,
            max_rows=max_rows,
        )
        generate = _generator(ctx, column)
        derive = column.csv.derive
        columns.append(
            model.Column(
                name=column.name,
                type=column.type,
                generate=generate or _unused,
                nullable=column.nullable,
                description=column.description,
                csv=model.CsvColumn(
                    aliases=tuple(column.csv.aliases),
                    sentinels=tuple(column.csv.sentinels),
                    parse=column.csv.parse.model_dump(exclude_none=True),
                    derive={} if derive is None else derive.model_dump(exclude_none=True),
                    required=column.csv.required,
                ),
                decimals=column.decimals,
            )
        )
    csv = table.csv
    return model.Table(
        name=table.name,
        description=table.description,
        columns=tuple(columns),
        primary_key=tuple(table.primary_key),
        rows=table.rows,
        scales=table.scales,
        references=tuple(model.Reference(r.column, r.table, r.target) for r in table.references),
        indexes=tuple(tuple(i) for i in table.indexes),
        csv=None
        if csv is None
        else model.CsvMapping(
            description=csv.description,
            delimiters=tuple(csv.delimiters),
            drop_rows=tuple(rule.model_dump() for rule in csv.drop_rows),
            generated=tuple(csv.generated),
        ),
        copulas=tuple(
            model.Copula(
                c.name, tuple(c.columns), tuple(tuple(r) for r in c.correlation), c.description
            )
            for c in table.copulas
        ),
    )


def compile_pack(d: doc.PackDocument, *, problems: Problems, max_scale: int) -> model.Pack:
    """Return the document as a Pack; problems of its generators go to `problems`."""
    tables = {t.name: t for t in d.tables}
    truth = d.ground_truth
    return model.Pack(
        key=d.key,
        name=d.name,
        description=d.description,
        source=d.source,
        testing_focus=d.testing_focus,
        tables=tuple(
            compile_table(
                t,
                i,
                tables=tables,
                problems=problems,
                max_rows=t.rows * max_scale if t.scales else t.rows,
            )
            for i, t in enumerate(d.tables)
        ),  # fmt: skip
        categories=tuple(
            model.Category(
                c.id,
                c.name,
                c.description,
                c.custom_fields,
                tuple(model.SubCategory(s.id, s.name, s.description) for s in c.sub_categories),
            )
            for c in d.categories
        ),  # fmt: skip
        channels=tuple(
            model.Channel(c.id, c.name, c.channel_type, c.delivery_mode, tuple(c.placements))
            for c in d.channels
        ),
        offers=tuple(model.Offer(**o.model_dump()) for o in d.offers),
        creatives=tuple(model.Creative(**c.model_dump()) for c in d.creatives),
        qualification_rules=tuple(
            model.QualificationRule(**r.model_dump()) for r in d.qualification_rules
        ),
        contact_policies=tuple(model.ContactPolicy(**p.model_dump()) for p in d.contact_policies),
        outcome_types=tuple(model.OutcomeType(**o.model_dump()) for o in d.outcome_types),
        models=tuple(model.AlgorithmModel(**m.model_dump()) for m in d.models),
        experiments=tuple(model.Experiment(**e.model_dump()) for e in d.experiments),
        decision_flows=tuple(
            model.DecisionFlow(
                f.id,
                f.key,
                f.name,
                tuple(model.FlowNode(n.type, n.config) for n in f.nodes),
                f.experiment,
            )
            for f in d.decision_flows
        ),  # fmt: skip
        segments=tuple(
            model.Segment(
                s.id,
                s.name,
                s.table,
                tuple(model.Filter(f.field, f.operator, f.value) for f in s.filters),
                s.description,
            )
            for s in d.segments
        ),  # fmt: skip
        ground_truth=model.GroundTruth(
            customer_table=truth.customer_table,
            customer_id=truth.customer_id,
            features=tuple(model.Feature(**f.model_dump()) for f in truth.features),
            arms=tuple(model.Arm(**a.model_dump()) for a in truth.arms),
            positive_outcome=truth.positive_outcome,
            negative_outcome=truth.negative_outcome,
            interactions=truth.interactions,
            start=truth.start,
            days=truth.days,
        ),
        csv_files=tuple(d.csv_files),
    )

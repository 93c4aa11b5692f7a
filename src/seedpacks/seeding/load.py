"""The one generic loader: any pack, into one tenant, inside the caller's transaction."""

import contextlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import polars as pl
import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from seedpacks.errors import BadRequest
from seedpacks.packs.model import Pack
from seedpacks.seeding import binary, ddl, entities, history, partitions, segments
from seedpacks.seeding.ahead import Ahead
from seedpacks.seeding.copy import Chunk, copy_frames, insert_rows, render, tables_column_types
from seedpacks.seeding.generate import Generator
from seedpacks.seeding.manifest import manifest
from seedpacks.seeding.progress import Progress
from seedpacks.seeding.spool import SummarySpool
from seedpacks.seeding.tenancy import tenant_schema
from seedpacks.seeding.validate import table_order, validate_pack

STEP_SCHEMAS = "Creating schemas and tables"
STEP_ENTITIES = "Creating offers, channels, creatives, rules and models"
STEP_INDEXES = "Building keys and indexes"
STEP_HISTORY = "Loading interaction history"
STEP_SUMMARIES = "Summarising interactions and training models"
STEP_SEGMENTS = "Creating segment views"
STEP_MANIFEST = "Fingerprinting the loaded data"

# Tables created in the load's transaction are filled with COPY FREEZE from this many rows:
# their rows need no hint-bit rewrite or freezing pass later. Below, that saving is a few pages,
# and the visibility map FREEZE writes costs each table a file now: starbucks at scale 1 (18,030
# events) loaded in 83.1-102.1 ms without it against 85.5-106.9 ms with it (medians of 38 loads
# each, interleaved); at scale 3 (54,090) the two were even (164.2 and 164.3 ms).
FREEZE_FROM_ROWS = 50_000


def _freeze(rows: int) -> bool:
    return rows >= FREEZE_FROM_ROWS


def table_step(table: str) -> str:
    return f"Loading {table}"


@dataclass
class LoadResult:
    counts: dict[str, int]
    manifest: dict[str, Any] = field(default_factory=dict)


def load_steps(pack: Pack, scale: int) -> list[tuple[str, float]]:
    """Return the load's steps with their expected share of the work (in row-equivalents).

    Shares follow a profile of starbucks at scale 1000 (bench/bench_load.py): per row, keys and
    ANALYZE cost about as much as the COPY, a history row about 1.5 data rows (and as much again
    for its keys), its summary about 4, and the fingerprint about one COPY.
    """
    rows = {t.name: t.rows_at(scale) for t in pack.tables}
    interactions = pack.ground_truth.interactions * scale
    total = sum(rows.values())
    return [
        (STEP_SCHEMAS, 200),
        (STEP_ENTITIES, 500),
        *((table_step(name), rows[name] + 100) for name in table_order(pack)),
        (STEP_HISTORY, interactions * 1.5 + 100),
        (STEP_SUMMARIES, interactions * 4 + 100),
        (STEP_INDEXES, (total + interactions * 1.5) * 1.2 + 100),
        (STEP_SEGMENTS, total * 0.05 + 100),
        (STEP_MANIFEST, total * 0.8 + interactions * 2 + 100),
    ]


def load_pack(
    conn: psycopg.Connection,
    *,
    tenant: str,
    pack: Pack,
    seed: int,
    scale: int,
    progress: Progress,
) -> LoadResult:
    """Create everything the pack declares for `tenant`; the caller commits or rolls back."""
    validate_pack(pack)
    if pack.ground_truth.interactions * scale >= history.DECISION_IDS_FROM:
        raise BadRequest(f"scale {scale} would number history rows into decisions' ids.")
    generator = Generator(pack, seed=seed, scale=scale)
    for name in table_order(pack):  # each generated on a thread of its own, below
        generator.share(name)
    # Each table's frames are rendered with its columns' types: the pack tables' as created
    # below, the history's and summaries' those of the shared parents their partitions copy.
    encoders = {
        name: binary.Encoder(ddl.column_types(pack.table(name))) for name in table_order(pack)
    }
    with contextlib.ExitStack() as stack:
        summaries = SummarySpool()
        stack.callback(summaries.close)
        streams = {
            name: _head_start(stack, generator.chunks(name), name=name, encoder=encoders[name])
            for name in table_order(pack)
        }
        pg_schema = tenant_schema(tenant)
        counts: dict[str, int] = {}

        progress.step(STEP_SCHEMAS)
        with conn.pipeline():  # sent at once, one round trip in all
            # Timestamps without zone mean UTC whatever the server's zone: same rows anywhere.
            conn.execute("SET LOCAL TimeZone = 'UTC'")
            # Keys and indexes of a million rows sort in memory rather than in temporary files.
            conn.execute("SET LOCAL maintenance_work_mem = '256MB'")
            ddl.create_schema(conn, pg_schema)
            for table in pack.tables:
                ddl.create_table(conn, pg_schema=pg_schema, table=table)
            # The history and its summaries go into the tenant's own partitions, bare until their
            # keys are built below, attached last (seeding/partitions.py).
            bare = {
                parent: partitions.create(conn, parent, tenant=tenant, dataset_key=pack.key)
                for parent in partitions.PARENTS
            }
            parents = tables_column_types(conn, [parent.name for parent in partitions.PARENTS])
        for parent in partitions.PARENTS:
            encoders[parent.name] = binary.Encoder(parents[parent.name])
        # Started now, not with the others: it needs the parents' types, and the pack tables'
        # first chunks are due first.
        history_frames = _head_start(
            stack,
            _history(generator, pack=pack, summaries=summaries),
            name="history",
            encoder=encoders[partitions.HISTORY.name],
        )

        progress.step(STEP_ENTITIES)
        with conn.pipeline():  # one round trip for all kinds (28 with a COPY each)
            for kind in entities.load_order():
                counts[kind.count_key] = insert_rows(
                    conn,
                    table=kind.table,
                    columns=("tenant_id", "dataset_key", *kind.columns),
                    rows=entities.rows_with_keys(kind, pack, tenant=tenant, pg_schema=pg_schema),
                )

        for name in table_order(pack):
            table = pack.table(name)
            progress.step(table_step(name), rows_total=table.rows_at(scale))
            counts[table.count_key] = copy_frames(
                conn,
                table=sql.Identifier(pg_schema, name),
                frames=streams[name],
                on_rows=progress.rows,
                freeze=_freeze(table.rows_at(scale)),
                encoder=encoders[name],
            )

        total = sum(counts[t.count_key] for t in pack.tables)
        progress.step(STEP_HISTORY, rows_total=pack.ground_truth.interactions * scale)
        counts["interactions"] = copy_frames(
            conn,
            table=sql.Identifier(bare[partitions.HISTORY]),
            frames=history_frames,  # its summaries are all in `summaries` once it is exhausted
            on_rows=progress.rows,
            freeze=_freeze(pack.ground_truth.interactions * scale),
            encoder=encoders[partitions.HISTORY.name],
        )

        progress.step(STEP_SUMMARIES)
        counts["interactionSummaries"] = copy_frames(
            conn,
            table=sql.Identifier(bare[partitions.SUMMARIES]),
            frames=summaries.frames(),
            freeze=_freeze(summaries.rows),
            encoder=encoders[partitions.SUMMARIES.name],
        )
        history.train_models(conn, tenant=tenant, pack=pack, outcomes=summaries.outcomes())
        summaries.close()

        progress.step(STEP_INDEXES, rows_total=total + counts["interactions"])
        done = 0
        planned = analysed_tables(pack)
        for table in pack.tables:
            with conn.pipeline():
                ddl.add_constraints(
                    conn, pg_schema=pg_schema, table=table, analyze=table.name in planned
                )
            done += counts[table.count_key]
            progress.rows(done)
        with conn.pipeline():
            for parent, name in bare.items():
                partitions.add_keys(conn, parent, name=name)
        progress.rows(done + counts["interactions"])

        progress.step(STEP_SEGMENTS)
        counts["segmentCustomers"] = segments.create_views(
            conn, tenant=tenant, pg_schema=pg_schema, segments=pack.segments
        )

        progress.step(STEP_MANIFEST, rows_total=total + counts["interactions"])
        fingerprint = manifest(
            conn,
            tenant=tenant,
            pack=pack,
            pg_schema=pg_schema,
            history_table=bare[partitions.HISTORY],
            on_rows=progress.rows,
        )
        conn.execute(
            "INSERT INTO loaded_datasets (tenant_id, dataset_key, seed, scale, pg_schema, counts,"
            " manifest) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            (tenant, pack.key, seed, scale, pg_schema, Jsonb(counts), Jsonb(fingerprint)),
        )
        # Last, so that the locks it takes on the shared parent are held until commit only.
        partitions.install(conn, tenant=tenant, names=bare)
        return LoadResult(counts=counts, manifest=fingerprint)


def analysed_tables(pack: Pack) -> set[str]:
    """Return the pack tables a load ANALYZEs: the customers and the tables segments filter.

    The platform's other reads of pack tables are by key, and autovacuum analyses every new
    table once the load has committed. Starbucks' 18M events at scale 1000 took 0.43 s to
    analyse; at scale 1 its 18,030 events took 21 ms of a 120 ms load.
    """
    return {pack.ground_truth.customer_table, *(segment.table for segment in pack.segments)}


def _head_start(
    stack: contextlib.ExitStack,
    frames: Iterator[pl.DataFrame],
    *,
    name: str,
    encoder: binary.Encoder,
) -> Iterator[pl.DataFrame | Chunk]:
    """Return the stream with its first chunk generated and rendered for COPY on a thread of
    its own from now on.

    A load starts every stream's first chunk while the server creates its tables, so a small
    load's rows are ready to send when its COPYs begin (starbucks at scale 1: its 18,030 events
    take 8 ms to generate and 3 to render as CSV). The other chunks are generated where they are
    rendered, one thread per COPY: a second thread generating alongside would take the server's
    core (at scale 1000, 0.4 s more for 4.5M rows with every chunk generated ahead).
    """
    rendered = (render(frame, encoder) for frame in itertools.islice(frames, 1))
    first = stack.enter_context(Ahead(rendered, depth=2, name=name))
    return itertools.chain(first, frames)  # the generator is left to the COPY's after one


def _history(
    generator: Generator, *, pack: Pack, summaries: SummarySpool
) -> Iterator[pl.DataFrame]:
    """Yield the history's chunks for COPY, appending their summaries to `summaries`.

    When the customer table grows with the scale, each scale unit's history goes to that unit's
    customers only: chunks of whole units hold all the rows of their customers, so they are
    summarised chunk by chunk and the spool holds summaries, never the whole history. Otherwise
    the chunks' summaries are merged at the end. Rows come in row-number order: both go into
    bare partitions whose keys are built after the rows, so no insertion order pays off.
    """
    truth = pack.ground_truth
    aligned = generator.unit_rows(truth.customer_table) is not None
    parts: list[pl.DataFrame] = []
    for frame in generator.interaction_chunks():
        part = history.summary_part(pack, frame)
        if aligned:
            summaries.add(part.sort(history.SUMMARY_KEYS).select(history.SUMMARY_COLUMNS))
        else:
            parts.append(part)
        yield frame
    if parts:
        summaries.add(history.combine_parts(parts))

"""Downloads for data scientists: a pack table as CSV or Parquet, the ground truth as JSON."""

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse, StreamingResponse
from psycopg_pool import ConnectionPool

from seedpacks.api import answers
from seedpacks.api.deps import Pool
from seedpacks.api.openapi import errors, success
from seedpacks.api.read import Reader
from seedpacks.catalog import export, profile

router = APIRouter(prefix="/api/v1", tags=["read"])


@router.get(
    "/schemas/{name}/export",
    summary="Download one of the tenant's pack tables, whole, as CSV or Parquet",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "The table in primary-key order, streamed: CSV with a header line "
            "(NULL as an empty field), or Parquet with the declared column types.",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/vnd.apache.parquet": {
                    "schema": {"type": "string", "format": "binary"}
                },
            },
        },
        **errors(400, 401, 404, e404="The tenant has no data schema of that name."),
    },
)
def export_table(
    name: Annotated[str, Path(description="the schema's name, e.g. starbucks_customers")],
    who: Reader,
    pool: Pool,
    format: Annotated[
        str,
        Query(
            description="csv (the default) or parquet",
            json_schema_extra={"enum": list(export.FORMATS)},
        ),
    ] = "csv",
) -> StreamingResponse:
    fmt = export.check_format(format)
    with pool.connection() as conn:
        table = export.find_table(conn, tenant=who.tenant, name=name)
    return StreamingResponse(
        _stream(pool, table, fmt),
        media_type=export.MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{export.file_name(table, fmt)}"'},
    )


def _stream(pool: ConnectionPool, table: export.Table, fmt: export.Format) -> Iterator[bytes]:
    with pool.connection() as conn:
        chunks = export.csv_chunks if fmt == "csv" else export.parquet_chunks
        yield from chunks(conn, table)


_TRUTH_EXAMPLE = {
    "datasetKey": "telco",
    "seed": 4,
    "scale": 1,
    "formula": "P(positive | customer, offer, channel) = 1 / (1 + exp(-(intercept + "
    "sum(weight_f * x_f))))",
    "arms": [{"offer": "...", "channel": "email", "intercept": -1.2, "weights": {"...": 0.4}}],
}


@router.get(
    "/ground-truth",
    summary="Download the loaded pack's ground truth: the response function its history follows",
    response_model=None,
    responses=success(answers.GroundTruthFile, _TRUTH_EXAMPLE)
    | errors(401, 404, e404="No pack is loaded in the tenant."),
)
def download_ground_truth(who: Reader, pool: Pool) -> JSONResponse:
    with pool.connection() as conn:
        truth: dict[str, Any] = export.loaded_ground_truth(conn, tenant=who.tenant)
    return JSONResponse(
        truth,
        headers={
            "Content-Disposition": f'attachment; filename="{truth["datasetKey"]}-ground-truth.json"'
        },
    )


@router.get(
    "/schemas/{name}/profile",
    summary="The distribution of each column of a pack table, for charts",
    response_model=None,
    responses=success(
        answers.TableProfile,
        {
            "schemaName": "starbucks_customers",
            "datasetKey": "starbucks",
            "rows": 2000,
            "profiledRows": 2000,
            "sampled": False,
            "columns": [
                {"name": "id", "type": "text", "nullShare": 0.0, "chart": "none", "distinct": 2000},
                {
                    "name": "gender",
                    "type": "text",
                    "nullShare": 0.128,
                    "chart": "bars",
                    "values": [{"value": "M", "count": 998}, {"value": "F", "count": 719}],
                },
            ],
        },
    )
    | errors(401, 404, e404="The tenant has no data schema of that name."),
)
def table_profile(
    name: Annotated[str, Path(description="the schema's name, e.g. starbucks_customers")],
    who: Reader,
    pool: Pool,
) -> dict[str, Any]:
    """Per column: its NULL share and a histogram (numbers, dates), value counts (categories)
    or nothing (identifiers); tables over 200,000 rows are profiled on a repeatable sample."""
    with pool.connection() as conn:
        return profile.table_profile(conn, tenant=who.tenant, name=name)


@router.get(
    "/ground-truth/rates",
    summary="The ground truth's mean response rate per offer and channel, for a heatmap",
    response_model=None,
    responses=success(
        answers.ArmRates,
        {
            "datasetKey": "starbucks",
            "customers": 2000,
            "profiledCustomers": 2000,
            "sampled": False,
            "offers": [{"id": "fafdcd668e3743c1bb461111dcafc2a4", "name": "$2 off $10, 10 days"}],
            "channels": ["email", "mobile", "social", "web"],
            "rates": [[0.55, 0.57, 0.6, 0.52]],
        },
    )
    | errors(401, 404, e404="No pack is loaded in the tenant."),
)
def ground_truth_rates(who: Reader, pool: Pool) -> dict[str, Any]:
    with pool.connection() as conn:
        return profile.arm_rates(conn, tenant=who.tenant)

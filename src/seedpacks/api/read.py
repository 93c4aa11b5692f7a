"""The read API: what the tenant's pack created, a page at a time, for every role."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, create_model

from seedpacks.api.auth import Identity, require
from seedpacks.api.deps import Pool
from seedpacks.api.openapi import errors
from seedpacks.catalog import read
from seedpacks.catalog.entities import ENTITIES, SUMMARY_FIELDS, Entity, Field

router = APIRouter(prefix="/api/v1", tags=["read"])

Reader = Annotated[Identity, Depends(require("admin", "editor", "viewer", action="read"))]

DEFAULT_LIMIT, MAX_LIMIT = 50, 500
# Beyond any real table; keeps the value inside PostgreSQL's bigint.
MAX_OFFSET = 1_000_000_000


@dataclass(frozen=True)
class Paging:
    limit: int
    offset: int


def paging(
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description=f"items per page, 1 to {MAX_LIMIT}")
    ] = DEFAULT_LIMIT,
    offset: Annotated[
        int, Query(ge=0, le=MAX_OFFSET, description="items to skip before the page")
    ] = 0,
) -> Paging:
    return Paging(limit=limit, offset=offset)


Page = Annotated[Paging, Depends(paging)]


def _item_model(name: str, fields: tuple[Field, ...]) -> type[BaseModel]:
    declared: dict[str, Any] = {
        f.name: (f.type | None if f.nullable else f.type, ...) for f in fields
    }
    return create_model(name, **declared)


def _page_model(name: str, item: Any) -> type[BaseModel]:
    return create_model(
        f"{name}Page",
        items=(list[item], ...),
        total=(int, ...),
        limit=(int, ...),
        offset=(int, ...),
    )


class TableRows(BaseModel):
    """One page of a pack table's rows, keyed by the table's own column names."""

    schemaName: str
    datasetKey: str
    columns: list[str]
    items: list[dict[str, Any]]
    total: int
    limit: int
    offset: int


def _lister(entity: Entity) -> Callable[..., dict[str, Any]]:
    def list_entity(who: Reader, pool: Pool, page: Page) -> dict[str, Any]:
        with pool.connection() as conn:
            return read.list_entities(
                conn, tenant=who.tenant, entity=entity, limit=page.limit, offset=page.offset
            )

    return list_entity


for _entity in ENTITIES:
    _model = _item_model(_entity.model_name, _entity.fields)
    router.add_api_route(
        f"/{_entity.path}",
        _lister(_entity),
        methods=["GET"],
        response_model=_page_model(_entity.model_name, _model),
        summary=f"List the tenant's {_entity.title}",
        operation_id=f"list_{_entity.path.replace('-', '_')}",
        responses=errors(400, 401),
    )


@router.get(
    "/schemas/{name}/data",
    response_model=TableRows,
    summary="Rows of one of the tenant's pack tables, ordered by primary key",
    responses=errors(400, 401, 404, e404="The tenant has no data schema of that name."),
)
def schema_data(
    name: Annotated[str, Path(description="the schema's name, e.g. starbucks_customers")],
    who: Reader,
    pool: Pool,
    page: Page,
) -> dict[str, Any]:
    with pool.connection() as conn:
        return read.table_rows(
            conn, tenant=who.tenant, schema_name=name, limit=page.limit, offset=page.offset
        )


InteractionSummary = _item_model("InteractionSummary", SUMMARY_FIELDS)


@router.get(
    "/interaction-summaries",
    response_model=_page_model("InteractionSummary", InteractionSummary),
    summary="Interaction summaries (customer x offer x channel), optionally of one customer",
    responses=errors(400, 401),
)
def interaction_summaries(
    who: Reader,
    pool: Pool,
    page: Page,
    customer_id: Annotated[
        str | None, Query(alias="customerId", description="only this customer's summaries")
    ] = None,
) -> dict[str, Any]:
    with pool.connection() as conn:
        return read.interaction_summaries(
            conn,
            tenant=who.tenant,
            customer_id=customer_id,
            limit=page.limit,
            offset=page.offset,
        )

"""The `seedpacks` command: a thin layer over the same service functions as the API."""

from typing import Annotated

import typer

app = typer.Typer(
    help="Realistic dataset packs for a next-best-action platform.", no_args_is_help=True
)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="address to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="port to listen on")] = None,
) -> None:
    """Run the HTTP API (and its embedded PostgreSQL unless SEEDPACKS_DATABASE_URL is set)."""
    import uvicorn

    from seedpacks.api.app import create_app
    from seedpacks.config import get_settings

    settings = get_settings()
    uvicorn.run(create_app(settings), host=host or settings.host, port=port or settings.port)


@app.callback()
def main() -> None:
    """seedpacks: load, remove and inspect dataset packs."""

"""The Sample Data page: static files shipped in the package, served at `/`."""

from importlib import resources
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

WEB = Path(str(resources.files("seedpacks") / "web"))

router = APIRouter(include_in_schema=False)


@router.get("/")
def sample_data_page() -> FileResponse:
    return FileResponse(WEB / "index.html", headers={"Cache-Control": "no-cache"})


@router.get("/favicon.ico")
def favicon() -> FileResponse:
    # Browsers ask for /favicon.ico on pages that name no icon, /docs among them.
    return FileResponse(WEB / "favicon.svg", media_type="image/svg+xml")


def install(app: FastAPI) -> None:
    """Serve the page at `/` and its assets under `/static/`."""
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=WEB), name="static")

"""Built-in packs shipped as pack files: parsed from the package with the server's settings."""

import sys
from importlib import resources

from seedpacks.config import Settings, get_settings
from seedpacks.packfile import parse_pack
from seedpacks.packs.model import Pack

# The built-in packs declared only as files (insurance.yaml); a re-expressed Python pack's file
# stays out of this list, as its Python declaration is the registered one.
BUILT_IN = ("insurance",)


def file_text(*, name: str) -> str:
    """Return the text of the packaged pack file `name` (without .yaml)."""
    return resources.files(__name__).joinpath(f"{name}.yaml").read_text(encoding="utf-8")


def load_file_pack(*, name: str, settings: Settings | None = None) -> Pack:
    """Return the packaged pack file `name` parsed, bounded by SEEDPACKS_MAX_SCALE alone."""
    settings = settings or get_settings()
    # A built-in's size is bounded by the largest scale, not by the per-file row limit that
    # guards uploaded files.
    unbounded = settings.model_copy(update={"pack_file_max_rows": sys.maxsize})
    return parse_pack(file_text(name=name), origin=f"{name}.yaml", settings=unbounded)


def built_in_packs(*, settings: Settings | None = None) -> list[Pack]:
    """Return the built-in packs declared as files, parsed."""
    return [load_file_pack(name=name, settings=settings) for name in BUILT_IN]

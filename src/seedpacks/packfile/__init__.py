"""Pack files: a whole pack declared in YAML or JSON, checked and compiled to a `Pack`."""

from seedpacks.packfile.parse import parse_pack
from seedpacks.packfile.schema import pack_schema, starter_file

__all__ = ["pack_schema", "parse_pack", "starter_file"]

"""The pack file's JSON Schema, and the commented starter file `seedpacks pack new` writes."""

from functools import cache
from importlib import resources
from typing import Any

from seedpacks.packfile.document import PackDocument

SCHEMA_ID = "https://seedpacks.dev/schemas/pack-file-v1.json"


@cache
def _schema() -> dict[str, Any]:
    schema = PackDocument.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def pack_schema() -> dict[str, Any]:
    """Return the JSON Schema of a pack file (format seedpacks/v1)."""
    return _schema()


def starter_file(key: str) -> str:
    """Return the commented starter pack file for `key`: it loads as it is."""
    text = (resources.files("seedpacks.packfile") / "starter.yaml").read_text(encoding="utf-8")
    # Table names are PostgreSQL names: a key's dashes become underscores there.
    return text.replace("__KEY_TABLE__", key.replace("-", "_")).replace("__KEY__", key)

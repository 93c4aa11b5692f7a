"""The one explicit registry of packs, built from imports."""

from seedpacks.errors import PackNotFound
from seedpacks.packs import banking, retail, starbucks, telco, uci_bank
from seedpacks.packs.files import built_in_packs
from seedpacks.packs.model import Pack

PACKS: dict[str, Pack] = {
    pack.key: pack
    for pack in (
        starbucks.PACK,
        uci_bank.PACK,
        banking.PACK,
        telco.PACK,
        retail.PACK,
        *built_in_packs(),
    )
}


def get_pack(key: str) -> Pack:
    """Return the registered pack `key`, or raise PackNotFound (404)."""
    try:
        return PACKS[key]
    except KeyError:
        raise PackNotFound(key) from None

"""seedpacks: realistic dataset packs for a next-best-action platform, on PostgreSQL."""

__version__ = "0.1.0"

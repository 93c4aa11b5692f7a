"""Who is calling: trusted identity headers, API keys, or JWT bearer tokens (SEEDPACKS_AUTH)."""

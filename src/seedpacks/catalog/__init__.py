"""What a pack created for a tenant, read back: platform entities, pack table rows, summaries."""

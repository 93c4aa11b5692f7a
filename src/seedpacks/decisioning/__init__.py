"""The decisioning core: recommend, respond and simulate on a tenant's loaded pack."""

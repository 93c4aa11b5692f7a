"""Loading, removing and replacing pack data for a tenant, with progress and limits."""

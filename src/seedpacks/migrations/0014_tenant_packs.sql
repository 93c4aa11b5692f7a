-- A tenant's own packs: pack files registered with PUT /api/v1/seed-dataset/{key} (or
-- `seedpacks pack register`), visible to that tenant only. The document is kept as sent (YAML or
-- JSON) and compiled when used; sha256 of its bytes keys the servers' cache of compiled packs.
-- Keyed by tenant (on Citus, distributed by tenant_id like the other tenant tables).

CREATE TABLE tenant_packs (
    tenant_id   text NOT NULL,
    key         text NOT NULL,
    document    text NOT NULL,
    format      text NOT NULL CHECK (format IN ('yaml', 'json')),
    sha256      text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, key)
);

-- API keys (SEEDPACKS_AUTH=api-key; auth/keys.py). A key is shown once, when it is created;
-- only its SHA-256 is kept. The key alone decides the tenant and role a call acts as.
--
-- Keyed by tenant first, like every platform table. key_hash is unique on its own because a
-- request carries only the key: the lookup cannot know the tenant before it finds the row (the
-- table is small; on Citus it would be a reference table).

CREATE TABLE api_keys (
    tenant_id     text NOT NULL,
    id            text NOT NULL,
    name          text NOT NULL DEFAULT '',
    role          text NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
    key_hash      bytea NOT NULL UNIQUE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz,
    revoked_at    timestamptz,
    -- Recorded at most once a minute per key and server process (auth/keys.py: TOUCH_EVERY).
    last_used_at  timestamptz,
    PRIMARY KEY (tenant_id, id)
);

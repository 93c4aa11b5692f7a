-- A small integer per tenant, the key of its advisory locks (seeding/tenancy.py). Keys hashed
-- from the tenant id collided between tenants (31 bits: an even chance of one colliding pair
-- among 55,000 tenants), and a tenant then got 409 for another's operation. A number handed out
-- once per tenant id cannot collide; it is never reused or deleted, so a lock taken under it
-- always means the same tenant. Keyed by tenant; small (on Citus, a reference table).

CREATE TABLE tenant_lock_ids (
    tenant_id  text PRIMARY KEY,
    lock_id    integer GENERATED ALWAYS AS IDENTITY UNIQUE
);

-- Decisions lock tenants with a loaded pack; those must have a number before any new seed
-- operation can take one (see tenancy.try_share_data_lock).
INSERT INTO tenant_lock_ids (tenant_id) SELECT tenant_id FROM loaded_datasets ORDER BY tenant_id;

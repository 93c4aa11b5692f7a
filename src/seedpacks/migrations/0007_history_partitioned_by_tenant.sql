-- The interaction history is LIST-partitioned by tenant: each tenant's rows live in a partition
-- of their own, `interactions_<first 16 hex digits of sha256(tenant_id)>`.
--
-- Why: a pack load inserts up to 500,000 history rows. Into the shared table every row was
-- placed in two B-trees (primary key and customer index) at about 150,000 rows/s; a load now
-- fills its tenant's partition as a bare table (COPY FREEZE, keys built after the rows, the same
-- rows in about a quarter of the time) and attaches it just before commit, and a removal drops
-- the partition instead of deleting the rows one WAL record at a time.
-- Locks (seeding/partitions.py): attaching takes SHARE UPDATE EXCLUSIVE on the parent (decisions
-- of other tenants go on; loads of other tenants queue at that step); dropping takes ACCESS
-- EXCLUSIVE (every decision waits) and is the last statement before commit.
--
-- Every key remains tenant-scoped (tenant_id first) and is declared on the parent, so every
-- partition has it. Decisions read and write through the parent with `tenant_id = ...` and
-- see one partition. Existing rows move to one partition per tenant; ids are kept.

ALTER TABLE interactions RENAME TO interactions_unpartitioned;
ALTER INDEX interactions_pkey RENAME TO interactions_unpartitioned_pkey;
ALTER INDEX interactions_customer RENAME TO interactions_unpartitioned_customer;

CREATE TABLE interactions (
    tenant_id          text NOT NULL,
    id                 bigint NOT NULL DEFAULT nextval('interactions_id_seq'),
    dataset_key        text NOT NULL,
    customer_id        text COLLATE "C" NOT NULL,
    offer_id           text NOT NULL,
    creative_id        text,
    channel_id         text NOT NULL,
    outcome            text NOT NULL,
    occurred_at        timestamptz NOT NULL,
    recommendation_id  text,
    CONSTRAINT interactions_pkey PRIMARY KEY (tenant_id, id)
) PARTITION BY LIST (tenant_id);
CREATE INDEX interactions_customer ON interactions (tenant_id, customer_id, occurred_at);
-- Before the old table goes: the sequence would go with the column that owns it.
ALTER SEQUENCE interactions_id_seq OWNED BY interactions.id;

DO $$
DECLARE
    tenant text;
    part text;
BEGIN
    FOR tenant IN SELECT DISTINCT tenant_id FROM interactions_unpartitioned ORDER BY 1 LOOP
        part := 'interactions_' || left(encode(sha256(convert_to(tenant, 'UTF8')), 'hex'), 16);
        EXECUTE format('CREATE TABLE %I PARTITION OF interactions FOR VALUES IN (%L)',
                       part, tenant);
    END LOOP;
END
$$;

INSERT INTO interactions (tenant_id, id, dataset_key, customer_id, offer_id, creative_id,
                          channel_id, outcome, occurred_at, recommendation_id)
SELECT tenant_id, id, dataset_key, customer_id, offer_id, creative_id, channel_id, outcome,
       occurred_at, recommendation_id
FROM interactions_unpartitioned;

DROP TABLE interactions_unpartitioned;

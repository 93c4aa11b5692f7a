-- The interaction summaries are LIST-partitioned by tenant, like the history (0007): each
-- tenant's rows live in `interaction_summaries_<first 16 hex digits of sha256(tenant_id)>`.
--
-- Why: a pack load writes up to 500,000 summaries; into the shared table each went through its
-- primary-key B-tree row by row, and removing the pack deleted them row by row (0.5 s of a
-- 0.75 s removal at scale 1000). A load now fills a bare partition and builds its key after
-- the rows; a removal drops it. Locks as for the history (seeding/partitions.py): every seed
-- operation takes the two parents in one order, history first, and gives way to decisions
-- instead of waiting on one parent while holding the other.
--
-- Every key remains tenant-scoped (tenant_id first) and is declared on the parent; decisions'
-- upserts (ON CONFLICT on that key) go through the parent. Existing rows move to one partition
-- per tenant.

ALTER TABLE interaction_summaries RENAME TO interaction_summaries_unpartitioned;
ALTER INDEX interaction_summaries_pkey RENAME TO interaction_summaries_unpartitioned_pkey;

CREATE TABLE interaction_summaries (
    tenant_id        text NOT NULL,
    dataset_key      text NOT NULL,
    customer_id      text COLLATE "C" NOT NULL,
    offer_id         text NOT NULL,
    channel_id       text NOT NULL,
    impressions      integer NOT NULL DEFAULT 0,
    positives        integer NOT NULL DEFAULT 0,
    negatives        integer NOT NULL DEFAULT 0,
    last_contact_at  timestamptz,
    CONSTRAINT interaction_summaries_pkey
        PRIMARY KEY (tenant_id, customer_id, offer_id, channel_id)
) PARTITION BY LIST (tenant_id);

DO $$
DECLARE
    tenant text;
    part text;
BEGIN
    FOR tenant IN SELECT DISTINCT tenant_id FROM interaction_summaries_unpartitioned ORDER BY 1
    LOOP
        part := 'interaction_summaries_'
            || left(encode(sha256(convert_to(tenant, 'UTF8')), 'hex'), 16);
        EXECUTE format('CREATE TABLE %I PARTITION OF interaction_summaries FOR VALUES IN (%L)',
                       part, tenant);
    END LOOP;
END
$$;

INSERT INTO interaction_summaries (tenant_id, dataset_key, customer_id, offer_id, channel_id,
                                   impressions, positives, negatives, last_contact_at)
SELECT tenant_id, dataset_key, customer_id, offer_id, channel_id, impressions, positives,
       negatives, last_contact_at
FROM interaction_summaries_unpartitioned;

DROP TABLE interaction_summaries_unpartitioned;

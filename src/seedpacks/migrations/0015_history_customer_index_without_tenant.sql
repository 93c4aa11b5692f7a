-- The history's customer index is (customer_id, occurred_at): tenant_id is no longer its first
-- column. Every partition's index follows (seeding/partitions.py builds a load's so).
--
-- Why: each tenant's history is a partition of its own (0007), so within an index tenant_id
-- is the same in every entry. As the first column it was compared first in every comparison of
-- the index build's sort, and it kept the sort from comparing the customer ids' leading bytes
-- as integers (abbreviated keys); it also took a fifth of the index's size. Measured with 4.5M
-- history rows (starbucks at scale 1000, PostgreSQL 18): the build took 4.9-5.2 s instead of
-- 8.4-14 s, and the index 291 MB instead of 371 MB. Queries keep naming the tenant: `WHERE
-- tenant_id = %s AND customer_id = %s` goes to the tenant's partition (pruning) and down this
-- index by customer, in occurred_at order. The primary key stays (tenant_id, id).
--
-- The indexes of existing partitions are rebuilt, with the names a load gives them.

DROP INDEX interactions_customer;
CREATE INDEX interactions_customer ON interactions (customer_id, occurred_at);

DO $$
DECLARE
    part record;
BEGIN
    FOR part IN
        SELECT i.inhrelid::regclass::text AS index, t.relname AS partition
        FROM pg_inherits i
        JOIN pg_index x ON x.indexrelid = i.inhrelid
        JOIN pg_class t ON t.oid = x.indrelid
        WHERE i.inhparent = 'interactions_customer'::regclass
    LOOP
        EXECUTE format('ALTER INDEX %s RENAME TO %I', part.index, part.partition || '_customer');
    END LOOP;
END $$;

-- A load numbers its history rows 1, 2, 3, ... in the tenant's new partition: each row's id is
-- the row number it was generated from, like every other generated value. Decisions' rows take
-- their ids from interactions_id_seq, which from now on hands out ids above 10^12, so the two
-- never meet in a partition, whose key is (tenant_id, id). Rows already stored keep their ids,
-- all below that.
--
-- Why: COPY evaluated nextval() for every history row, a third of the server's CPU for the
-- history (0.17 of 0.54 s for starbucks' 500,000 rows at scale 1000). A block of ids taken from
-- the sequence instead would race decisions and other loads (setval is not atomic with them).
--
-- seeding/history.py names the same bound (DECISION_IDS_FROM).

SELECT setval('interactions_id_seq',
              greatest(1000000000000, (SELECT last_value FROM interactions_id_seq)));

-- The history and its summaries store their text values inline (STORAGE PLAIN), and a load's
-- partitions copy that storage (seeding/partitions.py, LIKE ... INCLUDING STORAGE).
--
-- Why: a table with a column that may be stored out of line gets a TOAST table and its index,
-- two more files and their catalog rows, for every partition a load creates: about 7 ms of a
-- 100 ms scale-1 load (bench/bench_load.py). These rows hold ids, outcome keys and a timestamp,
-- tens of bytes: every value is a pack's or the decisioning's own (unknown customers,
-- recommendations and outcomes are refused before anything is written), far below the 8 kB
-- a row can hold inline. Existing partitions keep their TOAST tables; rows are not rewritten.

ALTER TABLE interactions
    ALTER tenant_id SET STORAGE PLAIN,
    ALTER dataset_key SET STORAGE PLAIN,
    ALTER customer_id SET STORAGE PLAIN,
    ALTER offer_id SET STORAGE PLAIN,
    ALTER creative_id SET STORAGE PLAIN,
    ALTER channel_id SET STORAGE PLAIN,
    ALTER outcome SET STORAGE PLAIN,
    ALTER recommendation_id SET STORAGE PLAIN;

ALTER TABLE interaction_summaries
    ALTER tenant_id SET STORAGE PLAIN,
    ALTER dataset_key SET STORAGE PLAIN,
    ALTER customer_id SET STORAGE PLAIN,
    ALTER offer_id SET STORAGE PLAIN,
    ALTER channel_id SET STORAGE PLAIN;

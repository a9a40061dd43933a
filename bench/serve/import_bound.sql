-- bench/serve/import-bound: what PostgreSQL alone can write into the bank's
-- tables, in the rows and indexes an import writes (a value, a hash of a
-- case, a feed entry per hash; 20 cases of 500 hashes per transaction,
-- random 63-bit ids and random values), generated inside the server: no
-- client, no network, no PIN hashing. An upper bound for `hashbank import`.
-- Run by import_bound.py, which sets hashbank.batches (transactions).
CREATE OR REPLACE FUNCTION pg_temp.rid() RETURNS bigint LANGUAGE sql AS
  $$ SELECT (random() * 9.2e18)::bigint $$;
CREATE OR REPLACE PROCEDURE pg_temp.fill(batches int) LANGUAGE plpgsql AS $$
DECLARE
  b int;
  next_cursor bigint;
BEGIN
  SELECT COALESCE(max(cursor), 0) INTO next_cursor FROM feed;
  CREATE TEMP TABLE IF NOT EXISTS new_cases (n int, id bigint);
  CREATE TEMP TABLE IF NOT EXISTS new_values (n int, id bigint, value text);
  FOR b IN 1..batches LOOP
    TRUNCATE new_cases, new_values;
    INSERT INTO new_cases SELECT n, pg_temp.rid() FROM generate_series(0, 19) AS n;
    INSERT INTO new_values
      SELECT n, pg_temp.rid(), md5(random()::text) || md5(random()::text)
      FROM generate_series(0, 9999) AS n;
    INSERT INTO cases (id, number, pin_hash, category, status, created_at)
      SELECT id, 'HB-' || md5(random()::text), '$argon2id$placeholder', NULL, 'open', 0 FROM new_cases;
    INSERT INTO hash_values (id, kind, role, label, value, quality, category, status, created_at)
      SELECT id, 'pdq', 'plain', 'pdq', value, 100, NULL, 'active', 0 FROM new_values;
    INSERT INTO hashes (id, case_id, kind, role, value, quality, status, added_at, label, value_id)
      SELECT pg_temp.rid(), c.id, 'pdq', 'plain', NULL, 100, 'active', 0, 'pdq', v.id
      FROM new_values v JOIN new_cases c ON c.n = v.n % 20;
    INSERT INTO feed (cursor, op, hash_id, kind, role, value, quality, category, label,
                      public_cursor, written_at, batch)
      SELECT next_cursor + v.n + 1, 'add', v.id, 'pdq', 'plain', v.value, 100, NULL, 'pdq',
             next_cursor + v.n + 1, 0, 0
      FROM new_values v;
    next_cursor := next_cursor + 10000;
    UPDATE head SET feed_cursor = next_cursor, public_cursor = next_cursor WHERE id = 1;
    COMMIT;
  END LOOP;
END $$;

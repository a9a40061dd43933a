-- Erasures counted in the head row: an erasing write adds one to
-- erasure_seq; the rewrite of the database that takes erased values off the
-- disk records the count it covered in cleaned_seq. Where cleaned_seq is
-- behind (the process stopped in between), the next start cleans first.
ALTER TABLE head ADD COLUMN erasure_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE head ADD COLUMN cleaned_seq BIGINT NOT NULL DEFAULT 0;

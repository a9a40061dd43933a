-- The feed is released to platforms in held, shuffled batches. `cursor`
-- stays the commit-order sequence every server's matcher follows; an entry
-- gets its `public_cursor`, the one platforms page by, when it is released
-- (NULL while held; 0 for a deletion of an addition that was never
-- released, which platforms never see). `written_at` and `batch` (the first
-- cursor of the write that made the entry) say how long it has been held and
-- how many writes a release mixes.
ALTER TABLE feed ADD COLUMN public_cursor BIGINT;
ALTER TABLE feed ADD COLUMN written_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE feed ADD COLUMN batch BIGINT NOT NULL DEFAULT 0;
UPDATE feed SET public_cursor = cursor;
CREATE INDEX feed_by_public_cursor ON feed (public_cursor);

-- The last public cursor given.
ALTER TABLE head ADD COLUMN public_cursor BIGINT NOT NULL DEFAULT 0;
UPDATE head SET public_cursor = feed_cursor;

-- Videos (kind vpdq): a value holds the video's frames in the reference's
-- text form, too long to be a key of the unique index (PostgreSQL's index
-- entries are limited to about 2.7 kB). Values are looked up and kept
-- unique by value_key: the value itself for hex hashes, the SHA-256 of
-- the text for a video.
ALTER TABLE hash_values ADD COLUMN value_key TEXT NOT NULL DEFAULT '';
UPDATE hash_values SET value_key = value;
DROP INDEX hash_values_by_value;
CREATE UNIQUE INDEX hash_values_by_value ON hash_values (value_key, kind, COALESCE(label, ''));

-- When each feed entry was released to platforms (Unix ms, NULL while
-- held): the StopNCII-shaped feed pages by it.
ALTER TABLE feed ADD COLUMN released_at BIGINT;
UPDATE feed SET released_at = written_at WHERE public_cursor IS NOT NULL;
CREATE INDEX feed_by_released_at ON feed (released_at);

-- The values of erased hashes, kept for a window so that clients of the
-- StopNCII-shaped feed, which delete by value, can delete their copies.
-- Never in the clear: each is sealed (AES-256-GCM, the hash id bound in)
-- with the key of the UTC day it was erased on. A day's key and its sealed
-- values are deleted together when the window ends (`crate::withdrawn`).
CREATE TABLE withdrawal_keys (
    day BIGINT PRIMARY KEY, -- days since 1970-01-01, UTC
    key TEXT   NOT NULL     -- 32 random bytes, hex
);
CREATE TABLE withdrawn_values (
    hash_id BIGINT PRIMARY KEY,
    day     BIGINT NOT NULL, -- the key that seals it
    kind    TEXT   NOT NULL,
    label   TEXT,
    reason  TEXT   NOT NULL, -- withdrawn | suspended (what took it off the feed)
    nonce   TEXT   NOT NULL, -- 12 random bytes, hex
    sealed  TEXT   NOT NULL  -- the value's text sealed, with its tag, hex
);
CREATE INDEX withdrawn_values_by_day ON withdrawn_values (day);

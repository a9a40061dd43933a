-- Keys of matchers saved to a file when a server stopped (`serve
-- --matcher-file`). The file is encrypted with its key, which lives only
-- here: a start that opens the file deletes the key, and every erasure
-- deletes all keys in its own transaction, so that a saved file holding a
-- value withdrawn since can no longer be read.
CREATE TABLE matcher_keys (
    id         BIGINT PRIMARY KEY,
    key        TEXT   NOT NULL, -- 32 random bytes, hex
    created_at BIGINT NOT NULL
);

-- The bank on PostgreSQL: cases and their hashes, platforms, reports, the feed,
-- PIN failures and the audit log. Times are Unix milliseconds (UTC).

-- One row that every write transaction updates first: it serialises writers,
-- so feed cursors and audit sequence numbers follow commit order.
CREATE TABLE head (
    id          BIGINT PRIMARY KEY CHECK (id = 1),
    feed_cursor BIGINT  NOT NULL, -- the last cursor given to a feed entry
    audit_seq   BIGINT  NOT NULL, -- the last audit entry's seq
    audit_hash  TEXT    NOT NULL  -- the last audit entry's entry_hash
);
INSERT INTO head (id, feed_cursor, audit_seq, audit_hash)
VALUES (1, 0, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE cases (
    id           BIGINT  PRIMARY KEY, -- random; never leaves the bank
    number       TEXT    NOT NULL UNIQUE,
    pin_hash     TEXT    NOT NULL,    -- argon2id PHC string
    category     TEXT,                -- NULL or 'minor'
    status       TEXT    NOT NULL,    -- open | withdrawn
    created_at   BIGINT  NOT NULL,
    withdrawn_at BIGINT
);

CREATE TABLE hashes (
    id       BIGINT  PRIMARY KEY,                   -- random 63-bit
    case_id  BIGINT  NOT NULL REFERENCES cases (id),
    kind     TEXT    NOT NULL,                      -- pdq | md5 | sha256
    role     TEXT    NOT NULL,                      -- plain | extra
    value    TEXT,                                  -- lower-case hex; NULL once withdrawn
    quality  BIGINT,                                -- PDQ only
    status   TEXT    NOT NULL,                      -- active | suspended | withdrawn
    added_at BIGINT  NOT NULL
);
CREATE INDEX hashes_by_case ON hashes (case_id);

-- The hash feed: additions of active hashes and deletions (id only).
-- Withdrawal and suspension delete a hash's addition entry.
CREATE TABLE feed (
    cursor   BIGINT PRIMARY KEY,
    op       TEXT   NOT NULL, -- add | delete
    hash_id  BIGINT NOT NULL,
    kind     TEXT,
    role     TEXT,
    value    TEXT,
    quality  BIGINT,
    category TEXT
);
CREATE INDEX feed_by_hash ON feed (hash_id);

CREATE TABLE feed_reads (
    id          BIGSERIAL PRIMARY KEY,
    platform_id BIGINT NOT NULL,
    from_cursor BIGINT NOT NULL, -- the reader's `after`
    to_cursor   BIGINT NOT NULL, -- the last cursor it was given
    entries     BIGINT NOT NULL,
    at          BIGINT NOT NULL
);

CREATE TABLE platforms (
    id         BIGINT  PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    key_id     TEXT    NOT NULL UNIQUE, -- the public part of the API key
    key_hash   TEXT    NOT NULL,        -- argon2id PHC string of the whole key
    created_at BIGINT  NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE reports (
    id          BIGINT  PRIMARY KEY,
    platform_id BIGINT  NOT NULL REFERENCES platforms (id),
    hash_id     BIGINT  NOT NULL REFERENCES hashes (id),
    distance    BIGINT  NOT NULL,
    content_ref TEXT    NOT NULL,
    outcome     TEXT,            -- NULL | pending_review | removed | not_violating
    reported_at BIGINT  NOT NULL,
    outcome_at  BIGINT
);
CREATE INDEX reports_by_hash ON reports (hash_id);

-- Consecutive wrong PINs, keyed by a hash of the case number whether or not
-- the case exists, so that a lock says nothing about existence.
CREATE TABLE pin_failures (
    key          TEXT   PRIMARY KEY,
    failures     BIGINT NOT NULL,
    locks        BIGINT NOT NULL,
    locked_until BIGINT NOT NULL
);

-- Append-only; each entry_hash = SHA-256(prev_hash || the entry's fields).
CREATE TABLE audit (
    seq        BIGINT PRIMARY KEY,
    at         BIGINT NOT NULL,
    actor      TEXT   NOT NULL,
    action     TEXT   NOT NULL,
    subject    TEXT   NOT NULL,
    detail     TEXT   NOT NULL,
    prev_hash  TEXT   NOT NULL,
    entry_hash TEXT   NOT NULL
);

-- Exchanges: this bank follows other banks' feeds (its sources) with a
-- platform key of each, and feeds their hashes to its own platforms.

-- This bank's random id, made once: its feed pages say it, and a bank
-- following this one gives it as the origin of this bank's hashes.
CREATE TABLE bank_identity (
    id      BIGINT PRIMARY KEY CHECK (id = 1),
    bank_id TEXT   NOT NULL
);
INSERT INTO bank_identity (id, bank_id) VALUES (1, replace(CAST(gen_random_uuid() AS TEXT), '-', ''));

-- The sources. The platform key is kept as given (it must be sent to the
-- source, so it cannot be stored as a hash like this bank's own keys).
CREATE TABLE exchanges (
    id             BIGINT  PRIMARY KEY, -- random
    name           TEXT    NOT NULL UNIQUE,
    url            TEXT    NOT NULL,
    api_key        TEXT    NOT NULL,
    remote_bank_id TEXT,              -- the source's bank id, from its feed
    cursor         BIGINT  NOT NULL DEFAULT 0, -- the source's feed, read up to
    head_cursor    BIGINT,            -- the source's last cursor, at the last fetch
    paused         BIGINT  NOT NULL DEFAULT 0,
    created_at     BIGINT  NOT NULL,
    fetched_at     BIGINT,            -- the last fetch that succeeded
    error          TEXT,              -- the last fetch's error, cleared by a success
    error_at       BIGINT,
    rereading      BIGINT  NOT NULL DEFAULT 0 -- 1: read again from 0 (a source restored
                                              -- from a backup); holdings not seen again go
);

-- Which source holds which value: a value stays while a case of this bank
-- or a source holds it. origin: the bank where the source says it was
-- filed; minor: the source's category.
CREATE TABLE exchange_holdings (
    exchange_id    BIGINT NOT NULL REFERENCES exchanges (id),
    source_hash_id BIGINT NOT NULL,
    value_id       BIGINT NOT NULL REFERENCES hash_values (id),
    origin         TEXT   NOT NULL,
    minor          BIGINT NOT NULL DEFAULT 0,
    seen           BIGINT NOT NULL DEFAULT 1, -- 0: not given again since a re-read began
    PRIMARY KEY (exchange_id, source_hash_id)
);
CREATE INDEX exchange_holdings_by_value ON exchange_holdings (value_id);

-- Where a value came from, as this bank's feed says it (NULL: filed here).
ALTER TABLE hash_values ADD COLUMN origin TEXT;
ALTER TABLE feed ADD COLUMN origin TEXT;

-- Reports and outcomes on values held only from a source, to send there
-- (kind report | outcome), retried until done; remote_id: the source's
-- report id once sent.
CREATE TABLE exchange_forwards (
    id             BIGINT  PRIMARY KEY, -- random
    exchange_id    BIGINT  NOT NULL REFERENCES exchanges (id),
    report_id      BIGINT  NOT NULL, -- this bank's report
    value_id       BIGINT  NOT NULL, -- this bank's value (its forwards go with it)
    kind           TEXT    NOT NULL,
    source_hash_id BIGINT  NOT NULL,
    value          TEXT,
    label          TEXT,
    content_ref    TEXT,
    outcome        TEXT,
    created_at     BIGINT  NOT NULL,
    attempts       BIGINT  NOT NULL DEFAULT 0,
    next_at        BIGINT  NOT NULL,
    error          TEXT,
    remote_id      BIGINT,
    done_at        BIGINT
);
CREATE INDEX exchange_forwards_due ON exchange_forwards (exchange_id, done_at, next_at);
CREATE INDEX exchange_forwards_by_report ON exchange_forwards (report_id);

-- Investigators: a key like a platform's (feed and match API), which files
-- finds instead of reports and outcomes.
ALTER TABLE platforms ADD COLUMN role TEXT NOT NULL DEFAULT 'platform'; -- platform | investigator
-- An investigator's contact text for victims, per language (JSON object:
-- language code -> text); NULL for platforms.
ALTER TABLE platforms ADD COLUMN contact TEXT;

-- A bank hash found in material seized in an investigation: shown only on
-- the cases that hold the hash, erased with it.
CREATE TABLE finds (
    id              BIGINT  PRIMARY KEY, -- random
    investigator_id BIGINT  NOT NULL REFERENCES platforms (id),
    hash_id         BIGINT  NOT NULL REFERENCES hash_values (id) ON DELETE CASCADE,
    reference       TEXT    NOT NULL, -- the investigation's, for the victim to quote
    found_on        TEXT    NOT NULL, -- YYYY-MM-DD
    files           BIGINT  NOT NULL, -- files of the seized material that matched it
    filed_at        BIGINT  NOT NULL
);
CREATE UNIQUE INDEX finds_once ON finds (investigator_id, hash_id, reference);
CREATE INDEX finds_by_hash ON finds (hash_id);

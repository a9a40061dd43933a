-- One row per distinct hash value (kind, label, value), whichever cases
-- hold it: platforms see values, never case hashes. Its id is the public
-- id the feed, the match API and reports call `hash_id`. A case's hash
-- points at its value while the case is open; the value row is deleted
-- when its last holder withdraws. A suspended value stays suspended
-- whichever case files it again.
CREATE TABLE hash_values (
    id         BIGINT  PRIMARY KEY, -- random 63-bit; platforms see it as hash_id
    kind       TEXT    NOT NULL,    -- pdq | md5 | sha256
    role       TEXT    NOT NULL,    -- plain | extra
    label      TEXT,                -- PDQ only
    value      TEXT    NOT NULL,    -- lower-case hex
    quality    BIGINT,              -- PDQ: the first filing's
    category   TEXT,                -- 'minor' when any case holding it is
    status     TEXT    NOT NULL,    -- active | suspended
    created_at BIGINT  NOT NULL
);
CREATE UNIQUE INDEX hash_values_by_value ON hash_values (kind, COALESCE(label, ''), value);

ALTER TABLE hashes ADD COLUMN value_id BIGINT REFERENCES hash_values (id);
CREATE INDEX hashes_by_value ON hashes (value_id);

-- Each value held today takes the smallest id of the hashes holding it
-- (so one of its feed entries stays valid); it is suspended when any of
-- them was.
INSERT INTO hash_values (id, kind, role, label, value, quality, category, status, created_at)
SELECT MIN(h.id), h.kind, MIN(h.role), h.label, h.value, MAX(h.quality),
       MAX(c.category),
       CASE WHEN SUM(CASE WHEN h.status = 'suspended' THEN 1 ELSE 0 END) > 0
            THEN 'suspended' ELSE 'active' END,
       MIN(h.added_at)
FROM hashes h JOIN cases c ON c.id = h.case_id
WHERE h.value IS NOT NULL AND h.status <> 'withdrawn' AND c.status = 'open'
GROUP BY h.kind, h.label, h.value;

UPDATE hashes SET value_id = (
    SELECT v.id FROM hash_values v
    WHERE v.kind = hashes.kind AND COALESCE(v.label, '') = COALESCE(hashes.label, '')
      AND v.value = hashes.value
) WHERE value IS NOT NULL AND status <> 'withdrawn';
UPDATE hashes SET status = 'suspended'
WHERE value_id IN (SELECT id FROM hash_values WHERE status = 'suspended');

-- The feed holds one addition per active value: every other addition is
-- taken off with a deletion entry, after the last cursor.
INSERT INTO feed (cursor, op, hash_id)
SELECT (SELECT feed_cursor FROM head WHERE id = 1) + ROW_NUMBER() OVER (ORDER BY RANDOM()),
       'delete', hash_id
FROM feed
WHERE op = 'add' AND hash_id NOT IN (SELECT id FROM hash_values WHERE status = 'active');
DELETE FROM feed
WHERE op = 'add' AND hash_id NOT IN (SELECT id FROM hash_values WHERE status = 'active');
UPDATE head SET feed_cursor = (SELECT MAX(cursor) FROM feed)
WHERE id = 1 AND (SELECT MAX(cursor) FROM feed) > feed_cursor;
UPDATE feed SET category = (SELECT v.category FROM hash_values v WHERE v.id = feed.hash_id)
WHERE op = 'add';

-- The hash ids the match API gave each platform: a report must name one
-- of them, or one the platform read from the feed.
CREATE TABLE match_grants (
    platform_id BIGINT NOT NULL REFERENCES platforms (id),
    hash_id     BIGINT NOT NULL REFERENCES hash_values (id) ON DELETE CASCADE,
    at          BIGINT NOT NULL,
    PRIMARY KEY (platform_id, hash_id)
);
CREATE INDEX feed_reads_by_platform ON feed_reads (platform_id, to_cursor);

-- Reports name a value; each carries the platform's own hash of its copy
-- (`value`, `label`), from which the bank computed `distance`. One report
-- per platform, value and content reference.
CREATE TABLE value_reports (
    id          BIGINT  PRIMARY KEY,
    platform_id BIGINT  NOT NULL REFERENCES platforms (id),
    hash_id     BIGINT  NOT NULL REFERENCES hash_values (id) ON DELETE CASCADE,
    distance    BIGINT  NOT NULL,
    content_ref TEXT    NOT NULL,
    value       TEXT,            -- the platform's hash; NULL for reports made before it was asked
    label       TEXT,            -- PDQ: the label of the platform's hash
    outcome     TEXT,            -- NULL | pending_review | removed | not_violating
    reported_at BIGINT  NOT NULL,
    outcome_at  BIGINT
);
INSERT INTO value_reports (id, platform_id, hash_id, distance, content_ref, outcome,
                           reported_at, outcome_at)
SELECT r.id, r.platform_id, h.value_id, r.distance, r.content_ref, r.outcome,
       r.reported_at, r.outcome_at
FROM reports r JOIN hashes h ON h.id = r.hash_id
WHERE h.value_id IS NOT NULL AND r.id IN (
    SELECT MIN(r2.id) FROM reports r2 JOIN hashes h2 ON h2.id = r2.hash_id
    WHERE h2.value_id IS NOT NULL
    GROUP BY r2.platform_id, h2.value_id, r2.content_ref
);
DROP TABLE reports;
ALTER TABLE value_reports RENAME TO reports;
CREATE UNIQUE INDEX reports_once ON reports (platform_id, hash_id, content_ref);
CREATE INDEX reports_by_hash ON reports (hash_id);

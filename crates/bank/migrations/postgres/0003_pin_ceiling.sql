-- Wrong PINs per case number from all clients together within a window (the
-- ceiling that stops guessing spread over many addresses), keyed by a hash of
-- the case number whether or not the case exists. Only well-formed numbers
-- get a row, and a row is deleted once its window has ended. Wrong PINs per
-- client and number are counted in each server's memory.
DROP TABLE pin_failures;
CREATE TABLE pin_failures (
    key         TEXT   PRIMARY KEY,
    failures    BIGINT NOT NULL,
    window_ends BIGINT NOT NULL
);
CREATE INDEX pin_failures_window_ends ON pin_failures (window_ends);

-- Statements of reasons (EU Digital Services Act, Art. 17 and 24(5)) for
-- the removals platforms report.

-- A platform's settings for all its statements (JSON: decision visibility,
-- ground, the law or clause, explanation, reference URL); NULL until set.
ALTER TABLE platforms ADD COLUMN statement_settings TEXT;

-- What an outcome says that only the platform knows: how automated the
-- decision was, picture or video, the countries (comma-separated EEA
-- codes; none: everywhere), when the content was posted and when the
-- restriction ends (YYYY-MM-DD).
ALTER TABLE reports ADD COLUMN automated_decision TEXT;
ALTER TABLE reports ADD COLUMN content_type TEXT;
ALTER TABLE reports ADD COLUMN territorial_scope TEXT;
ALTER TABLE reports ADD COLUMN content_date TEXT;
ALTER TABLE reports ADD COLUMN end_date TEXT;

-- What each PDQ hash is a hash of: `pdq` for the plain hash of the whole
-- image, or the part of the image an extra hash was computed from (`trim`,
-- `crop90`, `top80`, ...; media::robust::BankLabel). NULL for MD5 and SHA-256.
ALTER TABLE hashes ADD COLUMN label TEXT;
ALTER TABLE feed ADD COLUMN label TEXT;

-- Every PDQ hash stored before labels existed is taken as a plain one.
UPDATE hashes SET label = 'pdq' WHERE kind = 'pdq';
UPDATE feed SET label = 'pdq' WHERE op = 'add' AND kind = 'pdq';

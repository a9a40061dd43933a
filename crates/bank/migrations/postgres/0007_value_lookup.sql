-- Filing looks a case's values up by value (`value IN (...)`); with kind
-- first in the unique index that lookup read every stored value. The value
-- leads now, so a lookup reads only the values asked for.
DROP INDEX hash_values_by_value;
CREATE UNIQUE INDEX hash_values_by_value ON hash_values (value, kind, COALESCE(label, ''));

-- Drop one file's rows before it is read again with another encoding.
DELETE FROM stage WHERE source_index = $source_index

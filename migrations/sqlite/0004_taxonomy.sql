-- Taxonomy versions imported from JobTech's files (jobmatch import-taxonomy): each version is
-- the whole taxonomy in the layout of fixtures/ (one JSON object of file path -> text), so every
-- instance builds the same one. The highest version is in force; older ones stay for the record.
CREATE TABLE taxonomy_versions (
    version     INTEGER PRIMARY KEY AUTOINCREMENT,
    imported_at TEXT    NOT NULL,
    source      TEXT    NOT NULL,
    mode        TEXT    NOT NULL CHECK (mode IN ('extend', 'replace')),
    checksum    TEXT    NOT NULL,
    summary     TEXT    NOT NULL CHECK (json_valid(summary)),
    files       TEXT    NOT NULL CHECK (json_valid(files))
);

-- A new version reaches the instances through the outbox, like any other change. SQLite cannot
-- alter a CHECK constraint, so the outbox is rebuilt with 'taxonomy' allowed; its sequence
-- numbers are kept, and so is the AUTOINCREMENT high-water mark, so no number is handed out twice.
CREATE TABLE outbox_next (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    entity    TEXT    NOT NULL CHECK (entity IN ('opening', 'participant', 'taxonomy')),
    entity_id INTEGER NOT NULL,
    op        TEXT    NOT NULL CHECK (op IN ('upsert', 'delete')),
    at        TEXT    NOT NULL
);
INSERT INTO outbox_next (seq, entity, entity_id, op, at)
    SELECT seq, entity, entity_id, op, at FROM outbox ORDER BY seq;
UPDATE sqlite_sequence
    SET seq = MAX(seq, COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0))
    WHERE name = 'outbox_next';
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'outbox_next', seq FROM sqlite_sequence
    WHERE name = 'outbox'
      AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'outbox_next');
DROP TABLE outbox;
ALTER TABLE outbox_next RENAME TO outbox;

-- Access control: users with a role, bearer tokens stored as a selector and a hash of the
-- verifier, participants on a coach's caseload, and an access log the application cannot change.

CREATE TABLE users (
    id          INTEGER PRIMARY KEY,
    role        TEXT    NOT NULL CHECK (role IN ('admin', 'coach', 'matcher', 'employer')),
    name        TEXT    NOT NULL,
    employer_id INTEGER REFERENCES employers (id) ON DELETE RESTRICT,
    created_at  TEXT    NOT NULL,
    CHECK ((role = 'employer') = (employer_id IS NOT NULL))
);

CREATE TABLE tokens (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- Looked up by selector; the verifier is only ever stored as its SHA-256.
    selector   TEXT    NOT NULL UNIQUE,
    verifier   BLOB    NOT NULL,
    created_at TEXT    NOT NULL,
    revoked_at TEXT
);

ALTER TABLE participants ADD COLUMN coach_id INTEGER REFERENCES users (id) ON DELETE SET NULL;
CREATE INDEX participants_coach ON participants (coach_id);

-- Who read, in which role: ids only, never personal data.
ALTER TABLE participant_reads ADD COLUMN user_id INTEGER;
ALTER TABLE participant_reads ADD COLUMN role TEXT;

CREATE TRIGGER participant_reads_append_only_update BEFORE UPDATE ON participant_reads
BEGIN
    SELECT RAISE(ABORT, 'the access log is append-only');
END;

CREATE TRIGGER participant_reads_append_only_delete BEFORE DELETE ON participant_reads
BEGIN
    SELECT RAISE(ABORT, 'the access log is append-only');
END;

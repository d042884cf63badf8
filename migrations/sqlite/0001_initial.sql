-- jobmatch, SQLite schema 1: employers, openings, participants (identity apart from the
-- matchable profile), the change outbox the search index follows, and the participant
-- access log. Never edit once applied: add a new numbered migration instead.
--
-- Conventions: enums are stored as their serde snake_case strings (Swedish levels as "A1".."C2"),
-- dates as ISO 8601 text (YYYY-MM-DD), timestamps as RFC 3339 text in UTC, lists as JSON text.

CREATE TABLE employers (
    id                INTEGER PRIMARY KEY,
    name              TEXT    NOT NULL,
    org_number        TEXT,
    municipality_code TEXT,
    created_at        TEXT    NOT NULL
);

CREATE TABLE openings (
    id                INTEGER PRIMARY KEY,
    employer_id       INTEGER NOT NULL REFERENCES employers (id) ON DELETE RESTRICT,
    kind              TEXT    NOT NULL CHECK (kind IN ('vacancy', 'internship')),
    title             TEXT    NOT NULL,
    description       TEXT    NOT NULL,
    -- model::Occupation as JSON, or NULL; occupation_code repeats its SSYK code for filters.
    occupation        TEXT    CHECK (occupation IS NULL OR json_valid(occupation)),
    occupation_code   TEXT,
    -- Lists of model::Term as JSON arrays.
    skills_required   TEXT    NOT NULL CHECK (json_valid(skills_required)),
    skills_merit      TEXT    NOT NULL CHECK (json_valid(skills_merit)),
    licences          TEXT    NOT NULL CHECK (json_valid(licences)),
    swedish_min       TEXT    CHECK (swedish_min IN ('A1', 'A2', 'B1', 'B2', 'C1', 'C2')),
    swedish_required  INTEGER NOT NULL CHECK (swedish_required IN (0, 1)),
    municipality_code TEXT,
    lat               REAL,
    lon               REAL,
    places            INTEGER NOT NULL CHECK (places >= 0),
    start_date        TEXT,
    deadline          TEXT,
    hours             TEXT    NOT NULL,
    employment_form   TEXT    NOT NULL,
    supervisor        INTEGER NOT NULL CHECK (supervisor IN (0, 1)),
    status            TEXT    NOT NULL CHECK (status IN ('open', 'closed')),
    created_at        TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL,
    CHECK ((lat IS NULL) = (lon IS NULL))
);

CREATE INDEX openings_employer ON openings (employer_id);
CREATE INDEX openings_status ON openings (status);

-- A participant's existence. Identity and profile hang off it and go with it.
CREATE TABLE participants (
    id         INTEGER PRIMARY KEY,
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
);

-- Personal data: only coaches and admins may read it, and matching never does.
CREATE TABLE participant_identities (
    participant_id  INTEGER PRIMARY KEY REFERENCES participants (id) ON DELETE CASCADE,
    name            TEXT    NOT NULL,
    personal_number TEXT,
    contact         TEXT
);

-- What matching may see: model::Profile as JSON, plus the scalars filters need.
CREATE TABLE participant_profiles (
    participant_id    INTEGER PRIMARY KEY REFERENCES participants (id) ON DELETE CASCADE,
    profile           TEXT    NOT NULL CHECK (json_valid(profile)),
    municipality_code TEXT,
    swedish_level     TEXT    CHECK (swedish_level IN ('A1', 'A2', 'B1', 'B2', 'C1', 'C2')),
    lat               REAL,
    lon               REAL,
    max_travel_km     REAL,
    available_from    TEXT,
    hours             TEXT    NOT NULL,
    CHECK ((lat IS NULL) = (lon IS NULL))
);

-- Every committed change to an opening or a profile, in commit order. The indexer applies
-- rows after the last sequence number it committed. Holds ids only, never personal data, and
-- no foreign key: a delete must stay visible after the row it names is gone.
CREATE TABLE outbox (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    entity    TEXT    NOT NULL CHECK (entity IN ('opening', 'participant')),
    entity_id INTEGER NOT NULL,
    op        TEXT    NOT NULL CHECK (op IN ('upsert', 'delete')),
    at        TEXT    NOT NULL
);

-- Who read which participant, and why. Ids and actor only: the log outlives the participant
-- (no foreign key) and so must never hold personal data.
CREATE TABLE participant_reads (
    id             INTEGER PRIMARY KEY,
    participant_id INTEGER NOT NULL,
    actor          TEXT    NOT NULL,
    action         TEXT    NOT NULL,
    at             TEXT    NOT NULL
);

CREATE INDEX participant_reads_participant ON participant_reads (participant_id, id);

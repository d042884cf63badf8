-- A participant's programme facts (unit, district, status and the dates the units' promises
-- run from), with every version kept. Personal data: erased with the participant.
CREATE TABLE programme (
    participant_id INTEGER PRIMARY KEY REFERENCES participants (id) ON DELETE CASCADE,
    facts          TEXT    NOT NULL CHECK (json_valid(facts)),
    unit           TEXT,
    updated_at     TEXT    NOT NULL
);
CREATE INDEX programme_unit ON programme (unit);

CREATE TABLE programme_history (
    id             INTEGER PRIMARY KEY,
    participant_id INTEGER NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    facts          TEXT    NOT NULL CHECK (json_valid(facts)),
    at             TEXT    NOT NULL,
    user_id        INTEGER
);
CREATE INDEX programme_history_participant ON programme_history (participant_id, id);

-- Each unit's limits for its promises; a unit without a row has the defaults.
CREATE TABLE unit_limits (
    unit       TEXT PRIMARY KEY,
    limits     TEXT NOT NULL CHECK (json_valid(limits)),
    updated_at TEXT NOT NULL
);

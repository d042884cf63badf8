-- Placements: a participant proposed to an opening, each step dated and by whom, and what
-- came of it. Who was proposed where is personal data: erased with the participant.
CREATE TABLE placements (
    id             INTEGER PRIMARY KEY,
    participant_id INTEGER NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    opening_id     INTEGER NOT NULL REFERENCES openings (id),
    employer_id    INTEGER NOT NULL REFERENCES employers (id),
    kind           TEXT    NOT NULL CHECK (kind IN ('vacancy', 'internship')),
    status         TEXT    NOT NULL CHECK (status IN ('waiting', 'proposed', 'interview', 'started', 'ended', 'declined', 'withdrawn')),
    outcome        TEXT    CHECK (outcome IN ('job', 'subsidised_job', 'internship', 'studies', 'other_income', 'returned_to_support', 'left')),
    form           TEXT,
    created_at     TEXT    NOT NULL,
    created_by     INTEGER,
    proposed_at    TEXT,
    started_at     TEXT,
    ended_at       TEXT,
    CHECK ((status = 'ended') = (outcome IS NOT NULL))
);
CREATE INDEX placements_participant ON placements (participant_id, created_at);
CREATE INDEX placements_opening ON placements (opening_id, status);
CREATE INDEX placements_employer ON placements (employer_id, proposed_at);
CREATE INDEX placements_waiting ON placements (employer_id, id) WHERE status = 'waiting';

CREATE TABLE placement_events (
    id           INTEGER PRIMARY KEY,
    placement_id INTEGER NOT NULL REFERENCES placements (id) ON DELETE CASCADE,
    status       TEXT    NOT NULL,
    outcome      TEXT,
    at           TEXT    NOT NULL,
    user_id      INTEGER,
    role         TEXT
);
CREATE INDEX placement_events_placement ON placement_events (placement_id, id);

-- How many proposals an employer takes in a calendar month; no row, no cap.
CREATE TABLE employer_caps (
    employer_id       INTEGER PRIMARY KEY REFERENCES employers (id) ON DELETE CASCADE,
    monthly_proposals INTEGER NOT NULL CHECK (monthly_proposals >= 0),
    updated_at        TEXT    NOT NULL
);

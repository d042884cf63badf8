-- Openings imported from published ads (Platsbanken): the ad's system and id, by which a
-- re-import finds the opening it updates, and the ad's details as model::AdSource JSON.
-- Employers are found again by organisation number.

ALTER TABLE openings ADD COLUMN source_system TEXT;
ALTER TABLE openings ADD COLUMN external_id TEXT;
ALTER TABLE openings ADD COLUMN source TEXT CHECK (source IS NULL OR source::jsonb IS NOT NULL);

CREATE UNIQUE INDEX openings_external ON openings (source_system, external_id)
    WHERE external_id IS NOT NULL;
CREATE INDEX employers_org_number ON employers (org_number);

-- How far each change feed has been applied, so a nightly sync resumes where it stopped.
CREATE TABLE sync_state (
    feed       TEXT PRIMARY KEY,
    applied_to TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

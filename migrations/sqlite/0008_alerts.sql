-- Alerts: a coach's subscription to a participant or a whole caseload, a job matcher's saved
-- search, and the new matches found for them as openings come and change. Which participant
-- matched what goes with the participant.
CREATE TABLE subscriptions (
    id             INTEGER PRIMARY KEY,
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind           TEXT    NOT NULL CHECK (kind IN ('participant', 'caseload', 'search')),
    participant_id INTEGER REFERENCES participants (id) ON DELETE CASCADE,
    -- A saved search as JSON: words, kind and municipality.
    search         TEXT,
    threshold      REAL    NOT NULL CHECK (threshold >= 0 AND threshold <= 1),
    webhook_url    TEXT,
    created_at     TEXT    NOT NULL,
    CHECK ((kind = 'participant') = (participant_id IS NOT NULL)),
    CHECK ((kind = 'search') = (search IS NOT NULL))
);
CREATE INDEX subscriptions_user ON subscriptions (user_id);

CREATE TABLE alerts (
    id              INTEGER PRIMARY KEY,
    subscription_id INTEGER NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    opening_id      INTEGER NOT NULL REFERENCES openings (id),
    participant_id  INTEGER REFERENCES participants (id) ON DELETE CASCADE,
    score           REAL    NOT NULL,
    created_at      TEXT    NOT NULL,
    -- When the user looked at it; what is not yet looked at is new.
    taken_at        TEXT,
    -- Webhook delivery: when it arrived, how often it was tried, when to try next.
    delivered_at    TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT
);
-- One alert per match: an opening changed again, or seen by a second instance, alerts once.
CREATE UNIQUE INDEX alerts_once ON alerts (subscription_id, opening_id, COALESCE(participant_id, 0));
CREATE INDEX alerts_due ON alerts (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE INDEX alerts_new ON alerts (subscription_id, id) WHERE taken_at IS NULL;

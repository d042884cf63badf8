-- Priority policies (weights per priority group), named and versioned: setting a policy adds
-- a version; the most recently set one is the unit's current policy.
CREATE TABLE priority_policies (
    name       TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    weights    TEXT    NOT NULL CHECK (json_valid(weights)),
    created_at TEXT    NOT NULL,
    created_by INTEGER,
    PRIMARY KEY (name, version)
);

-- Allocations as answered, with the versions of their inputs, so they can be read again and
-- compared. Ids and pseudonyms only, never identity.
CREATE TABLE allocations (
    id         INTEGER PRIMARY KEY,
    created_at TEXT    NOT NULL,
    created_by INTEGER,
    body       TEXT    NOT NULL CHECK (json_valid(body))
);

-- The case registry (issue 10): persons, events, involvements, sources, interventions and
-- merges. Every personal field is a sealed value (XChaCha20-Poly1305, see
-- kuzot_cases::protect) under a data key of `case_data_keys`, itself wrapped by a key kept
-- outside the database: this file alone names nobody. In the clear are ids, kinds, grades,
-- statuses, sex, citizenships and the dates of events, which say what happened and when,
-- not to whom (ARCHITECTURE.md, "Case registry", argues each). Each row has a random `uid`
-- that the sealing binds, so a sealed value copied into another row does not open there.

CREATE TABLE case_data_keys (
    key_id     TEXT PRIMARY KEY,
    wrapped_by TEXT NOT NULL,   -- id (fingerprint) of the key-encryption key
    wrapped    BLOB NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE case_persons (
    id           INTEGER PRIMARY KEY,
    uid          BLOB    NOT NULL UNIQUE,
    key_id       TEXT    NOT NULL REFERENCES case_data_keys(key_id),
    sex          TEXT,
    citizenships TEXT    NOT NULL,   -- ISO 3166-1 alpha-2 codes, comma-separated
    names        BLOB    NOT NULL,   -- sealed: every spelling with its source
    birth        BLOB    NOT NULL,   -- sealed: the partial birth date
    birthplace   BLOB    NOT NULL,   -- sealed: country, region, district, village
    contacts     BLOB    NOT NULL,   -- sealed
    notes        BLOB    NOT NULL,   -- sealed
    -- Deferred: a copy of the store (kuzot migrate, restore) loads persons in id order,
    -- and a person may be merged into one with a higher id.
    merged_into  INTEGER REFERENCES case_persons(id) DEFERRABLE INITIALLY DEFERRED,
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL
);

-- Blind-index tokens of the name forms the matcher blocks on (keyed HMAC, truncated).
CREATE TABLE case_name_tokens (
    token     BLOB    NOT NULL,
    split     INTEGER NOT NULL,   -- 1: the skeleton of a split reading
    person_id INTEGER NOT NULL REFERENCES case_persons(id),
    PRIMARY KEY (token, split, person_id)
) WITHOUT ROWID;
CREATE INDEX case_name_tokens_by_person ON case_name_tokens (person_id);

CREATE TABLE case_sources (
    id          INTEGER PRIMARY KEY,
    uid         BLOB    NOT NULL UNIQUE,
    key_id      TEXT    NOT NULL REFERENCES case_data_keys(key_id),
    kind        TEXT    NOT NULL,
    document_id INTEGER,            -- a stored document of kuzot
    reliability TEXT    NOT NULL,   -- A–F
    credibility INTEGER NOT NULL,   -- 1–6
    reference   BLOB    NOT NULL,   -- sealed: URL, interview, spreadsheet row
    created_at  TEXT    NOT NULL
);

CREATE TABLE case_events (
    id         INTEGER PRIMARY KEY,
    uid        BLOB    NOT NULL UNIQUE,
    key_id     TEXT    NOT NULL REFERENCES case_data_keys(key_id),
    kind       TEXT    NOT NULL,
    year       INTEGER,
    month      INTEGER,
    day        INTEGER,
    place      BLOB    NOT NULL,   -- sealed
    details    BLOB    NOT NULL,   -- sealed: colony, recruiter, promises, description
    created_at TEXT    NOT NULL
);

CREATE TABLE case_event_sources (
    event_id  INTEGER NOT NULL REFERENCES case_events(id),
    source_id INTEGER NOT NULL REFERENCES case_sources(id),
    PRIMARY KEY (event_id, source_id)
);

CREATE TABLE case_involvements (
    id           INTEGER PRIMARY KEY,
    uid          BLOB    NOT NULL UNIQUE,
    key_id       TEXT    NOT NULL REFERENCES case_data_keys(key_id),
    event_id     INTEGER NOT NULL REFERENCES case_events(id),
    person_id    INTEGER REFERENCES case_persons(id),
    organisation BLOB    NOT NULL,   -- sealed: the organisation's name, or empty
    role         TEXT    NOT NULL
);
CREATE INDEX case_involvements_by_person ON case_involvements (person_id);
CREATE INDEX case_involvements_by_event ON case_involvements (event_id);

CREATE TABLE case_interventions (
    id         INTEGER PRIMARY KEY,
    uid        BLOB    NOT NULL UNIQUE,
    key_id     TEXT    NOT NULL REFERENCES case_data_keys(key_id),
    person_id  INTEGER NOT NULL REFERENCES case_persons(id),
    kind       TEXT    NOT NULL,
    year       INTEGER,
    month      INTEGER,
    day        INTEGER,
    status     TEXT    NOT NULL,
    addressee  BLOB    NOT NULL,   -- sealed
    notes      BLOB    NOT NULL,   -- sealed
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
);
CREATE INDEX case_interventions_by_person ON case_interventions (person_id);

-- A caseworker's decision that two persons are one: `merged_into` of the merged person
-- points at the kept one, and this row records who decided when. Undoing it clears
-- `merged_into` and fills `undone_*`; nothing is deleted either way.
CREATE TABLE case_merges (
    id         INTEGER PRIMARY KEY,
    kept_id    INTEGER NOT NULL REFERENCES case_persons(id),
    merged_id  INTEGER NOT NULL REFERENCES case_persons(id),
    decided_by TEXT    NOT NULL,
    decided_at TEXT    NOT NULL,
    undone_by  TEXT,
    undone_at  TEXT
);
CREATE INDEX case_merges_by_person ON case_merges (merged_id);

-- The case registry (issue 10) on PostgreSQL: the tables of SQLite's migration 0009, which
-- explains them. Personal fields are sealed values (bytea) under a data key wrapped by a
-- key kept outside the database; a dump of these tables names nobody.

CREATE TABLE case_data_keys (
    key_id     text PRIMARY KEY,
    wrapped_by text NOT NULL,   -- id (fingerprint) of the key-encryption key
    wrapped    bytea NOT NULL,
    created_at text NOT NULL
);

CREATE TABLE case_persons (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uid          bytea    NOT NULL UNIQUE,
    key_id       text    NOT NULL REFERENCES case_data_keys(key_id),
    sex          text,
    citizenships text    NOT NULL,   -- ISO 3166-1 alpha-2 codes, comma-separated
    names        bytea    NOT NULL,   -- sealed: every spelling with its source
    birth        bytea    NOT NULL,   -- sealed: the partial birth date
    birthplace   bytea    NOT NULL,   -- sealed: country, region, district, village
    contacts     bytea    NOT NULL,   -- sealed
    notes        bytea    NOT NULL,   -- sealed
    merged_into  bigint REFERENCES case_persons(id) DEFERRABLE INITIALLY DEFERRED,
    created_at   text    NOT NULL,
    updated_at   text    NOT NULL
);

-- Blind-index tokens of the name forms the matcher blocks on (keyed HMAC, truncated).
CREATE TABLE case_name_tokens (
    token     bytea    NOT NULL,
    split     boolean NOT NULL,   -- the skeleton of a split reading
    person_id bigint NOT NULL REFERENCES case_persons(id),
    PRIMARY KEY (token, split, person_id)
);
CREATE INDEX case_name_tokens_by_person ON case_name_tokens (person_id);

CREATE TABLE case_sources (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uid         bytea    NOT NULL UNIQUE,
    key_id      text    NOT NULL REFERENCES case_data_keys(key_id),
    kind        text    NOT NULL,
    document_id bigint,            -- a stored document of kuzot
    reliability text    NOT NULL,   -- A–F
    credibility bigint NOT NULL,   -- 1–6
    reference   bytea    NOT NULL,   -- sealed: URL, interview, spreadsheet row
    created_at  text    NOT NULL
);

CREATE TABLE case_events (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uid        bytea    NOT NULL UNIQUE,
    key_id     text    NOT NULL REFERENCES case_data_keys(key_id),
    kind       text    NOT NULL,
    year       bigint,
    month      bigint,
    day        bigint,
    place      bytea    NOT NULL,   -- sealed
    details    bytea    NOT NULL,   -- sealed: colony, recruiter, promises, description
    created_at text    NOT NULL
);

CREATE TABLE case_event_sources (
    event_id  bigint NOT NULL REFERENCES case_events(id),
    source_id bigint NOT NULL REFERENCES case_sources(id),
    PRIMARY KEY (event_id, source_id)
);

CREATE TABLE case_involvements (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uid          bytea    NOT NULL UNIQUE,
    key_id       text    NOT NULL REFERENCES case_data_keys(key_id),
    event_id     bigint NOT NULL REFERENCES case_events(id),
    person_id    bigint REFERENCES case_persons(id),
    organisation bytea    NOT NULL,   -- sealed: the organisation's name, or empty
    role         text    NOT NULL
);
CREATE INDEX case_involvements_by_person ON case_involvements (person_id);
CREATE INDEX case_involvements_by_event ON case_involvements (event_id);

CREATE TABLE case_interventions (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uid        bytea    NOT NULL UNIQUE,
    key_id     text    NOT NULL REFERENCES case_data_keys(key_id),
    person_id  bigint NOT NULL REFERENCES case_persons(id),
    kind       text    NOT NULL,
    year       bigint,
    month      bigint,
    day        bigint,
    status     text    NOT NULL,
    addressee  bytea    NOT NULL,   -- sealed
    notes      bytea    NOT NULL,   -- sealed
    created_at text    NOT NULL,
    updated_at text    NOT NULL
);
CREATE INDEX case_interventions_by_person ON case_interventions (person_id);

-- A caseworker's decision that two persons are one: `merged_into` of the merged person
-- points at the kept one, and this row records who decided when. Undoing it clears
-- `merged_into` and fills `undone_*`; nothing is deleted either way.
CREATE TABLE case_merges (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kept_id    bigint NOT NULL REFERENCES case_persons(id),
    merged_id  bigint NOT NULL REFERENCES case_persons(id),
    decided_by text    NOT NULL,
    decided_at text    NOT NULL,
    undone_by  text,
    undone_at  text
);
CREATE INDEX case_merges_by_person ON case_merges (merged_id);

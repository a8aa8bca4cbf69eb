-- Analysts' labels: what a person decided a document is, beside what the engine said.
-- Append-only: a correction adds a row, so who changed what and when stays on record;
-- the latest row of a document (highest id) is the label in force.

CREATE TABLE labels (
    id              INTEGER PRIMARY KEY,
    document_id     INTEGER NOT NULL REFERENCES documents(id),
    category        TEXT    NOT NULL,
    facts           TEXT,              -- JSON Facts as corrected; NULL: the engine's facts stand
    note            TEXT,
    labelled_by     TEXT    NOT NULL,  -- account name of the analyst
    labelled_at     TEXT    NOT NULL,  -- RFC 3339, UTC
    engine_version  TEXT    NOT NULL,  -- the engine/model that had labelled it before
    engine_category TEXT    NOT NULL
);
CREATE INDEX labels_document ON labels(document_id, id);
CREATE INDEX analyses_confidence ON analyses(confidence);

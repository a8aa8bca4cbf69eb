-- What the analysis engine said about each document, with the engine version that said it,
-- so that `kuzot reanalyze` can find what an upgrade must recompute.

CREATE TABLE analyses (
    document_id    INTEGER PRIMARY KEY REFERENCES documents(id),
    engine_version TEXT    NOT NULL,
    lang           TEXT    NOT NULL,
    script         TEXT    NOT NULL,
    category       TEXT    NOT NULL,
    confidence     REAL    NOT NULL,
    occupied       INTEGER NOT NULL,
    result         TEXT    NOT NULL,   -- JSON: scores, cues, facts, spans
    fingerprint    BLOB,               -- MinHash signature, little-endian u32s
    cluster_id     INTEGER,            -- near-duplicate cluster: the id of its first document
    analysed_at    TEXT    NOT NULL
);
CREATE INDEX analyses_category ON analyses(category);
CREATE INDEX analyses_cluster ON analyses(cluster_id);

-- Phone numbers found in each document (E.164), to follow an ad to every other ad with it.
CREATE TABLE document_phones (
    phone       TEXT    NOT NULL,
    document_id INTEGER NOT NULL REFERENCES documents(id),
    PRIMARY KEY (phone, document_id)
) WITHOUT ROWID;
CREATE INDEX document_phones_document ON document_phones(document_id);

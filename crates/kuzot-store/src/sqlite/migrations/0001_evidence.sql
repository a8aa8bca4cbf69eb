-- Source files and the documents read from them: the evidence itself.

CREATE TABLE sources (
    id              INTEGER PRIMARY KEY,
    sha256          TEXT    NOT NULL UNIQUE,   -- of the bytes kept under sources/
    size            INTEGER NOT NULL,
    original_name   TEXT    NOT NULL,
    format          TEXT    NOT NULL,
    imported_at     TEXT    NOT NULL,          -- RFC 3339, UTC
    imported_by     TEXT    NOT NULL,
    keep_authors    INTEGER NOT NULL,          -- 1 when raw author names were kept on request
    added           INTEGER NOT NULL DEFAULT 0,
    already_present INTEGER NOT NULL DEFAULT 0,
    rejected        INTEGER NOT NULL DEFAULT 0,
    service_records INTEGER NOT NULL DEFAULT 0
);

-- Records of a source file that could not be read, with where and why.
CREATE TABLE rejected_records (
    source_id   INTEGER NOT NULL REFERENCES sources(id),
    record      INTEGER NOT NULL,
    line        INTEGER,
    byte_offset INTEGER,
    reason      TEXT    NOT NULL
);
CREATE INDEX rejected_records_source ON rejected_records(source_id);

CREATE TABLE documents (
    id              INTEGER PRIMARY KEY,
    source_id       INTEGER NOT NULL REFERENCES sources(id),
    -- "The same message" across exports: chat + message id, or chat + content.
    dedup_key       BLOB    NOT NULL UNIQUE,
    kind            TEXT    NOT NULL,
    chat_id         TEXT,
    chat_name       TEXT,
    chat_kind       TEXT,
    author          TEXT,          -- keyed pseudonym (HMAC), never the raw name
    author_name     TEXT,          -- raw, only with keep_authors
    author_id       TEXT,          -- raw, only with keep_authors
    forwarded_from  TEXT,          -- channel names kept; people pseudonymised
    message_id      TEXT,
    reply_to        TEXT,
    time            INTEGER,       -- Unix seconds, UTC
    edited          INTEGER,
    title           TEXT,
    url             TEXT,
    text            TEXT    NOT NULL,
    media           TEXT,          -- JSON array of {kind, file}
    record          INTEGER NOT NULL,
    line            INTEGER,
    byte_offset     INTEGER
);
CREATE INDEX documents_source ON documents(source_id);
CREATE INDEX documents_time ON documents(time);
CREATE INDEX documents_chat ON documents(chat_name);

-- The evidence schema on PostgreSQL: what SQLite reaches after its migrations 0001–0006,
-- in one step, plus what SQLite keeps in files (the pseudonym key and the kept source
-- files), so that every machine sharing the database shares them too.

CREATE TABLE sources (
    id              bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sha256          text    NOT NULL UNIQUE,   -- of the bytes kept in source_files
    size            bigint  NOT NULL,
    original_name   text    NOT NULL,
    format          text    NOT NULL,
    imported_at     text    NOT NULL,          -- RFC 3339, UTC
    imported_by     text    NOT NULL,
    keep_authors    boolean NOT NULL,          -- raw author names kept on request
    added           bigint  NOT NULL DEFAULT 0,
    already_present bigint  NOT NULL DEFAULT 0,
    rejected        bigint  NOT NULL DEFAULT 0,
    service_records bigint  NOT NULL DEFAULT 0
);

-- Records of a source file that could not be read, with where and why; `id` keeps the
-- order they were met in.
CREATE TABLE rejected_records (
    id          bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source_id   bigint  NOT NULL REFERENCES sources(id),
    record      bigint  NOT NULL,
    line        bigint,
    byte_offset bigint,
    reason      text    NOT NULL
);
CREATE INDEX rejected_records_source ON rejected_records(source_id);

CREATE TABLE documents (
    id              bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source_id       bigint  NOT NULL REFERENCES sources(id),
    -- "The same message" across exports: chat + message id, or chat + content.
    dedup_key       bytea   NOT NULL UNIQUE,
    kind            text    NOT NULL,
    chat_id         text,
    chat_name       text,
    chat_kind       text,
    author          text,          -- keyed pseudonym (HMAC), never the raw name
    author_name     text,          -- raw, only with keep_authors
    author_id       text,          -- raw, only with keep_authors
    forwarded_from  text,          -- channel names kept; people pseudonymised
    message_id      text,
    reply_to        text,
    time            bigint,        -- Unix seconds, UTC
    edited          bigint,
    title           text,
    url             text,
    text            text    NOT NULL,
    media           text,          -- JSON array of {kind, file}
    record          bigint  NOT NULL,
    line            bigint,
    byte_offset     bigint
);
CREATE INDEX documents_source ON documents(source_id);
CREATE INDEX documents_chat ON documents(chat_name);
-- The reading order: by time, undated last (NULLS LAST is a btree's ascending order),
-- then by id, so that documents are read page after page from where the last page ended.
CREATE INDEX documents_time ON documents(time, id);

-- What the engine said about each document, with the engine version that said it.
CREATE TABLE analyses (
    document_id    bigint  PRIMARY KEY REFERENCES documents(id),
    engine_version text    NOT NULL,
    lang           text    NOT NULL,
    script         text    NOT NULL,
    category       text    NOT NULL,
    genre          text,
    topic          text,
    confidence     double precision NOT NULL,
    occupied       boolean NOT NULL,
    result         text    NOT NULL,   -- compact JSON: scores, cues, facts, spans
    cluster_id     bigint,             -- near-duplicate cluster: the id of its first document
    analysed_at    text    NOT NULL
);
CREATE INDEX analyses_category ON analyses(category);
CREATE INDEX analyses_cluster ON analyses(cluster_id);
CREATE INDEX analyses_confidence ON analyses(confidence);

-- One b-bit MinHash signature per analysed document with text (see rows.rs).
CREATE TABLE signatures (
    document_id bigint PRIMARY KEY REFERENCES documents(id),
    signature   bytea  NOT NULL
);

-- Phone numbers found in each document (E.164).
CREATE TABLE document_phones (
    phone       text   NOT NULL,
    document_id bigint NOT NULL REFERENCES documents(id),
    PRIMARY KEY (phone, document_id)
);
CREATE INDEX document_phones_document ON document_phones(document_id);

-- Analysts' labels, append-only: the latest row of a document (highest id) is in force.
CREATE TABLE labels (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    document_id     bigint NOT NULL REFERENCES documents(id),
    category        text   NOT NULL,
    facts           text,              -- JSON Facts as corrected; NULL: the engine's stand
    note            text,
    labelled_by     text   NOT NULL,
    labelled_at     text   NOT NULL,   -- RFC 3339, UTC
    engine_version  text   NOT NULL,
    engine_category text   NOT NULL
);
CREATE INDEX labels_document ON labels(document_id, id);

-- Set by an import in its transaction, cleared by the regrouping in its own.
CREATE TABLE regroup_pending (
    id integer PRIMARY KEY CHECK (id = 1)
);

-- The change log every search index follows. Writers lock the table before inserting,
-- so that sequence numbers appear in commit order.
CREATE TABLE changes (
    seq      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    first_id bigint NOT NULL,
    last_id  bigint NOT NULL
);

-- Documents waiting for a worker's analysis (taken with FOR UPDATE SKIP LOCKED).
CREATE TABLE analysis_queue (
    document_id bigint PRIMARY KEY REFERENCES documents(id)
);

-- Secrets every process shares: the pseudonym key ('pseudonym_key', 32 bytes).
CREATE TABLE store_secrets (
    name  text  PRIMARY KEY,
    value bytea NOT NULL
);

-- Kept source files, byte for byte, in chunks of about 1 MiB. A file is written in one
-- transaction under its id and named by its SHA-256 once all of it is in.
CREATE TABLE source_files (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sha256  text   NOT NULL UNIQUE,
    size    bigint NOT NULL,
    kept_at bigint NOT NULL            -- Unix seconds, UTC
);
CREATE TABLE source_chunks (
    file_id bigint  NOT NULL REFERENCES source_files(id) ON DELETE CASCADE,
    seq     integer NOT NULL,
    bytes   bytea   NOT NULL,
    PRIMARY KEY (file_id, seq)
);
-- lz4 where the server has it: kept exports (JSON, HTML, text) shrink several times, at a
-- fraction of the default compression's cost while an import keeps its file.
DO $$
BEGIN
    IF 'lz4' = ANY (SELECT unnest(enumvals) FROM pg_settings
                    WHERE name = 'default_toast_compression') THEN
        ALTER TABLE source_chunks ALTER COLUMN bytes SET COMPRESSION lz4;
    END IF;
END
$$;

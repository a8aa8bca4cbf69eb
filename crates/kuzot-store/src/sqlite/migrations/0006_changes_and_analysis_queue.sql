-- The change log that every search index follows, and the queue of documents waiting for
-- analysis. Both exist on both backends, so that the service works one way on either.

-- Each row says "the documents with ids from first_id to last_id changed: read them
-- again (a missing one was deleted)". Written in the transaction that made the change;
-- an index remembers the last seq it applied.
CREATE TABLE changes (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    first_id INTEGER NOT NULL,
    last_id  INTEGER NOT NULL
);

-- Documents an import stored without analysing them (a server import that leaves the
-- work to `kuzot worker`) or that a new engine version must analyse again.
CREATE TABLE analysis_queue (
    document_id INTEGER PRIMARY KEY REFERENCES documents(id)
);

-- Near-duplicate regrouping with generations and a lease (the SQLite store's migration
-- 0007 explains the scheme): several servers and workers on one database neither lose a
-- regrouping to a commit that lands while it runs, nor all run the same one.
-- Two tables, so that a regrouping that locks its `done` row never blocks the imports
-- and analysis batches that bump the generation.

CREATE TABLE regroup_requests (
    id         bigint PRIMARY KEY CHECK (id = 1),
    generation bigint NOT NULL
);

CREATE TABLE regroup_runs (
    id          bigint PRIMARY KEY CHECK (id = 1),
    done        bigint NOT NULL,
    lease_token text,
    lease_until bigint
);

INSERT INTO regroup_requests (id, generation) SELECT 1, 1 FROM regroup_pending;
DROP TABLE regroup_pending;

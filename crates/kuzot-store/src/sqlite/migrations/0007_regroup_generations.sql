-- Near-duplicate regrouping with generations and a lease, so that several processes on one
-- store (a server, workers, the CLI) neither lose a regrouping nor all do the same one.
--
-- Every commit that adds or re-analyses documents bumps `regroup_requests.generation`.
-- A regrouping claims the generation it starts from (taking a lease so that other
-- processes leave the work to it), reads the fingerprints, and on writing its clusters
-- records that generation as `done` -- only if no later regrouping has written already.
-- A commit that lands while it works has a higher generation and stays pending; the old
-- single mark was cleared by the regrouping and lost such a commit.

CREATE TABLE regroup_requests (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL
);

CREATE TABLE regroup_runs (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    done        INTEGER NOT NULL,
    -- The process regrouping now (a random token) and until when, in Unix seconds; an
    -- expired lease is taken over, so a process that died holding it delays the work only.
    lease_token TEXT,
    lease_until INTEGER
);

INSERT INTO regroup_requests (id, generation) SELECT 1, 1 FROM regroup_pending;
DROP TABLE regroup_pending;

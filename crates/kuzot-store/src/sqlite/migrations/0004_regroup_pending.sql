-- Near-duplicate clusters are regrouped over the whole store after an import commits. The
-- import sets this mark in its own transaction and the regrouping clears it in its own, so
-- that a process killed between the two leaves the mark behind, and the next run
-- regroups even when it finds every file already imported.

CREATE TABLE regroup_pending (
    id INTEGER PRIMARY KEY CHECK (id = 1)
);

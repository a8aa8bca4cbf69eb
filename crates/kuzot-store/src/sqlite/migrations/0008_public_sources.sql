-- The sources an administrator chose to feed the public numbers page (`/public`). Empty
-- means "none": the page then publishes nothing, rather than everything.

CREATE TABLE public_sources (
    source_id INTEGER PRIMARY KEY REFERENCES sources(id),
    chosen_by TEXT    NOT NULL,   -- account name of the administrator
    chosen_at TEXT    NOT NULL    -- RFC 3339, UTC
);

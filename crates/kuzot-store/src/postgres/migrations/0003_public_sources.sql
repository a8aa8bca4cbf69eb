-- The sources an administrator chose to feed the public numbers page (`/public`); the
-- SQLite store's migration 0008 explains it. Empty means "none".

CREATE TABLE public_sources (
    source_id bigint PRIMARY KEY REFERENCES sources(id),
    chosen_by text   NOT NULL,
    chosen_at text   NOT NULL
);

//! What the search indexer reads from the store: each document with its analysis and
//! the category in force (the latest label, else the engine's).

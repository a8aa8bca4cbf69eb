//! kuzot-search.

//! kuzot-store (being written)

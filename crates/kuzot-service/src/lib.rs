//! kuzot-service (being written)

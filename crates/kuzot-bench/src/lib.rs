//! kuzot-bench (being written)

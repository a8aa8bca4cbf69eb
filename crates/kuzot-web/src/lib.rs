//! kuzot-web.

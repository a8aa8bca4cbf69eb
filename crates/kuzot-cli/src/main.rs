//! kuzot-cli (being written)
fn main() {}

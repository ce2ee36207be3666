//! The `taavon` command.
fn main() {}

//! The parts of the xtask that tests use too: reading Optimly's documentation pages
//! (`cargo xtask docs`).

pub mod docs;

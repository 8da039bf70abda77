//! The parts of the xtask that tests use too: reading Optimly's documentation pages
//! (`cargo xtask docs`) and listing a crate's public API (`cargo xtask public-api`).

pub mod docs;
pub mod public_api;

//! The drift snapshots: Optimly's documentation (`openapi/docs/`) checked against the spec
//! (`openapi/v3.yaml`) and against the client generated from it, as plain-text reports that
//! `tests/drift.rs` pins with insta.
//!
//! [`fault_server`] scripts the wire-level faults the fault suite (`tests/faults.rs`) needs.
//!
//! Every report is a pure function of its inputs, so the mutation tests can feed it a changed
//! spec or an extra example and read the rows that change.

pub mod docs;
pub mod fault_server;
pub mod reports;
pub mod rust_surface;
pub mod types;

/// The spec side, shared with the mock: operations and schemas as JSON Schema.
pub use optimly_mock::spec;

use std::path::PathBuf;

/// The workspace root.
pub fn root() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.parent().map(PathBuf::from).unwrap_or(here)
}

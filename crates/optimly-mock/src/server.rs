//! The mock's HTTP server: routes (one per operation description), the request gate (faults,
//! auth, rate limits, log), the operations' handlers and the in-memory store.

mod answers;
mod gate;
mod handlers;
mod routes;
mod store;

pub(crate) use routes::router;
pub(crate) use store::Shared;
pub use store::{REQUEST_LOG_CAPACITY, RequestRecord};

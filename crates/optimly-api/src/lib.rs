//! Low-level client for Optimly's v3 External API, generated from `openapi/v3.yaml` by
//! progenitor (`cargo xtask generate`).
//!
//! Most applications want the `optimly` crate, which adds retries, rate limits, typed errors
//! and conversations on top of this one. This crate is the exact wire contract: one method
//! per operation of the spec, one type per schema, every string enum open (an unknown value
//! parses to `Unknown(String)` and serialises back unchanged).
//!
//! ```no_run
//! use optimly_api::{Auth, Client, Context, types};
//!
//! # async fn run() -> Result<(), optimly_api::Error<types::ApiErrorBody>> {
//! let client = Client::new("https://api.optimly.io", Context::new(Auth::bearer("agt_…")));
//! let chat = client
//!     .new_chat()
//!     .body(types::ChatBase::builder().client_id("user_456"))
//!     .send()
//!     .await?;
//! let reply = client
//!     .call_agent_v2()
//!     .body(
//!         types::AgentRequest::builder()
//!             .chat_id(chat.chat_id.clone())
//!             .content("Hello! I need help with pricing."),
//!     )
//!     .send()
//!     .await?;
//! println!("{}", reply.response);
//! # Ok(())
//! # }
//! ```
//!
//! Errors: a documented status whose body is the documented `Error` JSON gives
//! [`Error::ErrorResponse`]; any other non-success response (an undocumented status, an HTML
//! or empty body) gives [`Error::UnexpectedResponse`] with its status, headers and body.
// On docs.rs, each item gated by a feature says which.
#![cfg_attr(docsrs, feature(doc_cfg))]

#[rustfmt::skip]
#[allow(clippy::all, clippy::pedantic, clippy::unwrap_used, missing_docs, unused, rustdoc::all)]
mod generated;

pub mod auth;
pub mod hooks;
pub mod limit;
pub mod operation;
pub mod tls;

pub use auth::Auth;
pub use generated::*;
pub use hooks::{Context, ResponseTooLarge};
pub use limit::{Limit, Scope};
pub use operation::{Action, Method, Operation, Request};

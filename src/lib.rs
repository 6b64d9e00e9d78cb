//! A Rust client for the Box Platform API, generated from Box's OpenAPI spec.
//!
//! # Example
//! ```no_run
//! use box_sdk_gen::auth::BoxDeveloperTokenAuth;
//! use box_sdk_gen::client::BoxClient;
//! use box_sdk_gen::schemas::CreateGroupTerminateSessionRequestBody;
//!
//! # async fn run() -> Result<(), box_sdk_gen::errors::BoxError> {
//! let client = BoxClient::new(BoxDeveloperTokenAuth::new("my-developer-token"))?;
//! let body = CreateGroupTerminateSessionRequestBody::new(["987654"]);
//! let message = client
//!     .session_termination
//!     .create_group_terminate_session(&body, Default::default(), None)
//!     .await?;
//! println!("{}", message.message.unwrap_or_default());
//! # Ok(())
//! # }
//! ```
//!
//! # How it fits together
//!
//! `cargo xtask spec update` slices the operations this crate exposes out of Box's
//! published spec into `openapi/box-openapi.json`. build.rs generates a typed client
//! from it with progenitor; that client is private. Every generated operation sends
//! its requests through one transport, which adds authentication and headers and
//! maps every failure into [`errors::BoxError`]. The public API is the facade:
//! [`client::BoxClient`] and its [`managers`], with the names Box documents for its
//! SDKs, and the generated types re-exported in [`schemas`].

#![deny(missing_docs)]

pub mod auth;
pub mod client;
pub mod errors;
pub mod fetch;
mod generated;
pub mod managers;
pub mod network;
pub mod retries;
pub mod schemas;
#[cfg(feature = "test-util")]
pub mod testing;
mod transport;

pub use tokio_util::sync::CancellationToken;

#[cfg(test)]
mod tests;

// Compiles the README's examples as doc tests, so the README cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

//! A Rust client for the Box Platform API, generated from Box's OpenAPI spec.
//!
//! # Quick start
//!
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
//! # Authentication
//!
//! Every flow of Box's own SDKs, each a [`auth::Authentication`]:
//!
//! ```no_run
//! use box_sdk_gen::auth::{BoxCcgAuth, BoxJwtAuth, BoxOAuth, CcgConfig, JwtConfig, OAuthConfig};
//! use box_sdk_gen::client::BoxClient;
//! use box_sdk_gen::network::NetworkSession;
//!
//! # async fn run() -> Result<(), box_sdk_gen::errors::BoxError> {
//! // Client Credentials Grant, as the enterprise's service account.
//! let ccg = CcgConfig::new("client-id", "client-secret").with_enterprise_id("12345");
//! let client = BoxClient::new(BoxCcgAuth::new(ccg))?;
//!
//! // JWT, from the config file the Developer Console downloads.
//! let jwt = JwtConfig::from_config_file("config.json")?;
//! let client = BoxClient::new(BoxJwtAuth::new(jwt))?;
//!
//! // OAuth 2.0: send the user to `get_authorize_url`, then exchange the code.
//! let oauth = BoxOAuth::new(OAuthConfig::new("client-id", "client-secret"));
//! let session = NetworkSession::new()?;
//! oauth.get_tokens_authorization_code_grant("code-from-the-redirect", &session).await?;
//! let client = BoxClient::with_network_session(oauth, session);
//! # let _ = client;
//! # Ok(())
//! # }
//! ```
//!
//! Tokens are kept with their expiry and refreshed shortly before it; calls that
//! need a token at the same moment share one token request.
//!
//! # Errors
//!
//! Every failure is an [`errors::BoxError`]: match on [`errors::BoxError::kind`],
//! read [`errors::BoxError::status`], and [`errors::BoxError::api_error`] for Box's
//! code, message and request ID. No error shows a token or secret.
//!
//! # How it fits together
//!
//! `cargo xtask spec update` slices the operations this crate exposes out of Box's
//! published spec into `openapi/box-openapi.json`. build.rs generates a typed client
//! from it with progenitor; that client is private. Every generated operation sends
//! its requests through one transport, which adds authentication and headers,
//! retries what is safe to retry ([`retries`]), enforces the timeouts and the size
//! limit of the [`network::NetworkSession`], logs with `tracing`, and maps every
//! failure into [`errors::BoxError`]. The public API is the facade:
//! [`client::BoxClient`] and its [`managers`], with the names Box documents for its
//! SDKs, and the generated types re-exported in [`schemas`]. Requests the crate has
//! no operation for go through the same transport with
//! [`client::BoxClient::make_request`].
//!
//! # Features
//!
//! - `rustls` (default): TLS through rustls, with no system library.
//! - `native-tls`: TLS through the platform's library.
//! - `schemars` (default): `schemars::JsonSchema` on every generated type.
//! - `test-util`: `box_sdk_gen::testing`, an embedded fake Box API for tests.

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

//! Authentication: how a [`BoxClient`](crate::client::BoxClient) obtains the access
//! token it sends as `Authorization: Bearer …`.
//!
//! The transport asks the client's [`Authentication`] for a token before every
//! attempt, so one implementation serves every operation. The implementations,
//! named as in Box's own SDKs:
//!
//! - [`BoxDeveloperTokenAuth`]: a developer token from the Developer Console;
//! - [`BoxCcgAuth`]: a server app's Client Credentials Grant;
//! - [`BoxJwtAuth`]: a server app's JWT, from the config JSON Box hands out;
//! - [`BoxOAuth`]: a user's OAuth 2.0 authorization, with refresh tokens.
//!
//! The last three fetch tokens from Box's token endpoint through the same
//! generated client and transport as every other operation, keep them in a
//! [`TokenStorage`] with their expiry, and refresh them shortly before it; callers
//! that need a token at the same moment share one request for it. Secrets (client
//! secrets, private keys, passphrases, access and refresh tokens) are held as
//! [`SecretString`]s and never appear in `Debug`, `Display`, errors or logs.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::SystemTime;

use secrecy::SecretString;

use crate::errors::BoxError;
use crate::network::NetworkSession;

mod ccg;
mod jwt;
pub mod jwt_config;
mod oauth;
mod token_endpoint;
mod token_flow;
mod token_storage;

pub use ccg::{BoxCcgAuth, CcgConfig};
pub use jwt::BoxJwtAuth;
pub use jwt_config::{JwtConfig, JwtSubject};
pub use oauth::{AuthorizeUrlOptions, BoxOAuth, OAuthConfig};
pub use token_storage::{InMemoryTokenStorage, TokenStorage};

/// A boxed future, as the object-safe methods of [`Authentication`] and
/// [`TokenStorage`] return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// An access token, with its refresh token and expiry when Box gave them.
///
/// # Example
/// ```
/// use box_sdk_gen::auth::AccessToken;
///
/// let token = AccessToken::new("my-token");
/// assert!(!format!("{token:?}").contains("my-token"));
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct AccessToken {
    access_token: SecretString,
    refresh_token: Option<SecretString>,
    expires_at: Option<SystemTime>,
}

impl AccessToken {
    /// A token with no refresh token and no known expiry.
    pub fn new(access_token: impl Into<String>) -> Self {
        Self {
            access_token: SecretString::from(access_token.into()),
            refresh_token: None,
            expires_at: None,
        }
    }

    /// The token with a refresh token.
    #[must_use]
    pub fn with_refresh_token(mut self, refresh_token: impl Into<String>) -> Self {
        self.refresh_token = Some(SecretString::from(refresh_token.into()));
        self
    }

    /// The token with the moment it expires.
    #[must_use]
    pub fn with_expires_at(mut self, expires_at: SystemTime) -> Self {
        self.expires_at = Some(expires_at);
        self
    }

    /// The access token, as a secret.
    pub fn access_token(&self) -> &SecretString {
        &self.access_token
    }

    /// The refresh token, as a secret, if Box gave one.
    pub fn refresh_token(&self) -> Option<&SecretString> {
        self.refresh_token.as_ref()
    }

    /// When the token expires, if known.
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.expires_at
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("access_token", &format_args!("[redacted]"))
            .field(
                "refresh_token",
                &self
                    .refresh_token
                    .as_ref()
                    .map(|_| format_args!("[redacted]")),
            )
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// A way of authenticating to Box.
///
/// Every method gets the client's [`NetworkSession`], so that token requests use
/// its base URLs, HTTP client and retries. Implement the trait to plug in a token
/// source of your own.
///
/// # Example
/// ```
/// use box_sdk_gen::auth::{AccessToken, Authentication, BoxFuture};
/// use box_sdk_gen::errors::BoxError;
/// use box_sdk_gen::network::NetworkSession;
///
/// /// Reads the token from a vault on every call.
/// #[derive(Debug)]
/// struct VaultAuth;
///
/// impl Authentication for VaultAuth {
///     fn retrieve_token<'a>(
///         &'a self,
///         _network_session: &'a NetworkSession,
///     ) -> BoxFuture<'a, Result<AccessToken, BoxError>> {
///         Box::pin(async { Ok(AccessToken::new("from-the-vault")) })
///     }
/// }
/// ```
pub trait Authentication: fmt::Debug + Send + Sync + 'static {
    /// The access token to send with the next request: the stored one while it is
    /// fresh, else a new one.
    fn retrieve_token<'a>(
        &'a self,
        network_session: &'a NetworkSession,
    ) -> BoxFuture<'a, Result<AccessToken, BoxError>>;

    /// Whether [`refresh_token`](Self::refresh_token) can get a new token. When it
    /// can, a 401 from Box is answered by one refresh and one re-send.
    fn can_refresh(&self) -> bool {
        false
    }

    /// Gets a new access token even if the stored one looks fresh, because Box
    /// refused it. The default cannot.
    fn refresh_token<'a>(
        &'a self,
        network_session: &'a NetworkSession,
    ) -> BoxFuture<'a, Result<AccessToken, BoxError>> {
        let _ = network_session;
        Box::pin(async {
            Err(BoxError::configuration(
                "this authentication cannot refresh its token",
            ))
        })
    }

    /// The `Authorization` header value for the next request, `Bearer <token>`.
    fn retrieve_authorization_header<'a>(
        &'a self,
        network_session: &'a NetworkSession,
    ) -> BoxFuture<'a, Result<SecretString, BoxError>> {
        Box::pin(async move {
            use secrecy::ExposeSecret;

            let token = self.retrieve_token(network_session).await?;
            Ok(SecretString::from(format!(
                "Bearer {}",
                token.access_token().expose_secret()
            )))
        })
    }

    /// A new token limited to `scopes` (and to one `resource` or `shared_link` when
    /// given), exchanged for the current one at Box's token endpoint. The new token
    /// is returned, not stored: hand it to a less trusted party, such as a browser.
    ///
    /// # Errors
    /// An API error when Box refuses the exchange, for example for a scope the
    /// current token does not have.
    fn downscope_token<'a>(
        &'a self,
        scopes: Vec<String>,
        resource: Option<String>,
        shared_link: Option<String>,
        network_session: &'a NetworkSession,
    ) -> BoxFuture<'a, Result<AccessToken, BoxError>> {
        Box::pin(async move {
            use secrecy::ExposeSecret;

            use crate::generated::types::{
                PostOAuth2TokenGrantType, PostOAuth2TokenSubjectTokenType,
            };

            let token = self.retrieve_token(network_session).await?;
            let mut request = token_endpoint::token_request(
                PostOAuth2TokenGrantType::UrnIetfParamsOauthGrantTypeTokenExchange,
            );
            request.subject_token = Some(token.access_token().expose_secret().to_string());
            request.subject_token_type =
                Some(PostOAuth2TokenSubjectTokenType::UrnIetfParamsOauthTokenTypeAccessToken);
            request.scope = Some(scopes.join(" "));
            request.resource = resource;
            request.box_shared_link = shared_link;
            token_endpoint::request_token(network_session, &request).await
        })
    }

    /// Revokes the stored token at Box and forgets it. The default cannot.
    fn revoke_token<'a>(
        &'a self,
        network_session: &'a NetworkSession,
    ) -> BoxFuture<'a, Result<(), BoxError>> {
        let _ = network_session;
        Box::pin(async {
            Err(BoxError::configuration(
                "this authentication cannot revoke its token",
            ))
        })
    }

    /// What to tell the caller when Box answers 401 and nothing can be refreshed;
    /// appended to the error's message.
    fn unauthorized_hint(&self) -> Option<&str> {
        None
    }
}

/// Authenticates with a developer token from the Box Developer Console.
///
/// A developer token lasts 60 minutes and cannot be refreshed, which makes it right
/// for trying things out and wrong for anything that runs unattended.
///
/// # Example
/// ```
/// use box_sdk_gen::auth::BoxDeveloperTokenAuth;
///
/// let auth = BoxDeveloperTokenAuth::new("my-developer-token");
/// assert!(!format!("{auth:?}").contains("my-developer-token"));
/// ```
#[derive(Clone)]
pub struct BoxDeveloperTokenAuth {
    token: AccessToken,
}

impl BoxDeveloperTokenAuth {
    /// Authenticates with `token`.
    pub fn new(token: impl Into<String>) -> Self {
        Self {
            token: AccessToken::new(token),
        }
    }
}

impl fmt::Debug for BoxDeveloperTokenAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BoxDeveloperTokenAuth")
            .field("token", &format_args!("[redacted]"))
            .finish()
    }
}

impl Authentication for BoxDeveloperTokenAuth {
    fn retrieve_token<'a>(
        &'a self,
        _network_session: &'a NetworkSession,
    ) -> BoxFuture<'a, Result<AccessToken, BoxError>> {
        let token = self.token.clone();
        Box::pin(async move {
            use secrecy::ExposeSecret;

            if token.access_token().expose_secret().is_empty() {
                return Err(BoxError::configuration("the developer token is empty"));
            }
            Ok(token)
        })
    }

    fn unauthorized_hint(&self) -> Option<&str> {
        Some(
            "the developer token is expired or invalid; developer tokens last 60 minutes \
             and cannot be refreshed, so create a new one in the Box Developer Console",
        )
    }
}

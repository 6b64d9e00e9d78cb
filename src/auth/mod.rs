//! Authentication: how a [`BoxClient`](crate::client::BoxClient) obtains the access
//! token it sends as `Authorization: Bearer …`.
//!
//! The transport asks the client's [`Authentication`] for a token before every
//! attempt, so one implementation serves every operation. Tokens are held as
//! [`SecretString`]s and never appear in `Debug`, `Display`, errors or logs.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use secrecy::{ExposeSecret, SecretString};

use crate::errors::BoxError;

/// A boxed future, as the object-safe methods of [`Authentication`] return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// An access token and what Box said about it.
///
/// # Example
/// ```
/// use box_sdk_gen::auth::AccessToken;
///
/// let token = AccessToken::new("my-token");
/// assert_eq!(format!("{token:?}"), "AccessToken { access_token: [redacted] }");
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct AccessToken {
    access_token: SecretString,
}

impl AccessToken {
    /// Wraps a token string.
    pub fn new(access_token: impl Into<String>) -> Self {
        Self {
            access_token: SecretString::from(access_token.into()),
        }
    }

    /// The token, as a secret.
    pub fn access_token(&self) -> &SecretString {
        &self.access_token
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("access_token", &format_args!("[redacted]"))
            .finish()
    }
}

/// A way of authenticating to Box.
///
/// Implement it to plug in a token source of your own; the crate's
/// implementations are [`BoxDeveloperTokenAuth`] and, later, the server-side flows.
///
/// # Example
/// ```
/// use box_sdk_gen::auth::{AccessToken, Authentication, BoxFuture};
/// use box_sdk_gen::errors::BoxError;
///
/// /// Reads the token from a vault on every call.
/// #[derive(Debug)]
/// struct VaultAuth;
///
/// impl Authentication for VaultAuth {
///     fn retrieve_token(&self) -> BoxFuture<'_, Result<AccessToken, BoxError>> {
///         Box::pin(async { Ok(AccessToken::new("from-the-vault")) })
///     }
/// }
/// ```
pub trait Authentication: fmt::Debug + Send + Sync + 'static {
    /// The access token to send with the next request.
    fn retrieve_token(&self) -> BoxFuture<'_, Result<AccessToken, BoxError>>;

    /// Whether [`refresh_token`](Self::refresh_token) can get a new token. When it
    /// can, a 401 from Box is answered by one refresh and one re-send.
    fn can_refresh(&self) -> bool {
        false
    }

    /// Gets a new access token, replacing the one [`retrieve_token`]
    /// (Self::retrieve_token) gives. The default cannot.
    fn refresh_token(&self) -> BoxFuture<'_, Result<AccessToken, BoxError>> {
        Box::pin(async {
            Err(BoxError::configuration(
                "this authentication cannot refresh its token",
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
    fn retrieve_token(&self) -> BoxFuture<'_, Result<AccessToken, BoxError>> {
        let token = self.token.clone();
        Box::pin(async move {
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

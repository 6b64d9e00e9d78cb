//! OAuth 2.0: a user authorizes the app in the browser, the app exchanges the code
//! for tokens, and refreshes them with the refresh token.

use std::fmt;
use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};

use super::token_endpoint::{request_token, token_request};
use super::token_flow::{TokenFlow, token_flow_authentication};
use super::token_storage::TokenCache;
use super::{AccessToken, InMemoryTokenStorage, TokenStorage};
use crate::errors::BoxError;
use crate::generated::types::PostOAuth2TokenGrantType;
use crate::network::{BaseUrls, NetworkSession};

/// The settings of an OAuth 2.0 app.
///
/// # Example
/// ```
/// use box_sdk_gen::auth::OAuthConfig;
///
/// let config = OAuthConfig::new("client-id", "client-secret");
/// assert!(!format!("{config:?}").contains("client-secret"));
/// ```
#[derive(Clone)]
pub struct OAuthConfig {
    client_id: String,
    client_secret: SecretString,
    token_storage: Arc<dyn TokenStorage>,
}

impl OAuthConfig {
    /// An app's credentials, from the Developer Console.
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: SecretString::from(client_secret.into()),
            token_storage: Arc::new(InMemoryTokenStorage::new()),
        }
    }

    /// Keeps tokens in `storage` instead of in memory.
    #[must_use]
    pub fn with_token_storage(mut self, storage: impl TokenStorage) -> Self {
        self.token_storage = Arc::new(storage);
        self
    }
}

impl fmt::Debug for OAuthConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthConfig")
            .field("client_id", &self.client_id)
            .field("client_secret", &format_args!("[redacted]"))
            .field("token_storage", &self.token_storage)
            .finish()
    }
}

/// What the authorize URL asks for; every field is optional.
///
/// # Example
/// ```
/// use box_sdk_gen::auth::AuthorizeUrlOptions;
///
/// let options = AuthorizeUrlOptions::default()
///     .with_redirect_uri("https://example.com/callback")
///     .with_state("anti-forgery-token");
/// # let _ = options;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuthorizeUrlOptions {
    /// Where Box sends the user back; one of the app's configured redirect URIs.
    pub redirect_uri: Option<String>,
    /// A value Box sends back unchanged, to tie the answer to the request.
    pub state: Option<String>,
    /// Space-separated scopes, narrower than the app's.
    pub scope: Option<String>,
}

impl AuthorizeUrlOptions {
    /// The options with `redirect_uri`.
    #[must_use]
    pub fn with_redirect_uri(mut self, redirect_uri: impl Into<String>) -> Self {
        self.redirect_uri = Some(redirect_uri.into());
        self
    }

    /// The options with `state`.
    #[must_use]
    pub fn with_state(mut self, state: impl Into<String>) -> Self {
        self.state = Some(state.into());
        self
    }

    /// The options with `scope`.
    #[must_use]
    pub fn with_scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }
}

/// Authenticates as a user who authorized the app through OAuth 2.0.
///
/// Send the user to [`get_authorize_url`](Self::get_authorize_url); exchange the
/// code Box returns with
/// [`get_tokens_authorization_code_grant`](Self::get_tokens_authorization_code_grant).
/// The access token is then refreshed with its refresh token when it nears expiry
/// or Box refuses it.
///
/// # Example
/// ```
/// use box_sdk_gen::auth::{AuthorizeUrlOptions, BoxOAuth, OAuthConfig};
/// use box_sdk_gen::network::BaseUrls;
///
/// # fn main() -> Result<(), box_sdk_gen::errors::BoxError> {
/// let auth = BoxOAuth::new(OAuthConfig::new("client-id", "client-secret"));
/// let url = auth.get_authorize_url(&BaseUrls::default(), &AuthorizeUrlOptions::default())?;
/// assert_eq!(
///     url,
///     "https://account.box.com/api/oauth2/authorize?client_id=client-id&response_type=code"
/// );
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct BoxOAuth {
    config: OAuthConfig,
    cache: TokenCache,
}

impl BoxOAuth {
    /// Authenticates with `config`.
    pub fn new(config: OAuthConfig) -> Self {
        let cache = TokenCache::new(config.token_storage.clone());
        Self { config, cache }
    }

    /// The URL to send the user to, on the authorization host of `base_urls`.
    ///
    /// # Errors
    /// A configuration error when the OAuth 2.0 base URL is not a URL.
    pub fn get_authorize_url(
        &self,
        base_urls: &BaseUrls,
        options: &AuthorizeUrlOptions,
    ) -> Result<String, BoxError> {
        let base = base_urls.oauth2_url.trim_end_matches('/');
        let mut url = reqwest::Url::parse(&format!("{base}/authorize")).map_err(|e| {
            BoxError::configuration(format!("the oauth2_url `{base}` is not a URL: {e}"))
        })?;
        {
            let mut query = url.query_pairs_mut();
            query.append_pair("client_id", &self.config.client_id);
            query.append_pair("response_type", "code");
            for (name, value) in [
                ("redirect_uri", &options.redirect_uri),
                ("state", &options.state),
                ("scope", &options.scope),
            ] {
                if let Some(value) = value {
                    query.append_pair(name, value);
                }
            }
        }
        Ok(url.into())
    }

    /// Exchanges the code Box sent to the redirect URI for tokens, and keeps them.
    ///
    /// # Errors
    /// An API error carrying Box's `error` and `error_description` when Box refuses
    /// the code, as it does once the code is used or older than 30 seconds.
    pub async fn get_tokens_authorization_code_grant(
        &self,
        authorization_code: &str,
        network_session: &NetworkSession,
    ) -> Result<AccessToken, BoxError> {
        let mut request = token_request(PostOAuth2TokenGrantType::AuthorizationCode);
        request.code = Some(authorization_code.to_string());
        request.client_id = Some(self.config.client_id.clone());
        request.client_secret = Some(self.config.client_secret.expose_secret().to_string());
        let token = request_token(network_session, &request).await?;
        self.cache.store(token).await
    }
}

impl TokenFlow for BoxOAuth {
    fn cache(&self) -> &TokenCache {
        &self.cache
    }

    fn credentials(&self) -> (&str, &SecretString) {
        (&self.config.client_id, &self.config.client_secret)
    }

    /// Refreshes with the refresh token of `stored`, the token it replaces.
    async fn fetch(
        &self,
        stored: Option<AccessToken>,
        network_session: &NetworkSession,
    ) -> Result<AccessToken, BoxError> {
        let Some(refresh_token) = stored.as_ref().and_then(AccessToken::refresh_token) else {
            return Err(BoxError::configuration(
                "there is no refresh token: complete the authorization code grant first",
            ));
        };
        let mut request = token_request(PostOAuth2TokenGrantType::RefreshToken);
        request.refresh_token = Some(refresh_token.expose_secret().to_string());
        request.client_id = Some(self.config.client_id.clone());
        request.client_secret = Some(self.config.client_secret.expose_secret().to_string());
        request_token(network_session, &request).await
    }
}

token_flow_authentication!(BoxOAuth);

//! Client Credentials Grant: a server app authenticating as its service account
//! (an enterprise) or as one of the enterprise's users.

use std::fmt;
use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};

use super::token_endpoint::{request_token, token_request};
use super::token_flow::{TokenFlow, token_flow_authentication};
use super::token_storage::TokenCache;
use super::{AccessToken, InMemoryTokenStorage, TokenStorage};
use crate::errors::BoxError;
use crate::generated::types::{PostOAuth2TokenBoxSubjectType, PostOAuth2TokenGrantType};
use crate::network::NetworkSession;

/// Who a token is for: the enterprise's service account, or one user.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Subject {
    Enterprise(String),
    User(String),
}

/// The settings of a Client Credentials Grant app.
///
/// # Example
/// ```
/// use box_sdk_gen::auth::CcgConfig;
///
/// let config = CcgConfig::new("client-id", "client-secret").with_enterprise_id("12345");
/// assert!(!format!("{config:?}").contains("client-secret"));
/// ```
#[derive(Clone)]
pub struct CcgConfig {
    client_id: String,
    client_secret: SecretString,
    subject: Option<Subject>,
    token_storage: Arc<dyn TokenStorage>,
}

impl CcgConfig {
    /// An app's credentials, from the Developer Console. Name the subject next,
    /// with [`with_enterprise_id`](Self::with_enterprise_id) or
    /// [`with_user_id`](Self::with_user_id).
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: SecretString::from(client_secret.into()),
            subject: None,
            token_storage: Arc::new(InMemoryTokenStorage::new()),
        }
    }

    /// Tokens for the enterprise's service account.
    #[must_use]
    pub fn with_enterprise_id(mut self, enterprise_id: impl Into<String>) -> Self {
        self.subject = Some(Subject::Enterprise(enterprise_id.into()));
        self
    }

    /// Tokens for the user `user_id`.
    #[must_use]
    pub fn with_user_id(mut self, user_id: impl Into<String>) -> Self {
        self.subject = Some(Subject::User(user_id.into()));
        self
    }

    /// Keeps tokens in `storage` instead of in memory.
    #[must_use]
    pub fn with_token_storage(mut self, storage: impl TokenStorage) -> Self {
        self.token_storage = Arc::new(storage);
        self
    }
}

impl fmt::Debug for CcgConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CcgConfig")
            .field("client_id", &self.client_id)
            .field("client_secret", &format_args!("[redacted]"))
            .field("subject", &self.subject)
            .field("token_storage", &self.token_storage)
            .finish()
    }
}

/// Authenticates a server app with Client Credentials Grant.
///
/// Tokens are fetched with `grant_type=client_credentials`, kept with their expiry,
/// and fetched again shortly before it.
///
/// # Example
/// ```no_run
/// use box_sdk_gen::auth::{BoxCcgAuth, CcgConfig};
/// use box_sdk_gen::client::BoxClient;
///
/// # fn main() -> Result<(), box_sdk_gen::errors::BoxError> {
/// let config = CcgConfig::new("client-id", "client-secret").with_enterprise_id("12345");
/// let client = BoxClient::new(BoxCcgAuth::new(config))?;
/// # let _ = client;
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct BoxCcgAuth {
    config: CcgConfig,
    cache: TokenCache,
}

impl BoxCcgAuth {
    /// Authenticates with `config`.
    pub fn new(config: CcgConfig) -> Self {
        let cache = TokenCache::new(config.token_storage.clone());
        Self { config, cache }
    }

    /// The same app authenticating as the user `user_id`, with a new in-memory
    /// token storage.
    pub fn with_user_subject(&self, user_id: impl Into<String>) -> Self {
        let mut config = self.config.clone().with_user_id(user_id);
        config.token_storage = Arc::new(InMemoryTokenStorage::new());
        Self::new(config)
    }

    /// The same app authenticating as the enterprise `enterprise_id`, with a new
    /// in-memory token storage.
    pub fn with_enterprise_subject(&self, enterprise_id: impl Into<String>) -> Self {
        let mut config = self.config.clone().with_enterprise_id(enterprise_id);
        config.token_storage = Arc::new(InMemoryTokenStorage::new());
        Self::new(config)
    }
}

impl TokenFlow for BoxCcgAuth {
    fn cache(&self) -> &TokenCache {
        &self.cache
    }

    fn credentials(&self) -> (&str, &SecretString) {
        (&self.config.client_id, &self.config.client_secret)
    }

    async fn fetch(
        &self,
        _stored: Option<AccessToken>,
        network_session: &NetworkSession,
    ) -> Result<AccessToken, BoxError> {
        let (subject_type, subject_id) = match &self.config.subject {
            Some(Subject::Enterprise(id)) => (PostOAuth2TokenBoxSubjectType::Enterprise, id),
            Some(Subject::User(id)) => (PostOAuth2TokenBoxSubjectType::User, id),
            None => {
                return Err(BoxError::configuration(
                    "the CCG config names no enterprise or user: \
                     call with_enterprise_id or with_user_id",
                ));
            }
        };
        let mut request = token_request(PostOAuth2TokenGrantType::ClientCredentials);
        request.client_id = Some(self.config.client_id.clone());
        request.client_secret = Some(self.config.client_secret.expose_secret().to_string());
        request.box_subject_type = Some(subject_type);
        request.box_subject_id = Some(subject_id.clone());
        request_token(network_session, &request).await
    }
}

token_flow_authentication!(BoxCcgAuth);

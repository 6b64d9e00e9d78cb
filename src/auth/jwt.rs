//! JWT: a server app authenticating with a signed assertion, from the config JSON
//! the Box Developer Console hands out.

use secrecy::{ExposeSecret, SecretString};

use super::jwt_config::JwtConfig;
use super::token_endpoint::{TOKEN_AUDIENCE, request_token, token_request};
use super::token_flow::{TokenFlow, token_flow_authentication};
use super::token_storage::{TokenCache, now};
use super::{AccessToken, InMemoryTokenStorage, TokenStorage};
use crate::errors::BoxError;
use crate::generated::types::PostOAuth2TokenGrantType;
use crate::network::NetworkSession;

/// Authenticates a server app with JWT.
///
/// Each token request carries a new RS256 assertion, signed with the app's
/// private key and naming its public key ID in the `kid` header (Box's TypeScript
/// SDK leaves `kid` out). Tokens are kept with their expiry and fetched again
/// shortly before it.
///
/// # Example
/// ```no_run
/// use box_sdk_gen::auth::{BoxJwtAuth, JwtConfig};
/// use box_sdk_gen::client::BoxClient;
///
/// # fn main() -> Result<(), box_sdk_gen::errors::BoxError> {
/// let config = JwtConfig::from_config_file("config.json")?;
/// let client = BoxClient::new(BoxJwtAuth::new(config))?;
/// # let _ = client;
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct BoxJwtAuth {
    config: JwtConfig,
    cache: TokenCache,
}

impl BoxJwtAuth {
    /// Authenticates with `config`, keeping tokens in memory.
    pub fn new(config: JwtConfig) -> Self {
        Self::with_token_storage(config, InMemoryTokenStorage::new())
    }

    /// Authenticates with `config`, keeping tokens in `storage`.
    pub fn with_token_storage(config: JwtConfig, storage: impl TokenStorage) -> Self {
        Self {
            config,
            cache: TokenCache::new(std::sync::Arc::new(storage)),
        }
    }

    /// The same app authenticating as the user `user_id`, with a new in-memory
    /// token storage.
    pub fn with_user_subject(&self, user_id: impl Into<String>) -> Self {
        Self::new(self.config.with_user_subject(user_id))
    }

    /// The same app authenticating as the enterprise `enterprise_id`, with a new
    /// in-memory token storage.
    pub fn with_enterprise_subject(&self, enterprise_id: impl Into<String>) -> Self {
        Self::new(self.config.with_enterprise_subject(enterprise_id))
    }
}

impl TokenFlow for BoxJwtAuth {
    fn cache(&self) -> &TokenCache {
        &self.cache
    }

    fn credentials(&self) -> (&str, &SecretString) {
        (self.config.client_id(), self.config.client_secret())
    }

    async fn fetch(
        &self,
        _stored: Option<AccessToken>,
        network_session: &NetworkSession,
    ) -> Result<AccessToken, BoxError> {
        let assertion = self.config.assertion(TOKEN_AUDIENCE, now())?;
        let mut request =
            token_request(PostOAuth2TokenGrantType::UrnIetfParamsOauthGrantTypeJwtBearer);
        request.assertion = Some(assertion.expose_secret().to_string());
        request.client_id = Some(self.config.client_id().to_string());
        request.client_secret = Some(self.config.client_secret().expose_secret().to_string());
        request_token(network_session, &request).await
    }
}

token_flow_authentication!(BoxJwtAuth);

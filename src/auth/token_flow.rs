//! What the flows that talk to Box's token endpoint (CCG, JWT and OAuth 2.0) have
//! in common: each asks the endpoint for a token with the app's credentials, keeps
//! it in a [`TokenCache`], and revokes it with the same credentials. Only how a
//! token request is made differs, so each flow implements [`TokenFlow`] and gets
//! its [`Authentication`](super::Authentication) from [`token_flow_authentication!`].
//!
//! A macro rather than a blanket `impl<T: TokenFlow> Authentication for T`: the
//! blanket impl would show a trait users cannot see in every type's docs, while
//! the macro gives each type a plain `impl Authentication`.

use std::future::Future;

use secrecy::{ExposeSecret, SecretString};

use super::AccessToken;
use super::token_endpoint::revoke;
use super::token_storage::TokenCache;
use crate::errors::BoxError;
use crate::generated::types::PostOAuth2Revoke;
use crate::network::NetworkSession;

/// A token-endpoint flow. Crate-private: users implement [`Authentication`].
pub(super) trait TokenFlow: std::fmt::Debug + Send + Sync + 'static {
    /// Where the flow keeps its token.
    fn cache(&self) -> &TokenCache;

    /// The app's client ID and secret, for revoking.
    fn credentials(&self) -> (&str, &SecretString);

    /// Asks the token endpoint for a new token; `stored` is the token it replaces,
    /// whose refresh token OAuth 2.0 sends.
    fn fetch<'a>(
        &'a self,
        stored: Option<AccessToken>,
        network_session: &'a NetworkSession,
    ) -> impl Future<Output = Result<AccessToken, BoxError>> + Send + 'a;
}

/// Revokes `flow`'s stored token, if any, with its credentials, and forgets it.
pub(super) async fn revoke_stored(
    flow: &impl TokenFlow,
    network_session: &NetworkSession,
) -> Result<(), BoxError> {
    let cache = flow.cache();
    let (client_id, client_secret) = flow.credentials();
    let Some(token) = cache.stored().await? else {
        return Ok(());
    };
    let request = PostOAuth2Revoke {
        client_id: Some(client_id.to_string()),
        client_secret: Some(client_secret.expose_secret().to_string()),
        token: Some(token.access_token().expose_secret().to_string()),
    };
    revoke(network_session, &request).await?;
    cache.clear().await
}

/// Implements `Authentication` for a [`TokenFlow`]: tokens from the flow's cache,
/// fetched by the app when missing, stale or refused, and revoked with its
/// credentials.
macro_rules! token_flow_authentication {
    ($app:ty) => {
        // In a block of its own, so that the names it uses are its own imports.
        const _: () = {
            use $crate::auth::token_flow::TokenFlow;
            use $crate::auth::{AccessToken, Authentication, BoxFuture};
            use $crate::errors::BoxError;
            use $crate::network::NetworkSession;

            impl Authentication for $app {
                fn retrieve_token<'a>(
                    &'a self,
                    network_session: &'a NetworkSession,
                ) -> BoxFuture<'a, Result<AccessToken, BoxError>> {
                    Box::pin(
                        self.cache()
                            .token(|stored| self.fetch(stored, network_session)),
                    )
                }

                fn can_refresh(&self) -> bool {
                    true
                }

                fn refresh_token<'a>(
                    &'a self,
                    network_session: &'a NetworkSession,
                ) -> BoxFuture<'a, Result<AccessToken, BoxError>> {
                    Box::pin(
                        self.cache()
                            .refresh(|stored| self.fetch(stored, network_session)),
                    )
                }

                fn revoke_token<'a>(
                    &'a self,
                    network_session: &'a NetworkSession,
                ) -> BoxFuture<'a, Result<(), BoxError>> {
                    Box::pin($crate::auth::token_flow::revoke_stored(
                        self,
                        network_session,
                    ))
                }
            }
        };
    };
}
pub(super) use token_flow_authentication;

//! What the two server-app flows, CCG and JWT, have in common: each asks the
//! token endpoint for a token with the app's credentials, keeps it in a
//! [`TokenCache`], and revokes it with the same credentials. Only how a token
//! request is made differs, so each flow implements [`ServerApp`] and gets its
//! [`Authentication`](super::Authentication) from [`server_app_authentication!`].
//!
//! A macro rather than a blanket `impl<T: ServerApp> Authentication for T`: the
//! blanket impl would show a trait users cannot see in every type's docs, while
//! the macro gives each type a plain `impl Authentication`.

use std::future::Future;

use secrecy::SecretString;

use super::AccessToken;
use super::token_storage::TokenCache;
use crate::errors::BoxError;
use crate::network::NetworkSession;

/// A server app's flow. Crate-private: users implement [`Authentication`].
pub(super) trait ServerApp: std::fmt::Debug + Send + Sync + 'static {
    /// Where the flow keeps its token.
    fn cache(&self) -> &TokenCache;

    /// The app's client ID and secret, for revoking.
    fn credentials(&self) -> (&str, &SecretString);

    /// Asks the token endpoint for a new token.
    fn fetch<'a>(
        &'a self,
        network_session: &'a NetworkSession,
    ) -> impl Future<Output = Result<AccessToken, BoxError>> + Send + 'a;
}

/// Implements `Authentication` for a [`ServerApp`]: tokens from the app's cache,
/// fetched by the app when missing, stale or refused, and revoked with its
/// credentials.
macro_rules! server_app_authentication {
    ($app:ty) => {
        // In a block of its own, so that the names it uses are its own imports.
        const _: () = {
            use $crate::auth::server_app::ServerApp;
            use $crate::auth::{AccessToken, Authentication, BoxFuture};
            use $crate::errors::BoxError;
            use $crate::network::NetworkSession;

            impl Authentication for $app {
                fn retrieve_token<'a>(
                    &'a self,
                    network_session: &'a NetworkSession,
                ) -> BoxFuture<'a, Result<AccessToken, BoxError>> {
                    Box::pin(self.cache().token(|_| self.fetch(network_session)))
                }

                fn can_refresh(&self) -> bool {
                    true
                }

                fn refresh_token<'a>(
                    &'a self,
                    network_session: &'a NetworkSession,
                ) -> BoxFuture<'a, Result<AccessToken, BoxError>> {
                    Box::pin(self.cache().refresh(|_| self.fetch(network_session)))
                }

                fn revoke_token<'a>(
                    &'a self,
                    network_session: &'a NetworkSession,
                ) -> BoxFuture<'a, Result<(), BoxError>> {
                    let (client_id, client_secret) = self.credentials();
                    Box::pin($crate::auth::oauth::revoke_stored(
                        self.cache(),
                        network_session,
                        client_id,
                        client_secret,
                    ))
                }
            }
        };
    };
}
pub(super) use server_app_authentication;

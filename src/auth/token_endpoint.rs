//! Requests to Box's token endpoints, through the generated client and the shared
//! transport like every other operation.
//!
//! The operations are `post_oauth2_token` and `post_oauth2_revoke` from the spec
//! fragment. The spec marks them as unauthenticated, so the transport sends them
//! without an `Authorization` header and without the client's own headers such as
//! As-User, but with the session's retries, timeouts and base URLs.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderMap;

use super::token_storage::now;
use super::{AccessToken, Authentication, BoxFuture};
use crate::errors::{BoxError, ErrorKind};
use crate::generated::types::{
    AccessToken as TokenResponse, PostOAuth2Revoke, PostOAuth2Token, PostOAuth2TokenGrantType,
};
use crate::network::NetworkSession;
use crate::transport::Api;

/// The audience of JWT assertions: Box's token endpoint, whatever base URL the
/// session sends requests to.
pub(crate) const TOKEN_AUDIENCE: &str = "https://api.box.com/oauth2/token";

/// The authentication of the token endpoints' own client. They are unauthenticated
/// operations, so the transport never asks it for a token.
#[derive(Debug)]
struct TokenEndpointAuth;

impl Authentication for TokenEndpointAuth {
    fn retrieve_token<'a>(
        &'a self,
        _network_session: &'a NetworkSession,
    ) -> BoxFuture<'a, Result<AccessToken, BoxError>> {
        Box::pin(async {
            Err(BoxError::configuration(
                "the token endpoint takes no access token",
            ))
        })
    }
}

/// A client for the token endpoints on `network_session`, without any client
/// headers.
fn api(network_session: &NetworkSession) -> Api {
    Api::new(
        Arc::new(TokenEndpointAuth),
        network_session.clone(),
        HeaderMap::new(),
    )
}

/// A token request of `grant_type` with every other field empty.
pub(crate) fn token_request(grant_type: PostOAuth2TokenGrantType) -> PostOAuth2Token {
    PostOAuth2Token {
        grant_type,
        actor_token: None,
        actor_token_type: None,
        assertion: None,
        box_shared_link: None,
        box_subject_id: None,
        box_subject_type: None,
        client_id: None,
        client_secret: None,
        code: None,
        refresh_token: None,
        resource: None,
        scope: None,
        subject_token: None,
        subject_token_type: None,
    }
}

/// Asks `POST /oauth2/token` for a token.
///
/// Box's refusals (`invalid_grant`, `invalid_client`, …) come back as API errors
/// whose code and message are Box's `error` and `error_description`.
pub(crate) async fn request_token(
    network_session: &NetworkSession,
    request: &PostOAuth2Token,
) -> Result<AccessToken, BoxError> {
    let api = api(network_session);
    let client = api.generated();
    let answer: TokenResponse = api
        .call(&BTreeMap::new(), None, || client.post_oauth2_token(request))
        .await?;
    into_access_token(answer)
}

/// Revokes `token` through `POST /oauth2/revoke`.
pub(crate) async fn revoke(
    network_session: &NetworkSession,
    request: &PostOAuth2Revoke,
) -> Result<(), BoxError> {
    let api = api(network_session);
    let client = api.generated();
    api.call(&BTreeMap::new(), None, || {
        client.post_oauth2_revoke(request)
    })
    .await
}

/// Keeps what the token endpoint answered as secrets, with the expiry as a time.
fn into_access_token(answer: TokenResponse) -> Result<AccessToken, BoxError> {
    let Some(access_token) = answer.access_token.filter(|t| !t.is_empty()) else {
        return Err(BoxError::new(
            ErrorKind::Decode,
            "the token endpoint answered without an access token",
        ));
    };
    let mut token = AccessToken::new(access_token);
    if let Some(refresh_token) = answer.refresh_token.filter(|t| !t.is_empty()) {
        token = token.with_refresh_token(refresh_token);
    }
    // An `expires_in` too large for a time (Box sends 3600-odd) is taken as no
    // known expiry: the token is then replaced when Box refuses it.
    if let Some(expires_at) = answer
        .expires_in
        .and_then(|s| u64::try_from(s).ok())
        .and_then(|seconds| now().checked_add(Duration::from_secs(seconds)))
    {
        token = token.with_expires_at(expires_at);
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(expires_in: i64) -> TokenResponse {
        serde_json::from_value(serde_json::json!({
            "access_token": "t",
            "expires_in": expires_in,
            "token_type": "bearer",
        }))
        .unwrap()
    }

    #[test]
    fn an_expiry_is_kept_as_a_time() {
        let before = now();

        let token = into_access_token(answer(3600)).unwrap();

        let expires_in = token.expires_at().unwrap().duration_since(before).unwrap();
        assert!(expires_in >= Duration::from_secs(3600), "{expires_in:?}");
        assert!(expires_in < Duration::from_secs(3660), "{expires_in:?}");
    }

    #[test]
    fn an_expiry_too_far_away_for_a_time_is_no_known_expiry() {
        let token = into_access_token(answer(i64::MAX)).unwrap();

        assert_eq!(token.expires_at(), None);
    }

    #[test]
    fn a_negative_expiry_is_no_known_expiry() {
        let token = into_access_token(answer(-5)).unwrap();

        assert_eq!(token.expires_at(), None);
    }
}

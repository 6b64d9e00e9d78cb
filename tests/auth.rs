//! Server-side authentication on the wire: the exact token requests of each flow,
//! the shared token cache, refreshes, revocation, and secrets kept out of sight.

mod common;

use std::sync::Arc;
use std::time::Duration;

use box_sdk_gen::auth::{
    AccessToken, Authentication, AuthorizeUrlOptions, BoxCcgAuth, BoxJwtAuth, BoxOAuth, CcgConfig,
    InMemoryTokenStorage, JwtConfig, OAuthConfig, TokenStorage,
};
use box_sdk_gen::client::BoxClient;
use box_sdk_gen::errors::{BoxError, ErrorKind};
use box_sdk_gen::network::{BaseUrls, NetworkSession};
use box_sdk_gen::retries::BoxRetryStrategy;
use box_sdk_gen::schemas::{CreateUserTerminateSessionRequestBody, SessionTerminationMessage};
use common::{Reply, ScriptedServer};
use httpmock::prelude::*;
use secrecy::ExposeSecret;
use serde_json::json;

const CLIENT_SECRET: &str = "ccg-client-secret-9c1d";
const USERS_PATH: &str = "/2.0/users/terminate_sessions";
const JWT_CONFIG: &str = include_str!("fixtures/jwt_test_config.json");
const JWT_PUBLIC_KEY: &str = include_str!("fixtures/jwt_test_key.pub.pem");

/// A session on `base_url` with retries off and no timers, so that it also works
/// under a paused clock while a real socket is busy.
fn session(base_url: &str) -> NetworkSession {
    common::timerless_session(BaseUrls::default().with_base_url(base_url))
        .retry_strategy(BoxRetryStrategy::builder().max_attempts(1).build())
        .build()
        .unwrap()
}

fn ccg_config() -> CcgConfig {
    CcgConfig::new("ccg-client-id", CLIENT_SECRET).with_enterprise_id("enterprise-1")
}

fn token_answer(token: &str) -> serde_json::Value {
    json!({"access_token": token, "expires_in": 3600, "token_type": "bearer", "restricted_to": []})
}

async fn terminate(client: &BoxClient) -> Result<SessionTerminationMessage, BoxError> {
    let body = CreateUserTerminateSessionRequestBody::new(["123456"], Vec::<String>::new());
    client
        .session_termination
        .create_user_terminate_session(&body, Default::default(), None)
        .await
}

fn form(body: &[u8]) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    fields.sort();
    fields
}

fn pairs(fields: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = fields
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    fields.sort();
    fields
}

#[tokio::test]
async fn ccg_sends_the_client_credentials_form_and_keeps_as_user_off_the_token_endpoint() {
    let server = MockServer::start_async().await;
    let token = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/oauth2/token")
                .header("content-type", "application/x-www-form-urlencoded")
                .header_missing("authorization")
                .header_missing("as-user")
                .header_missing("x-ticket")
                .body(format!(
                    "box_subject_id=enterprise-1&box_subject_type=enterprise&\
                     client_id=ccg-client-id&client_secret={CLIENT_SECRET}&\
                     grant_type=client_credentials"
                ));
            then.status(200).json_body(token_answer("ccg-token-1"));
        })
        .await;
    let api = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(USERS_PATH)
                .header("authorization", "Bearer ccg-token-1")
                .header("as-user", "7777")
                .header("x-ticket", "SEC-42");
            then.status(202).json_body(json!({"message": "ok"}));
        })
        .await;
    let client =
        BoxClient::with_network_session(BoxCcgAuth::new(ccg_config()), session(&server.base_url()))
            .with_as_user_header("7777")
            .unwrap()
            .with_extra_headers([("X-Ticket", "SEC-42")])
            .unwrap();

    terminate(&client).await.unwrap();
    terminate(&client).await.unwrap();

    token.assert_calls_async(1).await;
    api.assert_calls_async(2).await;
}

#[tokio::test]
async fn ccg_for_a_user_names_the_user_subject() {
    let server = ScriptedServer::start(vec![Reply::json(200, token_answer("t"))]).await;
    let auth = BoxCcgAuth::new(ccg_config()).with_user_subject("user-9");

    auth.retrieve_token(&session(&server.base_url))
        .await
        .unwrap();

    let received = server.received();
    assert_eq!(received[0].request_line, "POST /oauth2/token HTTP/1.1");
    assert_eq!(
        form(&received[0].body),
        pairs(&[
            ("grant_type", "client_credentials"),
            ("client_id", "ccg-client-id"),
            ("client_secret", CLIENT_SECRET),
            ("box_subject_type", "user"),
            ("box_subject_id", "user-9"),
        ])
    );
}

#[tokio::test]
async fn jwt_sends_a_signed_assertion_with_kid_that_verifies_with_the_public_key() {
    let server = ScriptedServer::start(vec![
        Reply::json(200, token_answer("jwt-token")),
        Reply::accepted(),
    ])
    .await;
    let config = JwtConfig::from_config_json_string(JWT_CONFIG).unwrap();
    let client =
        BoxClient::with_network_session(BoxJwtAuth::new(config), session(&server.base_url));

    terminate(&client).await.unwrap();

    let received = server.received();
    assert_eq!(
        received[1].header("authorization"),
        Some("Bearer jwt-token")
    );
    let fields = form(&received[0].body);
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("no {name} in {fields:?}"))
    };
    assert_eq!(
        fields.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
        ["assertion", "client_id", "client_secret", "grant_type"]
    );
    assert_eq!(
        field("grant_type"),
        "urn:ietf:params:oauth:grant-type:jwt-bearer"
    );
    assert_eq!(field("client_id"), "test-client-id");
    assert_eq!(field("client_secret"), "test-client-secret");
    let assertion = field("assertion");
    let header = jsonwebtoken::decode_header(&assertion).unwrap();
    assert_eq!(header.alg, jsonwebtoken::Algorithm::RS256);
    assert_eq!(header.kid.as_deref(), Some("test-key-id"));
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&["https://api.box.com/oauth2/token"]);
    let claims = jsonwebtoken::decode::<serde_json::Value>(
        &assertion,
        &jsonwebtoken::DecodingKey::from_rsa_pem(JWT_PUBLIC_KEY.as_bytes()).unwrap(),
        &validation,
    )
    .unwrap()
    .claims;
    assert_eq!(claims["iss"], "test-client-id");
    assert_eq!(claims["sub"], "test-enterprise-1");
    assert_eq!(claims["box_sub_type"], "enterprise");
    assert_eq!(claims["aud"], "https://api.box.com/oauth2/token");
    assert!(claims["jti"].as_str().is_some_and(|jti| jti.len() >= 16));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let exp = claims["exp"].as_u64().unwrap();
    assert!((now + 25..=now + 31).contains(&exp), "exp {exp}, now {now}");
}

#[tokio::test]
async fn a_wrong_passphrase_is_a_clear_configuration_error() {
    let wrong = JWT_CONFIG.replace("test-passphrase-only", "not-the-passphrase");

    let err = JwtConfig::from_config_json_string(&wrong).unwrap_err();

    assert_eq!(err.kind(), ErrorKind::Configuration);
    assert!(err.to_string().contains("passphrase"), "{err}");
    assert!(!format!("{err} {err:?}").contains("not-the-passphrase"));
}

#[tokio::test]
async fn oauth_exchanges_the_code_then_refreshes_with_the_refresh_token() {
    let server = ScriptedServer::start(vec![
        Reply::json(
            200,
            json!({"access_token": "oauth-1", "refresh_token": "refresh-1", "expires_in": 3600}),
        ),
        Reply::json(
            200,
            json!({"access_token": "oauth-2", "refresh_token": "refresh-2", "expires_in": 3600}),
        ),
    ])
    .await;
    let network = session(&server.base_url);
    let auth = BoxOAuth::new(OAuthConfig::new("oauth-client", "oauth-secret"));

    let first = auth
        .get_tokens_authorization_code_grant("code-123", &network)
        .await
        .unwrap();
    let refreshed = auth.refresh_token(&network).await.unwrap();

    let received = server.received();
    assert_eq!(
        form(&received[0].body),
        pairs(&[
            ("grant_type", "authorization_code"),
            ("code", "code-123"),
            ("client_id", "oauth-client"),
            ("client_secret", "oauth-secret"),
        ])
    );
    assert_eq!(
        form(&received[1].body),
        pairs(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", "refresh-1"),
            ("client_id", "oauth-client"),
            ("client_secret", "oauth-secret"),
        ])
    );
    assert_eq!(first.access_token().expose_secret(), "oauth-1");
    assert_eq!(refreshed.access_token().expose_secret(), "oauth-2");
    let stored = auth.retrieve_token(&network).await.unwrap();
    assert_eq!(stored.access_token().expose_secret(), "oauth-2");
    assert_eq!(server.received().len(), 2, "the fresh token is reused");
}

#[test]
fn the_authorize_url_uses_the_configured_oauth2_base_url() {
    let auth = BoxOAuth::new(OAuthConfig::new("oauth-client", "oauth-secret"));
    let urls = BaseUrls::default().with_oauth2_url("http://127.0.0.1:9/api/oauth2/");
    let options = AuthorizeUrlOptions::default()
        .with_redirect_uri("https://example.com/cb?x=1")
        .with_state("s t")
        .with_scope("root_readwrite manage_groups");

    let url = auth.get_authorize_url(&urls, &options).unwrap();

    assert_eq!(
        url,
        "http://127.0.0.1:9/api/oauth2/authorize?client_id=oauth-client&response_type=code\
         &redirect_uri=https%3A%2F%2Fexample.com%2Fcb%3Fx%3D1&state=s+t\
         &scope=root_readwrite+manage_groups"
    );
}

#[tokio::test]
async fn revoking_sends_the_token_and_forgets_it() {
    let server = ScriptedServer::start(vec![
        Reply::json(200, token_answer("to-revoke")),
        Reply {
            body: Vec::new(),
            ..Reply::json(200, json!({}))
        },
        Reply::json(200, token_answer("after-revoke")),
    ])
    .await;
    let network = session(&server.base_url);
    let auth = BoxCcgAuth::new(ccg_config());
    auth.retrieve_token(&network).await.unwrap();

    auth.revoke_token(&network).await.unwrap();
    let next = auth.retrieve_token(&network).await.unwrap();

    let received = server.received();
    assert_eq!(received[1].request_line, "POST /oauth2/revoke HTTP/1.1");
    assert_eq!(received[1].header("authorization"), None);
    assert_eq!(
        form(&received[1].body),
        pairs(&[
            ("client_id", "ccg-client-id"),
            ("client_secret", CLIENT_SECRET),
            ("token", "to-revoke"),
        ])
    );
    assert_eq!(next.access_token().expose_secret(), "after-revoke");
}

#[tokio::test]
async fn downscoping_exchanges_the_current_token_for_a_narrower_one() {
    let server = ScriptedServer::start(vec![
        Reply::json(200, token_answer("full-token")),
        Reply::json(200, token_answer("narrow-token")),
    ])
    .await;
    let network = session(&server.base_url);
    let auth = BoxCcgAuth::new(ccg_config());

    let narrow = auth
        .downscope_token(
            vec!["item_preview".into(), "item_download".into()],
            Some("https://api.box.com/2.0/files/123".into()),
            None,
            &network,
        )
        .await
        .unwrap();

    let received = server.received();
    assert_eq!(
        form(&received[1].body),
        pairs(&[
            (
                "grant_type",
                "urn:ietf:params:oauth:grant-type:token-exchange"
            ),
            ("subject_token", "full-token"),
            (
                "subject_token_type",
                "urn:ietf:params:oauth:token-type:access_token"
            ),
            ("scope", "item_preview item_download"),
            ("resource", "https://api.box.com/2.0/files/123"),
        ])
    );
    assert_eq!(narrow.access_token().expose_secret(), "narrow-token");
    let current = auth.retrieve_token(&network).await.unwrap();
    assert_eq!(
        current.access_token().expose_secret(),
        "full-token",
        "the narrow token is not stored"
    );
}

#[tokio::test]
async fn a_token_endpoint_refusal_is_an_api_error_with_boxs_error_and_description() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/oauth2/token");
            then.status(400).json_body(json!({
                "error": "invalid_client",
                "error_description": "The client credentials are invalid"
            }));
        })
        .await;
    let client =
        BoxClient::with_network_session(BoxCcgAuth::new(ccg_config()), session(&server.base_url()));

    let err = terminate(&client).await.unwrap_err();

    assert_eq!(err.kind(), ErrorKind::Api);
    assert_eq!(err.status(), Some(400));
    let api = err.api_error().unwrap();
    assert_eq!(api.code(), Some("invalid_client"));
    assert_eq!(api.message(), Some("The client credentials are invalid"));
    assert_eq!(
        err.to_string(),
        "400 invalid_client: The client credentials are invalid"
    );
    assert!(!format!("{err:?}").contains(CLIENT_SECRET));
}

#[tokio::test(start_paused = true)]
async fn a_token_is_fetched_again_shortly_before_it_expires() {
    let server = MockServer::start_async().await;
    let token = server
        .mock_async(|when, then| {
            when.method(POST).path("/oauth2/token");
            then.status(200).json_body(token_answer("short-lived"));
        })
        .await;
    let api = server
        .mock_async(|when, then| {
            when.method(POST).path(USERS_PATH);
            then.status(202).json_body(json!({"message": "ok"}));
        })
        .await;
    let client =
        BoxClient::with_network_session(BoxCcgAuth::new(ccg_config()), session(&server.base_url()));

    terminate(&client).await.unwrap();
    tokio::time::advance(Duration::from_secs(3600 - 60)).await;
    terminate(&client).await.unwrap();
    token.assert_calls_async(1).await;
    tokio::time::advance(Duration::from_secs(40)).await;
    terminate(&client).await.unwrap();

    token.assert_calls_async(2).await;
    api.assert_calls_async(3).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_concurrent_calls_without_a_token_make_one_token_request() {
    let server = MockServer::start_async().await;
    let token = server
        .mock_async(|when, then| {
            when.method(POST).path("/oauth2/token");
            then.status(200)
                .delay(Duration::from_millis(200))
                .json_body(token_answer("shared"));
        })
        .await;
    let api = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(USERS_PATH)
                .header("authorization", "Bearer shared");
            then.status(202).json_body(json!({"message": "ok"}));
        })
        .await;
    let client =
        BoxClient::with_network_session(BoxCcgAuth::new(ccg_config()), session(&server.base_url()));

    let calls: Vec<_> = (0..100)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { terminate(&client).await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }

    token.assert_calls_async(1).await;
    api.assert_calls_async(100).await;
}

#[tokio::test]
async fn a_401_refreshes_the_token_once_and_sends_again() {
    let server = MockServer::start_async().await;
    let token = server
        .mock_async(|when, then| {
            when.method(POST).path("/oauth2/token");
            then.status(200).json_body(token_answer("fresh"));
        })
        .await;
    let refused = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(USERS_PATH)
                .header("authorization", "Bearer stale");
            then.status(401)
                .json_body(json!({"type": "error", "status": 401}));
        })
        .await;
    let accepted = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(USERS_PATH)
                .header("authorization", "Bearer fresh");
            then.status(202).json_body(json!({"message": "ok"}));
        })
        .await;
    let storage = InMemoryTokenStorage::new();
    storage
        .store(
            AccessToken::new("stale")
                .with_expires_at(std::time::SystemTime::now() + Duration::from_secs(3600)),
        )
        .await
        .unwrap();
    // Two attempts: the re-send after the refresh is an attempt like any other.
    let network = common::timerless_session(BaseUrls::default().with_base_url(server.base_url()))
        .retry_strategy(BoxRetryStrategy::builder().max_attempts(2).build())
        .build()
        .unwrap();
    let client = BoxClient::with_network_session(
        BoxCcgAuth::new(ccg_config().with_token_storage(storage)),
        network,
    );

    terminate(&client).await.unwrap();

    refused.assert_calls_async(1).await;
    token.assert_calls_async(1).await;
    accepted.assert_calls_async(1).await;
}

#[tokio::test]
async fn no_auth_or_config_prints_a_secret() {
    let server = ScriptedServer::start(vec![Reply::json(
        200,
        json!({"access_token": "secret-access", "refresh_token": "secret-refresh", "expires_in": 60}),
    )])
    .await;
    let network = session(&server.base_url);
    let jwt_config = JwtConfig::from_config_json_string(JWT_CONFIG).unwrap();
    let ccg = BoxCcgAuth::new(ccg_config());
    let oauth = BoxOAuth::new(OAuthConfig::new("oauth-client", "oauth-secret"));
    let token = oauth
        .get_tokens_authorization_code_grant("code", &network)
        .await
        .unwrap();
    let shared: Arc<dyn Authentication> = Arc::new(BoxJwtAuth::new(jwt_config.clone()));

    let shown = format!(
        "{ccg:?} {oauth:?} {token:?} {jwt_config:?} {shared:?} {:?}",
        ccg_config()
    );

    for secret in [
        CLIENT_SECRET,
        "oauth-secret",
        "secret-access",
        "secret-refresh",
        "test-client-secret",
        "test-passphrase-only",
        "ENCRYPTED PRIVATE KEY",
    ] {
        assert!(!shown.contains(secret), "{secret} shown in {shown}");
    }
}

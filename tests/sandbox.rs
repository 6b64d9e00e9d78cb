//! The embedded sandbox behaves like Box for the crate's operations and auth flows,
//! records requests, and fails the requests it is told to.

mod common;

use std::time::Duration;

use box_sdk_gen::auth::{Authentication, BoxCcgAuth, BoxJwtAuth, BoxOAuth, JwtConfig};
use box_sdk_gen::client::BoxClient;
use box_sdk_gen::errors::{BoxError, ErrorKind};
use box_sdk_gen::network::NetworkSession;
use box_sdk_gen::retries::BoxRetryStrategy;
use box_sdk_gen::schemas::{
    CreateGroupTerminateSessionRequestBody, CreateUserTerminateSessionRequestBody,
    SessionTerminationMessage,
};
use box_sdk_gen::testing::{self, Fault, Sandbox};
use serde_json::json;

async fn terminate_users(client: &BoxClient) -> Result<SessionTerminationMessage, BoxError> {
    let body = CreateUserTerminateSessionRequestBody::new(["123"], ["leaver@example.com"]);
    client
        .session_termination
        .create_user_terminate_session(&body, Default::default(), None)
        .await
}

/// A client on `sandbox` with retries off, so each test sees one attempt.
fn client_without_retries(sandbox: &Sandbox) -> BoxClient {
    let session = NetworkSession::builder()
        .base_urls(sandbox.base_urls())
        .retry_strategy(BoxRetryStrategy::builder().max_attempts(1).build())
        .build()
        .unwrap();
    BoxClient::with_network_session(
        box_sdk_gen::auth::BoxDeveloperTokenAuth::new(testing::DEVELOPER_TOKEN),
        session,
    )
}

/// Posts `body` to `path` as it is, past the SDK's own checks.
async fn raw_post(
    sandbox: &Sandbox,
    path: &str,
    content_type: &str,
    body: &str,
) -> (u16, serde_json::Value) {
    let response = reqwest::Client::new()
        .post(format!("{}{path}", sandbox.base_url()))
        .header(
            "authorization",
            format!("Bearer {}", testing::DEVELOPER_TOKEN),
        )
        .header("content-type", content_type)
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn accepts_a_valid_termination_and_records_it() {
    let sandbox = Sandbox::start().await.unwrap();

    let message = terminate_users(&sandbox.client().unwrap()).await.unwrap();

    assert_eq!(
        message.message.as_deref(),
        Some(testing::TERMINATION_MESSAGE)
    );
    let requests = sandbox.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method, "POST");
    assert_eq!(requests[0].path, "/2.0/users/terminate_sessions");
    assert_eq!(
        requests[0].header("authorization"),
        Some(format!("Bearer {}", testing::DEVELOPER_TOKEN).as_str())
    );
    assert_eq!(
        requests[0].json(),
        Some(json!({"user_ids": ["123"], "user_logins": ["leaver@example.com"]}))
    );
}

#[tokio::test]
async fn refuses_an_unknown_token() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = BoxClient::with_network_session(
        box_sdk_gen::auth::BoxDeveloperTokenAuth::new("not-a-sandbox-token"),
        sandbox.network_session().unwrap(),
    );

    let err = terminate_users(&client).await.unwrap_err();

    assert_eq!(err.status(), Some(401));
    assert_eq!(err.api_error().unwrap().code(), Some("unauthorized"));
}

#[tokio::test]
async fn answers_empty_lists_as_box_does() {
    let sandbox = Sandbox::start().await.unwrap();

    let users = raw_post(
        &sandbox,
        "/2.0/users/terminate_sessions",
        "application/json",
        r#"{"user_ids": [], "user_logins": []}"#,
    )
    .await;
    let groups = raw_post(
        &sandbox,
        "/2.0/groups/terminate_sessions",
        "application/json",
        r#"{"group_ids": []}"#,
    )
    .await;

    assert_eq!(users.0, 400);
    assert_eq!(users.1["message"], "Users can not be NULL or EMPTY");
    assert_eq!(users.1["code"], "bad_request");
    assert_eq!(groups.0, 400);
    assert_eq!(groups.1["message"], "Groups can not be NULL or EMPTY");
}

#[tokio::test]
async fn refuses_a_body_that_is_not_json_or_ids_that_are_not_strings() {
    let sandbox = Sandbox::start().await.unwrap();

    let form = raw_post(
        &sandbox,
        "/2.0/users/terminate_sessions",
        "application/x-www-form-urlencoded",
        "user_ids=1",
    )
    .await;
    let numbers = raw_post(
        &sandbox,
        "/2.0/groups/terminate_sessions",
        "application/json",
        r#"{"group_ids": [42]}"#,
    )
    .await;

    assert_eq!(form, (400, form.1.clone()));
    assert_eq!(form.1["message"], "Supported payload format is JSON");
    assert_eq!(numbers.0, 400);
    assert_eq!(numbers.1["message"], "group id format is string");
}

#[tokio::test]
async fn serves_client_credentials_tokens_that_the_api_accepts() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = BoxClient::with_network_session(
        BoxCcgAuth::new(sandbox.ccg_config()),
        sandbox.network_session().unwrap(),
    );

    terminate_users(&client).await.unwrap();

    let paths: Vec<String> = sandbox.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, ["/oauth2/token", "/2.0/users/terminate_sessions"]);
}

#[tokio::test]
async fn serves_jwt_and_oauth_tokens_and_revokes_them() {
    let sandbox = Sandbox::start().await.unwrap();
    let session = sandbox.network_session().unwrap();
    let jwt_json = include_str!("fixtures/jwt_test_config.json")
        .replace("test-client-id", testing::CLIENT_ID)
        .replace("test-client-secret", testing::CLIENT_SECRET);
    let jwt = BoxJwtAuth::new(JwtConfig::from_config_json_string(&jwt_json).unwrap());
    let oauth = BoxOAuth::new(sandbox.oauth_config());

    jwt.retrieve_token(&session).await.unwrap();
    oauth
        .get_tokens_authorization_code_grant(testing::AUTHORIZATION_CODE, &session)
        .await
        .unwrap();
    let client = BoxClient::with_network_session(oauth, session.clone());
    terminate_users(&client).await.unwrap();
    let refused_code = BoxOAuth::new(sandbox.oauth_config())
        .get_tokens_authorization_code_grant("wrong-code", &session)
        .await
        .unwrap_err();

    assert_eq!(
        refused_code.api_error().unwrap().code(),
        Some("invalid_grant")
    );
    let revoker = BoxCcgAuth::new(sandbox.ccg_config());
    let token = revoker.retrieve_token(&session).await.unwrap();
    revoker.revoke_token(&session).await.unwrap();
    let revoked = BoxClient::with_network_session(
        box_sdk_gen::auth::BoxDeveloperTokenAuth::new(secrecy::ExposeSecret::expose_secret(
            token.access_token(),
        )),
        session,
    );
    let err = terminate_users(&revoked).await.unwrap_err();
    assert_eq!(err.status(), Some(401), "a revoked token is refused");
}

#[tokio::test(start_paused = true)]
async fn a_scripted_429_and_5xx_are_retried_until_box_accepts() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.fail_request(1, Fault::too_many_requests(3));
    sandbox.fail_request(2, Fault::status(503, "unavailable", "Unavailable"));
    let client = BoxClient::with_network_session(
        box_sdk_gen::auth::BoxDeveloperTokenAuth::new(testing::DEVELOPER_TOKEN),
        common::timerless_session(sandbox.base_urls())
            .build()
            .unwrap(),
    );
    let started = tokio::time::Instant::now();

    terminate_users(&client).await.unwrap();

    assert_eq!(sandbox.requests().len(), 3);
    let waited = started.elapsed();
    // 3 s asked by Retry-After, then 4 s × U[0.5, 1.5] of backoff.
    assert!(
        (Duration::from_secs(5)..=Duration::from_secs(9)).contains(&waited),
        "{waited:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_slow_answer_runs_into_the_attempt_timeout_and_is_retried() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.fail_next(Fault::slow(Duration::from_secs(120)));
    let client = BoxClient::with_network_session(
        box_sdk_gen::auth::BoxDeveloperTokenAuth::new(testing::DEVELOPER_TOKEN),
        common::timerless_session(sandbox.base_urls())
            .attempt_timeout(Some(Duration::from_secs(10)))
            .build()
            .unwrap(),
    );

    terminate_users(&client).await.unwrap();

    assert_eq!(sandbox.requests().len(), 2);
}

#[tokio::test]
async fn malformed_and_html_answers_map_to_their_errors() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.fail_request(1, Fault::MalformedBody);
    sandbox.fail_request(2, Fault::HtmlBadGateway);
    sandbox.fail_request(3, Fault::unauthorized());
    let client = client_without_retries(&sandbox);

    let malformed = terminate_users(&client).await.unwrap_err();
    let html = terminate_users(&client).await.unwrap_err();
    let unauthorized = terminate_users(&client).await.unwrap_err();
    let fine = terminate_users(&client).await;

    assert_eq!(malformed.kind(), ErrorKind::Decode);
    assert_eq!(malformed.status(), Some(202));
    assert_eq!(html.status(), Some(502));
    assert!(html.to_string().contains("502 Bad Gateway"), "{html}");
    assert_eq!(unauthorized.status(), Some(401));
    assert!(
        unauthorized.to_string().contains("developer token"),
        "{unauthorized}"
    );
    assert!(fine.is_ok(), "faults apply to the requests they name only");
}

#[tokio::test]
async fn groups_are_accepted_too() {
    let sandbox = Sandbox::start().await.unwrap();
    let body = CreateGroupTerminateSessionRequestBody::new(["42", "43"]);

    let message = sandbox
        .client()
        .unwrap()
        .session_termination
        .create_group_terminate_session(&body, Default::default(), None)
        .await
        .unwrap();

    assert_eq!(
        message.message.as_deref(),
        Some(testing::TERMINATION_MESSAGE)
    );
    assert_eq!(
        sandbox.requests()[0].json(),
        Some(json!({"group_ids": ["42", "43"]}))
    );
}

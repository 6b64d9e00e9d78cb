//! `SessionTerminationManager` on the wire: the exact requests both operations send,
//! and how every kind of answer maps to a result or a `BoxError`.

mod common;

use std::time::Duration;

use box_sdk_gen::CancellationToken;
use box_sdk_gen::client::BoxClient;
use box_sdk_gen::errors::{BoxError, ErrorKind};
use box_sdk_gen::managers::session_termination::{
    CreateGroupTerminateSessionHeaders, CreateUserTerminateSessionHeaders,
};
use box_sdk_gen::schemas::{
    CreateGroupTerminateSessionRequestBody, CreateUserTerminateSessionRequestBody,
    SessionTerminationMessage,
};
use common::{TOKEN, capture_one_request, client};
use httpmock::prelude::*;
use serde_json::json;

const USERS_PATH: &str = "/2.0/users/terminate_sessions";
const GROUPS_PATH: &str = "/2.0/groups/terminate_sessions";
const BOX_MESSAGE: &str =
    "Request is successful, please check the admin events for the status of the job";

/// Every header a call sends when no extra or As-User header is set, sorted.
const WIRE_HEADERS: [&str; 7] = [
    "accept",
    "authorization",
    "content-length",
    "content-type",
    "host",
    "user-agent",
    "x-box-ua",
];

fn users_body() -> CreateUserTerminateSessionRequestBody {
    CreateUserTerminateSessionRequestBody::new(["123456", "456789"], ["leaver@example.com"])
}

fn groups_body() -> CreateGroupTerminateSessionRequestBody {
    CreateGroupTerminateSessionRequestBody::new(["987654"])
}

async fn terminate_users(client: &BoxClient) -> Result<SessionTerminationMessage, BoxError> {
    client
        .session_termination
        .create_user_terminate_session(&users_body(), Default::default(), None)
        .await
}

fn expected_user_agent() -> String {
    format!("box-rust-generated-sdk/{}", env!("CARGO_PKG_VERSION"))
}

#[tokio::test]
async fn user_termination_sends_exactly_the_request_box_sdks_send() {
    let (base_url, captured) = capture_one_request().await;

    let message = terminate_users(&client(&base_url)).await.unwrap();

    let request = captured.await.unwrap();
    assert_eq!(request.request_line, format!("POST {USERS_PATH} HTTP/1.1"));
    assert_eq!(request.header_names(), WIRE_HEADERS);
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(request.header("accept"), Some("application/json"));
    assert_eq!(
        request.header("user-agent"),
        Some(expected_user_agent().as_str())
    );
    let x_box_ua = request.header("x-box-ua").unwrap();
    assert!(
        x_box_ua.starts_with(&format!(
            "agent=box-rust-generated-sdk/{}; env=rust/",
            env!("CARGO_PKG_VERSION")
        )),
        "{x_box_ua}"
    );
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&request.body).unwrap(),
        json!({"user_ids": ["123456", "456789"], "user_logins": ["leaver@example.com"]})
    );
    assert_eq!(message.message.as_deref(), Some("ok"));
}

#[tokio::test]
async fn group_termination_sends_exactly_the_request_box_sdks_send() {
    let (base_url, captured) = capture_one_request().await;

    let message = client(&base_url)
        .session_termination
        .create_group_terminate_session(&groups_body(), Default::default(), None)
        .await
        .unwrap();

    let request = captured.await.unwrap();
    assert_eq!(request.request_line, format!("POST {GROUPS_PATH} HTTP/1.1"));
    assert_eq!(request.header_names(), WIRE_HEADERS);
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(request.body, br#"{"group_ids":["987654"]}"#);
    assert_eq!(message.message.as_deref(), Some("ok"));
}

#[tokio::test]
async fn a_202_returns_boxs_message() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(USERS_PATH)
                .header("authorization", format!("Bearer {TOKEN}"))
                .header("content-type", "application/json")
                .header_missing("api-version")
                .json_body(json!({
                    "user_ids": ["123456", "456789"],
                    "user_logins": ["leaver@example.com"]
                }));
            then.status(202).json_body(json!({"message": BOX_MESSAGE}));
        })
        .await;

    let message = terminate_users(&client(&server.base_url())).await.unwrap();

    mock.assert_calls_async(1).await;
    let mut expected = SessionTerminationMessage::default();
    expected.message = Some(BOX_MESSAGE.into());
    assert_eq!(message, expected);
}

#[tokio::test]
async fn box_error_statuses_map_to_api_errors_with_every_field() {
    let cases = [
        (400, "bad_request", "Users can not be NULL or EMPTY"),
        (
            403,
            "access_denied_insufficient_permissions",
            "Access denied",
        ),
        (404, "not_found", "Not Found"),
        (429, "rate_limit_exceeded", "Request rate limit exceeded"),
        (500, "internal_server_error", "Internal Server Error"),
        (503, "unavailable", "Unavailable"),
    ];
    for (status, code, message) in cases {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                when.method(POST).path(USERS_PATH);
                then.status(status)
                    .header("box-request-id", "0abc")
                    .json_body(json!({
                        "type": "error",
                        "status": status,
                        "code": code,
                        "message": message,
                        "request_id": "req-42",
                        "help_url": "https://developer.box.com/guides/api-calls/",
                        "context_info": {"errors": [{"reason": "invalid_parameter"}]}
                    }));
            })
            .await;

        let err = terminate_users(&client(&server.base_url()))
            .await
            .unwrap_err();

        mock.assert_calls_async(1).await;
        assert_eq!(err.kind(), ErrorKind::Api, "{status}");
        assert_eq!(err.status(), Some(status));
        let api = err.api_error().unwrap();
        assert_eq!(api.status(), status);
        assert_eq!(api.code(), Some(code));
        assert_eq!(api.message(), Some(message));
        assert_eq!(api.request_id(), Some("req-42"));
        assert_eq!(
            api.help_url(),
            Some("https://developer.box.com/guides/api-calls/")
        );
        assert_eq!(
            serde_json::Value::Object(api.context_info().unwrap().clone()),
            json!({"errors": [{"reason": "invalid_parameter"}]})
        );
        assert_eq!(api.header("Box-Request-Id"), Some("0abc"));
        assert!(api.header_names().any(|name| name == "box-request-id"));
        assert_eq!(
            err.to_string(),
            format!("{status} {code}: {message} (request ID req-42)")
        );
    }
}

#[tokio::test]
async fn an_error_code_box_did_not_document_is_kept() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path(GROUPS_PATH);
            then.status(409)
                .json_body(json!({"type": "error", "code": "brand_new_code", "message": "New"}));
        })
        .await;

    let err = client(&server.base_url())
        .session_termination
        .create_group_terminate_session(&groups_body(), Default::default(), None)
        .await
        .unwrap_err();

    assert_eq!(err.api_error().unwrap().code(), Some("brand_new_code"));
    assert_eq!(err.to_string(), "409 brand_new_code: New");
}

#[tokio::test]
async fn an_html_502_is_an_api_error_that_keeps_the_status_and_the_body_start() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path(USERS_PATH);
            then.status(502)
                .header("content-type", "text/html")
                .body("<html>\n<head><title>502 Bad Gateway</title></head>\n</html>");
        })
        .await;

    let err = terminate_users(&client(&server.base_url()))
        .await
        .unwrap_err();

    assert_eq!(err.kind(), ErrorKind::Api);
    assert_eq!(err.status(), Some(502));
    let api = err.api_error().unwrap();
    assert_eq!(api.code(), None);
    assert_eq!(
        api.body_preview(),
        Some("<html> <head><title>502 Bad Gateway</title></head> </html>")
    );
    assert_eq!(
        err.to_string(),
        "502: the body is not a Box error: <html> <head><title>502 Bad Gateway</title></head> </html>"
    );
}

#[tokio::test]
async fn an_undocumented_success_status_is_still_a_success() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path(USERS_PATH);
            then.status(200).json_body(json!({"message": BOX_MESSAGE}));
        })
        .await;

    let message = terminate_users(&client(&server.base_url())).await.unwrap();

    assert_eq!(message.message.as_deref(), Some(BOX_MESSAGE));
}

#[tokio::test]
async fn an_undocumented_redirect_is_an_api_error_with_its_status() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path(USERS_PATH);
            then.status(304);
        })
        .await;

    let err = terminate_users(&client(&server.base_url()))
        .await
        .unwrap_err();

    assert_eq!(err.kind(), ErrorKind::Api);
    assert_eq!(err.status(), Some(304));
}

#[tokio::test]
async fn an_empty_202_body_is_a_decode_error_and_is_not_resent() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path(USERS_PATH);
            then.status(202);
        })
        .await;

    let err = terminate_users(&client(&server.base_url()))
        .await
        .unwrap_err();

    mock.assert_calls_async(1).await;
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert_eq!(err.status(), Some(202));
    assert!(
        err.api_error().is_none(),
        "Box's answer was a success, not an error"
    );
    assert_eq!(
        err.to_string(),
        "cannot decode the body of a 202 response: "
    );
    assert!(
        std::error::Error::source(&err).is_some(),
        "the JSON error is kept"
    );
}

#[tokio::test]
async fn a_malformed_202_body_is_a_decode_error_with_the_body_start() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path(GROUPS_PATH);
            then.status(202).body("{\"message\": ");
        })
        .await;

    let err = client(&server.base_url())
        .session_termination
        .create_group_terminate_session(&groups_body(), Default::default(), None)
        .await
        .unwrap_err();

    mock.assert_calls_async(1).await;
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert_eq!(err.status(), Some(202));
    assert_eq!(
        err.to_string(),
        "cannot decode the body of a 202 response: {\"message\":"
    );
}

#[tokio::test]
async fn client_and_call_headers_go_on_the_wire_with_later_ones_winning() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(USERS_PATH)
                .header("as-user", "7777")
                .header("box-notifications", "off")
                .header("x-team", "identity")
                .header("x-ticket", "SEC-42")
                .header("authorization", format!("Bearer {TOKEN}"));
            then.status(202).json_body(json!({"message": "ok"}));
        })
        .await;
    let client = client(&server.base_url())
        .with_as_user_header("7777")
        .unwrap()
        .with_suppressed_notifications()
        .with_extra_headers([("X-Team", "identity"), ("X-Ticket", "from-the-client")])
        .unwrap();
    let headers =
        CreateUserTerminateSessionHeaders::default().with_extra_header("X-Ticket", "SEC-42");

    client
        .session_termination
        .create_user_terminate_session(&users_body(), headers, None)
        .await
        .unwrap();

    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn with_methods_leave_the_original_client_unchanged() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path(USERS_PATH).header_missing("as-user");
            then.status(202).json_body(json!({"message": "ok"}));
        })
        .await;
    let original = client(&server.base_url());
    let _as_user = original.with_as_user_header("7777").unwrap();

    terminate_users(&original).await.unwrap();

    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn custom_base_urls_move_every_call() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path(GROUPS_PATH);
            then.status(202).json_body(json!({"message": "moved"}));
        })
        .await;
    let urls =
        box_sdk_gen::network::BaseUrls::default().with_base_url(format!("{}/", server.base_url()));
    let client = client("http://127.0.0.1:9")
        .with_custom_base_urls(urls)
        .unwrap();

    let message = client
        .session_termination
        .create_group_terminate_session(&groups_body(), Default::default(), None)
        .await
        .unwrap();

    mock.assert_calls_async(1).await;
    assert_eq!(message.message.as_deref(), Some("moved"));
}

#[tokio::test]
async fn empty_lists_are_refused_before_anything_is_sent() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(202);
        })
        .await;
    let client = client(&server.base_url());

    let users = client
        .session_termination
        .create_user_terminate_session(
            &CreateUserTerminateSessionRequestBody::new(Vec::<String>::new(), Vec::<String>::new()),
            Default::default(),
            None,
        )
        .await
        .unwrap_err();
    let groups = client
        .session_termination
        .create_group_terminate_session(
            &CreateGroupTerminateSessionRequestBody::new(Vec::<String>::new()),
            Default::default(),
            None,
        )
        .await
        .unwrap_err();

    mock.assert_calls_async(0).await;
    assert_eq!(users.kind(), ErrorKind::InvalidArgument);
    assert_eq!(
        users.to_string(),
        "user_ids and user_logins are both empty: name at least one user"
    );
    assert_eq!(groups.kind(), ErrorKind::InvalidArgument);
    assert_eq!(
        groups.to_string(),
        "group_ids is empty: name at least one group"
    );
}

#[tokio::test]
async fn a_call_header_http_cannot_carry_is_refused_before_sending() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(202);
        })
        .await;
    let headers =
        CreateGroupTerminateSessionHeaders::default().with_extra_header("X-Bad", "a\r\nb");

    let err = client(&server.base_url())
        .session_termination
        .create_group_terminate_session(&groups_body(), headers, None)
        .await
        .unwrap_err();

    mock.assert_calls_async(0).await;
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
}

#[tokio::test]
async fn a_cancelled_token_stops_the_call_before_it_is_sent() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(202).json_body(json!({"message": "ok"}));
        })
        .await;
    let token = CancellationToken::new();
    token.cancel();

    let err = client(&server.base_url())
        .session_termination
        .create_user_terminate_session(&users_body(), Default::default(), Some(token))
        .await
        .unwrap_err();

    mock.assert_calls_async(0).await;
    assert_eq!(err.kind(), ErrorKind::Cancelled);
    assert!(err.is_cancelled());
    assert_eq!(err.to_string(), "the call was cancelled");
}

#[tokio::test]
async fn cancelling_while_box_is_answering_ends_the_call_with_a_cancelled_error() {
    let server = MockServer::start_async().await;
    // Were cancellation ignored, the call would wait out this delay and succeed.
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path(USERS_PATH);
            then.status(202)
                .delay(Duration::from_secs(60))
                .json_body(json!({"message": "too late"}));
        })
        .await;
    let token = CancellationToken::new();
    let client = client(&server.base_url());
    let call = {
        let token = token.clone();
        tokio::spawn(async move {
            client
                .session_termination
                .create_user_terminate_session(&users_body(), Default::default(), Some(token))
                .await
        })
    };
    while mock.calls_async().await == 0 {
        tokio::task::yield_now().await;
    }

    token.cancel();
    let err = call.await.unwrap().unwrap_err();

    assert_eq!(err.kind(), ErrorKind::Cancelled);
}

#[tokio::test]
async fn a_401_with_a_developer_token_says_the_token_is_expired_or_invalid() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path(USERS_PATH);
            then.status(401).body("");
        })
        .await;

    let err = terminate_users(&client(&server.base_url()))
        .await
        .unwrap_err();

    mock.assert_calls_async(1).await;
    assert_eq!(err.status(), Some(401));
    assert!(
        err.to_string()
            .starts_with("401: the body is empty; the developer token is expired or invalid"),
        "{err}"
    );
}

#[tokio::test]
async fn no_error_or_client_ever_shows_the_token() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path(USERS_PATH);
            then.status(401)
                .header(
                    "www-authenticate",
                    format!("Bearer error=\"invalid_token\" {TOKEN}"),
                )
                .json_body(json!({
                    "type": "error",
                    "code": "unauthorized",
                    "message": "Unauthorized",
                    "context_info": {"access_token": TOKEN}
                }));
        })
        .await;
    let client = client(&server.base_url());

    let err = terminate_users(&client).await.unwrap_err();

    for shown in [
        err.to_string(),
        format!("{err:?}"),
        format!("{err:#?}"),
        format!("{client:?}"),
    ] {
        assert!(!shown.contains(TOKEN), "the token leaked into: {shown}");
    }
    let api = err.api_error().unwrap();
    assert_eq!(api.context_info().unwrap()["access_token"], "[redacted]");
    assert_eq!(api.header("www-authenticate"), Some("[redacted]"));
}

#[tokio::test]
async fn a_refused_connection_is_a_network_error_not_an_api_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);

    let err = terminate_users(&client(&base_url)).await.unwrap_err();

    assert_eq!(err.kind(), ErrorKind::Network);
    assert_eq!(err.status(), None);
    assert!(err.api_error().is_none());
}

#[test]
fn clients_and_errors_cross_threads() {
    fn send_sync<T: Send + Sync + 'static>() {}
    send_sync::<BoxClient>();
    send_sync::<BoxError>();
    fn error<T: std::error::Error + Send + Sync + 'static>() {}
    error::<BoxError>();
}

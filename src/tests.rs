//! Tests of the generated client and the shared request path, on the wire.
//!
//! These exercise `generated` directly, below the facade, to show that what
//! progenitor emits from the normalized fragment sends Box's requests and decodes
//! Box's answers.

use httpmock::prelude::*;
use serde_json::json;

use crate::generated::{Error, types};
use crate::network::{BaseUrlKind, BaseUrls};
use crate::transport::{self, Transport};

fn client_for(server: &MockServer) -> crate::generated::Client {
    let base_urls = BaseUrls {
        base_url: server.base_url(),
        ..BaseUrls::default()
    };
    transport::generated_client(reqwest::Client::new(), Transport::new(base_urls))
}

#[tokio::test]
async fn terminating_user_sessions_posts_the_spec_body_and_decodes_the_202() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/2.0/users/terminate_sessions")
                .header("content-type", "application/json")
                .header("accept", "application/json")
                .header_missing("api-version")
                .json_body(json!({"user_ids": ["123"], "user_logins": ["a@example.com"]}));
            then.status(202).json_body(
                json!({"message": "Request is successful, please check the admin events"}),
            );
        })
        .await;
    let body = types::PostUsersTerminateSessionsBody {
        user_ids: vec!["123".into()],
        user_logins: vec!["a@example.com".into()],
    };

    let response = client_for(&server)
        .post_users_terminate_sessions(&body)
        .await
        .unwrap();

    mock.assert_calls_async(1).await;
    assert_eq!(response.status(), 202);
    assert_eq!(
        response.into_inner(),
        types::SessionTerminationMessage {
            message: Some("Request is successful, please check the admin events".into())
        }
    );
}

#[tokio::test]
async fn terminating_group_sessions_posts_the_spec_body_and_decodes_the_202() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/2.0/groups/terminate_sessions")
                .header("content-type", "application/json")
                .header_missing("api-version")
                .json_body(json!({"group_ids": ["42", "43"]}));
            then.status(202).json_body(json!({"message": "ok"}));
        })
        .await;
    let body = types::PostGroupsTerminateSessionsBody {
        group_ids: vec!["42".into(), "43".into()],
    };

    let response = client_for(&server)
        .post_groups_terminate_sessions(&body)
        .await
        .unwrap();

    mock.assert_calls_async(1).await;
    assert_eq!(response.into_inner().message.as_deref(), Some("ok"));
}

#[tokio::test]
async fn an_error_code_missing_from_the_spec_still_decodes() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/2.0/groups/terminate_sessions");
            then.status(429).json_body(json!({
                "type": "error",
                "status": 429,
                "code": "rate_limit_exceeded",
                "message": "Request rate limit exceeded, please try again later",
                "request_id": "abc123"
            }));
        })
        .await;
    let body = types::PostGroupsTerminateSessionsBody {
        group_ids: vec!["42".into()],
    };

    let err = client_for(&server)
        .post_groups_terminate_sessions(&body)
        .await
        .unwrap_err();

    let Error::ErrorResponse(response) = err else {
        panic!("expected a decoded error response, got {err:?}");
    };
    assert_eq!(response.status(), 429);
    assert_eq!(
        response.into_inner(),
        types::ClientError {
            type_: Some("error".into()),
            status: Some(429),
            code: Some("rate_limit_exceeded".into()),
            message: Some("Request rate limit exceeded, please try again later".into()),
            request_id: Some("abc123".into()),
            context_info: None,
            help_url: None,
        }
    );
}

#[tokio::test]
async fn a_5xx_is_an_error_response() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/2.0/users/terminate_sessions");
            then.status(503)
                .json_body(json!({"type": "error", "status": 503}));
        })
        .await;
    let body = types::PostUsersTerminateSessionsBody {
        user_ids: vec![],
        user_logins: vec!["a@example.com".into()],
    };

    let err = client_for(&server)
        .post_users_terminate_sessions(&body)
        .await
        .unwrap_err();

    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert!(matches!(err, Error::ErrorResponse(_)), "{err:?}");
}

#[test]
fn the_operation_table_is_sorted_for_binary_search() {
    let ids: Vec<&str> = crate::generated::OPERATION_BASE_URLS
        .iter()
        .map(|(id, _)| *id)
        .collect();

    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
    assert!(ids.contains(&"post_users_terminate_sessions"));
    assert!(ids.contains(&"post_groups_terminate_sessions"));
}

#[test]
fn session_termination_operations_are_served_from_the_api_host() {
    assert_eq!(
        transport::base_url_kind("post_users_terminate_sessions"),
        BaseUrlKind::Api
    );
    assert_eq!(
        transport::base_url_kind("not_an_operation"),
        BaseUrlKind::Api
    );
}

#[test]
fn an_upload_operation_is_moved_to_the_upload_base_url() {
    let base_urls = BaseUrls {
        base_url: "http://127.0.0.1:1".into(),
        upload_url: "http://127.0.0.1:2/api".into(),
        ..BaseUrls::default()
    };
    let url = reqwest::Url::parse("http://127.0.0.1:1/2.0/files/content?x=1").unwrap();
    let mut request = reqwest::Request::new(reqwest::Method::POST, url);

    transport::route_to_host(&mut request, &base_urls, BaseUrlKind::Upload).unwrap();

    assert_eq!(
        request.url().as_str(),
        "http://127.0.0.1:2/api/2.0/files/content?x=1"
    );
}

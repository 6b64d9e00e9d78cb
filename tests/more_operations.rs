//! Operations added through `openapi/operations.toml` plus a facade method, and the
//! raw request path: they get the transport's behaviour without code of their own,
//! and the normalizations keep their wire format right.

mod common;

use std::time::Duration;

use box_sdk_gen::auth::BoxDeveloperTokenAuth;
use box_sdk_gen::client::BoxClient;
use box_sdk_gen::errors::ErrorKind;
use box_sdk_gen::fetch::FetchOptions;
use box_sdk_gen::managers::users::GetUserMeQueryParams;
use box_sdk_gen::network::{BaseUrls, NetworkSession};
use box_sdk_gen::retries::BoxRetryStrategy;
use box_sdk_gen::schemas::{
    MetadataInstanceValue, UpdateFileMetadataByIdRequestBody, UpdateFileMetadataByIdRequestBodyOp,
    UpdateFileMetadataByIdScope,
};
use common::{Reply, ScriptedServer, TOKEN};
use serde_json::json;

fn client(server: &ScriptedServer) -> BoxClient {
    let session = common::timerless_session(BaseUrls::default().with_base_url(&server.base_url))
        .build()
        .unwrap();
    BoxClient::with_network_session(BoxDeveloperTokenAuth::new(TOKEN), session)
}

fn query(request_line: &str) -> Vec<(String, String)> {
    let target = request_line.split(' ').nth(1).unwrap();
    let query = target.split_once('?').map_or("", |(_, q)| q);
    url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

fn user(name: &str) -> serde_json::Value {
    json!({"type": "user", "id": "11", "name": name, "login": "me@example.com", "role": "admin"})
}

#[tokio::test(start_paused = true)]
async fn get_user_me_sends_fields_as_one_comma_separated_value() {
    let server = ScriptedServer::start(vec![Reply::json(200, user("Ada"))]).await;
    let query_params = GetUserMeQueryParams::default().with_fields(["id", "name", "role"]);

    let me = client(&server)
        .users
        .get_user_me(query_params, Default::default(), None)
        .await
        .unwrap();

    let request = &server.received()[0];
    assert!(
        request.request_line.starts_with("GET /2.0/users/me?"),
        "{}",
        request.request_line
    );
    assert_eq!(
        query(&request.request_line),
        [("fields".to_string(), "id,name,role".to_string())]
    );
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(me.id, "11");
    assert_eq!(me.name.as_deref(), Some("Ada"));
}

#[tokio::test(start_paused = true)]
async fn get_user_me_without_fields_sends_no_query() {
    let server = ScriptedServer::start(vec![Reply::json(200, user("Ada"))]).await;

    client(&server)
        .users
        .get_user_me(Default::default(), Default::default(), None)
        .await
        .unwrap();

    assert_eq!(
        server.received()[0].request_line,
        "GET /2.0/users/me HTTP/1.1"
    );
}

#[tokio::test(start_paused = true)]
async fn a_user_breaking_a_documented_length_still_decodes() {
    // Box documents names of at most 50 characters.
    let long_name = "x".repeat(300);
    let server = ScriptedServer::start(vec![Reply::json(200, user(&long_name))]).await;

    let me = client(&server)
        .users
        .get_user_me(Default::default(), Default::default(), None)
        .await
        .unwrap();

    assert_eq!(me.name.as_deref(), Some(long_name.as_str()));
}

#[tokio::test(start_paused = true)]
async fn get_user_me_is_retried_like_every_operation() {
    let server = ScriptedServer::start(vec![
        Reply::error(429).header("Retry-After", "2"),
        Reply::json(200, user("Ada")),
    ])
    .await;

    client(&server)
        .users
        .get_user_me(Default::default(), Default::default(), None)
        .await
        .unwrap();

    let received = server.received();
    assert_eq!(received.len(), 2);
    assert_eq!(received[1].at - received[0].at, Duration::from_secs(2));
}

#[tokio::test(start_paused = true)]
async fn a_metadata_update_is_sent_as_json_patch() {
    let server = ScriptedServer::start(vec![Reply::json(
        200,
        json!({"$parent": "file_12345", "$template": "contract", "$scope": "enterprise_1",
               "status": "approved"}),
    )])
    .await;
    let patch = [
        UpdateFileMetadataByIdRequestBody::replace("/status", "approved"),
        UpdateFileMetadataByIdRequestBody::new(
            UpdateFileMetadataByIdRequestBodyOp::Add,
            "/amount",
            Some(MetadataInstanceValue::Integer(12)),
        ),
    ];

    client(&server)
        .file_metadata
        .update_file_metadata_by_id(
            "12345",
            UpdateFileMetadataByIdScope::Enterprise,
            "contract",
            &patch,
            Default::default(),
            None,
        )
        .await
        .unwrap();

    let request = &server.received()[0];
    assert_eq!(
        request.request_line,
        "PUT /2.0/files/12345/metadata/enterprise/contract HTTP/1.1"
    );
    assert_eq!(
        request.header("content-type"),
        Some("application/json-patch+json")
    );
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&request.body).unwrap(),
        json!([
            {"op": "replace", "path": "/status", "value": "approved"},
            {"op": "add", "path": "/amount", "value": 12}
        ])
    );
}

#[tokio::test(start_paused = true)]
async fn an_empty_patch_is_refused_before_sending() {
    let server = ScriptedServer::start(vec![Reply::accepted()]).await;

    let err = client(&server)
        .file_metadata
        .update_file_metadata_by_id(
            "1",
            UpdateFileMetadataByIdScope::Global,
            "properties",
            &[],
            Default::default(),
            None,
        )
        .await
        .unwrap_err();

    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(server.received().is_empty());
}

#[tokio::test(start_paused = true)]
async fn make_request_goes_through_auth_headers_and_retries() {
    let server = ScriptedServer::start(vec![
        Reply::error(503),
        Reply::json(200, json!({"entries": []})),
    ])
    .await;
    let client = client(&server).with_as_user_header("77").unwrap();

    let answer = client
        .make_request(
            FetchOptions::new("GET", "/2.0/folders/0/items")
                .with_param("limit", "5")
                .with_header("X-Trace", "t-1"),
        )
        .await
        .unwrap();

    let received = server.received();
    assert_eq!(received.len(), 2, "the 503 was retried");
    let request = &received[1];
    assert_eq!(
        request.request_line,
        "GET /2.0/folders/0/items?limit=5 HTTP/1.1"
    );
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(request.header("as-user"), Some("77"));
    assert_eq!(request.header("x-trace"), Some("t-1"));
    assert!(request.header("x-box-ua").is_some());
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json().unwrap(), json!({"entries": []}));
    assert_eq!(answer.headers["content-type"], "application/json");
}

#[tokio::test(start_paused = true)]
async fn make_request_sends_a_multipart_body_as_given() {
    let server = ScriptedServer::start(vec![Reply::json(201, json!({"total_count": 1}))]).await;
    let boundary = "----box-sdk-gen";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"attributes\"\r\n\r\n\
         {{\"name\":\"a.txt\",\"parent\":{{\"id\":\"0\"}}}}\r\n--{boundary}--\r\n"
    );
    let absolute = format!("{}/api/2.0/files/content", server.base_url);

    let answer = client(&server)
        .make_request(FetchOptions::new("POST", absolute).with_body(
            format!("multipart/form-data; boundary={boundary}"),
            body.clone(),
        ))
        .await
        .unwrap();

    let request = &server.received()[0];
    assert_eq!(request.request_line, "POST /api/2.0/files/content HTTP/1.1");
    assert_eq!(
        request.header("content-type"),
        Some(format!("multipart/form-data; boundary={boundary}").as_str())
    );
    assert_eq!(request.body, body.as_bytes());
    assert_eq!(answer.status, 201);
}

#[tokio::test(start_paused = true)]
async fn make_request_maps_an_error_status_to_an_api_error() {
    let server = ScriptedServer::start(vec![Reply::error(404)]).await;

    let err = client(&server)
        .make_request(FetchOptions::new("DELETE", "/2.0/files/1"))
        .await
        .unwrap_err();

    assert_eq!(err.kind(), ErrorKind::Api);
    assert_eq!(err.status(), Some(404));
    assert_eq!(err.api_error().unwrap().code(), Some("c"));
}

#[tokio::test]
async fn make_request_refuses_a_bad_method_or_url() {
    let client = BoxClient::with_network_session(
        BoxDeveloperTokenAuth::new(TOKEN),
        NetworkSession::builder()
            .retry_strategy(BoxRetryStrategy::builder().max_attempts(1).build())
            .build()
            .unwrap(),
    );

    let method = client
        .make_request(FetchOptions::new("NOT A METHOD", "/2.0/users/me"))
        .await
        .unwrap_err();
    let url = client
        .make_request(FetchOptions::new("GET", "not a url"))
        .await
        .unwrap_err();

    assert_eq!(method.kind(), ErrorKind::InvalidArgument);
    assert_eq!(url.kind(), ErrorKind::InvalidArgument);
}

#[tokio::test(start_paused = true)]
async fn make_request_refuses_a_host_that_is_none_of_the_base_urls() {
    let server = ScriptedServer::start(vec![Reply::accepted()]).await;
    let elsewhere = ScriptedServer::start(vec![Reply::accepted()]).await;

    let err = client(&server)
        .make_request(FetchOptions::new(
            "GET",
            format!("{}/2.0/users/me", elsewhere.base_url),
        ))
        .await
        .unwrap_err();

    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert_eq!(
        err.to_string(),
        format!(
            "`{}` is on none of the client's base URLs, and the request \
             would carry the access token there",
            elsewhere.base_url
        )
    );
    assert!(!format!("{err:?}").contains(TOKEN));
    assert!(elsewhere.received().is_empty());
    assert!(server.received().is_empty());
}

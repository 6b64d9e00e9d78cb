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
use common::{RawRequest, TOKEN, capture_one_request, client, client_with};
use httpmock::prelude::*;
use httpmock::{Mock, Then};
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

/// The two session termination operations, so that a check both must pass is
/// written once and run for each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operation {
    Users,
    Groups,
}

const OPERATIONS: [Operation; 2] = [Operation::Users, Operation::Groups];

impl Operation {
    fn path(self) -> &'static str {
        match self {
            Operation::Users => USERS_PATH,
            Operation::Groups => GROUPS_PATH,
        }
    }

    /// The body the operation sends for the test's users or groups.
    fn wire_body(self) -> serde_json::Value {
        match self {
            Operation::Users => {
                json!({"user_ids": ["123456", "456789"], "user_logins": ["leaver@example.com"]})
            }
            Operation::Groups => json!({"group_ids": ["987654"]}),
        }
    }

    /// Calls the operation with no call headers and no cancellation token.
    async fn call(self, client: &BoxClient) -> Result<SessionTerminationMessage, BoxError> {
        self.call_with(client, &[], None).await
    }

    /// Calls the operation with the call headers `extra_headers`, ended by
    /// `cancellation_token` if given.
    async fn call_with(
        self,
        client: &BoxClient,
        extra_headers: &[(&str, &str)],
        cancellation_token: Option<CancellationToken>,
    ) -> Result<SessionTerminationMessage, BoxError> {
        let manager = &client.session_termination;
        match self {
            Operation::Users => {
                let headers = extra_headers
                    .iter()
                    .fold(CreateUserTerminateSessionHeaders::default(), |h, (n, v)| {
                        h.with_extra_header(*n, *v)
                    });
                manager
                    .create_user_terminate_session(&users_body(), headers, cancellation_token)
                    .await
            }
            Operation::Groups => {
                let headers = extra_headers.iter().fold(
                    CreateGroupTerminateSessionHeaders::default(),
                    |h, (n, v)| h.with_extra_header(*n, *v),
                );
                manager
                    .create_group_terminate_session(&groups_body(), headers, cancellation_token)
                    .await
            }
        }
    }
}

fn users_body() -> CreateUserTerminateSessionRequestBody {
    CreateUserTerminateSessionRequestBody::new(["123456", "456789"], ["leaver@example.com"])
}

fn groups_body() -> CreateGroupTerminateSessionRequestBody {
    CreateGroupTerminateSessionRequestBody::new(["987654"])
}

/// A client with the default retry strategy, for tests that show a request is not
/// sent again although retries are on.
fn retrying_client(base_url: &str) -> BoxClient {
    client_with(base_url, |session| session)
}

/// Makes `server` answer `operation` with what `answer` sets up.
async fn answer_with<'a>(
    server: &'a MockServer,
    operation: Operation,
    answer: impl FnOnce(Then) -> Then,
) -> Mock<'a> {
    server
        .mock_async(|when, then| {
            when.method(POST).path(operation.path());
            answer(then);
        })
        .await
}

/// Checks the headers every call carries, whatever else it sends: the token, the
/// JSON content type and the two SDK identification headers, exactly.
fn assert_sdk_headers(request: &RawRequest) {
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(request.header("accept"), Some("application/json"));
    assert_eq!(
        request.header("user-agent"),
        Some(format!("box-rust-generated-sdk/{}", env!("CARGO_PKG_VERSION")).as_str())
    );
    assert_x_box_ua(request.header("x-box-ua").expect("no x-box-ua header"));
}

/// Checks that `value` is `agent=box-rust-generated-sdk/<crate version>;
/// env=rust/<rustc version>`, the rustc version being the compiler's that build.rs
/// recorded: a dotted `major.minor.patch`, with a pre-release such as `-nightly`
/// allowed.
fn assert_x_box_ua(value: &str) {
    let rustc = env!("BOX_SDK_RUSTC_VERSION");
    assert_eq!(
        value,
        format!(
            "agent=box-rust-generated-sdk/{}; env=rust/{rustc}",
            env!("CARGO_PKG_VERSION")
        )
    );
    let release = rustc.split_once('-').map_or(rustc, |(release, _)| release);
    let parts: Vec<&str> = release.split('.').collect();
    assert!(
        parts.len() == 3
            && parts
                .iter()
                .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit())),
        "the rustc version in {value:?} is not a dotted version"
    );
}

#[tokio::test]
async fn each_operation_sends_exactly_the_request_box_sdks_send() {
    for operation in OPERATIONS {
        let (base_url, captured) = capture_one_request().await;

        let message = operation.call(&client(&base_url)).await.unwrap();

        let request = captured.await.unwrap();
        assert_eq!(
            request.request_line,
            format!("POST {} HTTP/1.1", operation.path())
        );
        assert_eq!(request.header_names(), WIRE_HEADERS, "{operation:?}");
        assert_sdk_headers(&request);
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&request.body).unwrap(),
            operation.wire_body()
        );
        assert_eq!(message.message.as_deref(), Some("ok"));
    }
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
                .json_body(Operation::Users.wire_body());
            then.status(202).json_body(json!({"message": BOX_MESSAGE}));
        })
        .await;

    let message = Operation::Users
        .call(&client(&server.base_url()))
        .await
        .unwrap();

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
    for operation in OPERATIONS {
        for (status, code, message) in cases {
            let server = MockServer::start_async().await;
            let mock = answer_with(&server, operation, |then| {
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
                    }))
            })
            .await;

            let err = operation
                .call(&client(&server.base_url()))
                .await
                .unwrap_err();

            mock.assert_calls_async(1).await;
            assert_eq!(err.kind(), ErrorKind::Api, "{operation:?} {status}");
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
}

#[tokio::test]
async fn an_error_code_box_did_not_document_is_kept() {
    let server = MockServer::start_async().await;
    answer_with(&server, Operation::Groups, |then| {
        then.status(409)
            .json_body(json!({"type": "error", "code": "brand_new_code", "message": "New"}))
    })
    .await;

    let err = Operation::Groups
        .call(&client(&server.base_url()))
        .await
        .unwrap_err();

    assert_eq!(err.api_error().unwrap().code(), Some("brand_new_code"));
    assert_eq!(err.to_string(), "409 brand_new_code: New");
}

#[tokio::test]
async fn an_html_502_is_an_api_error_that_keeps_the_status_and_the_body_start() {
    for operation in OPERATIONS {
        let server = MockServer::start_async().await;
        answer_with(&server, operation, |then| {
            then.status(502)
                .header("content-type", "text/html")
                .body("<html>\n<head><title>502 Bad Gateway</title></head>\n</html>")
        })
        .await;

        let err = operation
            .call(&client(&server.base_url()))
            .await
            .unwrap_err();

        assert_eq!(err.kind(), ErrorKind::Api, "{operation:?}");
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
}

#[tokio::test]
async fn an_undocumented_success_status_is_still_a_success() {
    let server = MockServer::start_async().await;
    answer_with(&server, Operation::Users, |then| {
        then.status(200).json_body(json!({"message": BOX_MESSAGE}))
    })
    .await;

    let message = Operation::Users
        .call(&client(&server.base_url()))
        .await
        .unwrap();

    assert_eq!(message.message.as_deref(), Some(BOX_MESSAGE));
}

#[tokio::test]
async fn an_undocumented_redirect_is_an_api_error_with_its_status() {
    let server = MockServer::start_async().await;
    answer_with(&server, Operation::Users, |then| then.status(304)).await;

    let err = Operation::Users
        .call(&client(&server.base_url()))
        .await
        .unwrap_err();

    assert_eq!(err.kind(), ErrorKind::Api);
    assert_eq!(err.status(), Some(304));
}

#[tokio::test]
async fn an_empty_202_body_is_a_decode_error_and_is_not_resent_though_retries_are_on() {
    for operation in OPERATIONS {
        let server = MockServer::start_async().await;
        let mock = answer_with(&server, operation, |then| then.status(202)).await;

        let err = operation
            .call(&retrying_client(&server.base_url()))
            .await
            .unwrap_err();

        mock.assert_calls_async(1).await;
        assert_eq!(err.kind(), ErrorKind::Decode, "{operation:?}");
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
}

#[tokio::test]
async fn a_malformed_202_body_is_a_decode_error_with_the_body_start() {
    let server = MockServer::start_async().await;
    let mock = answer_with(&server, Operation::Groups, |then| {
        then.status(202).body("{\"message\": ")
    })
    .await;

    let err = Operation::Groups
        .call(&client(&server.base_url()))
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
async fn client_and_call_headers_go_on_the_wire_once_with_the_call_header_winning() {
    for operation in OPERATIONS {
        let (base_url, captured) = capture_one_request().await;
        let client = client(&base_url)
            .with_as_user_header("7777")
            .unwrap()
            .with_suppressed_notifications()
            .with_extra_headers([("X-Team", "identity"), ("X-Ticket", "from-the-client")])
            .unwrap();

        operation
            .call_with(&client, &[("X-Ticket", "SEC-42")], None)
            .await
            .unwrap();

        let request = captured.await.unwrap();
        let mut expected = WIRE_HEADERS.to_vec();
        expected.extend(["as-user", "box-notifications", "x-team", "x-ticket"]);
        expected.sort_unstable();
        assert_eq!(request.header_names(), expected, "{operation:?}");
        assert_eq!(request.header("as-user"), Some("7777"));
        assert_eq!(request.header("box-notifications"), Some("off"));
        assert_eq!(request.header("x-team"), Some("identity"));
        assert_eq!(request.header("x-ticket"), Some("SEC-42"));
        assert_sdk_headers(&request);
    }
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

    Operation::Users.call(&original).await.unwrap();

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

    let message = Operation::Groups.call(&client).await.unwrap();

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
    for operation in OPERATIONS {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                when.any_request();
                then.status(202).json_body(json!({"message": "ok"}));
            })
            .await;
        let token = CancellationToken::new();
        token.cancel();

        let err = operation
            .call_with(&client(&server.base_url()), &[], Some(token))
            .await
            .unwrap_err();

        mock.assert_calls_async(0).await;
        assert_eq!(err.kind(), ErrorKind::Cancelled, "{operation:?}");
        assert!(err.is_cancelled());
        assert_eq!(err.to_string(), "the call was cancelled");
    }
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

    let err = Operation::Users
        .call(&client(&server.base_url()))
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

    let err = Operation::Users.call(&client).await.unwrap_err();

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

    let err = Operation::Users.call(&client(&base_url)).await.unwrap_err();

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

#[tokio::test]
async fn an_error_body_of_another_json_shape_keeps_what_it_says() {
    for operation in OPERATIONS {
        let server = MockServer::start_async().await;
        answer_with(&server, operation, |then| {
            then.status(502)
                .json_body(json!({"error": "upstream", "error_description": "bad gateway"}))
        })
        .await;

        let err = operation
            .call(&client(&server.base_url()))
            .await
            .unwrap_err();

        assert_eq!(err.kind(), ErrorKind::Api, "{operation:?}");
        let api = err.api_error().unwrap();
        assert_eq!(api.status(), 502);
        assert_eq!(api.code(), Some("upstream"));
        assert_eq!(api.message(), Some("bad gateway"));
        assert_eq!(err.to_string(), "502 upstream: bad gateway");
    }
}

#[tokio::test]
async fn an_error_body_with_no_known_field_is_shown_in_part() {
    let server = MockServer::start_async().await;
    answer_with(&server, Operation::Users, |then| {
        then.status(503).json_body(json!({"detail": "maintenance"}))
    })
    .await;

    let err = Operation::Users
        .call(&client(&server.base_url()))
        .await
        .unwrap_err();

    let api = err.api_error().unwrap();
    assert_eq!(api.status(), 503);
    assert_eq!(api.code(), None);
    assert_eq!(api.body_preview(), Some(r#"{"detail":"maintenance"}"#));
    assert_eq!(
        err.to_string(),
        r#"503: the body is not a Box error: {"detail":"maintenance"}"#
    );
}

#[tokio::test]
async fn clones_and_derived_clients_share_one_connection() {
    let server = common::KeepAliveServer::start().await;
    let client = client(&server.base_url);
    let clients = [
        client.clone(),
        client.clone(),
        client.with_as_user_header("123").unwrap(),
        client.with_extra_headers([("X-Ticket", "SEC-42")]).unwrap(),
        client.with_suppressed_notifications(),
    ];

    for each in &clients {
        Operation::Users.call(each).await.unwrap();
    }

    // Sequential calls over one pool reuse its one idle connection.
    assert_eq!(server.requests(), clients.len());
    assert_eq!(server.connections(), 1);
}

#[tokio::test]
async fn concurrent_calls_reuse_the_connections_of_earlier_ones() {
    let server = common::KeepAliveServer::start().await;
    let client = client(&server.base_url);
    let round = || {
        let calls: Vec<_> = (0..8)
            .map(|_| {
                let client = client.clone();
                tokio::spawn(async move { Operation::Users.call(&client).await })
            })
            .collect();
        async move {
            for call in calls {
                call.await.unwrap().unwrap();
            }
        }
    };

    round().await;
    round().await;

    // The second round finds the first round's connections idle in the pool.
    assert_eq!(server.requests(), 16);
    assert!(server.connections() <= 8, "{}", server.connections());
}

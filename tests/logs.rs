//! What the transport logs through `tracing`: one span per operation with its
//! outcome, an event per attempt and per retry, and never a secret or a body.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use box_sdk_gen::auth::{BoxCcgAuth, BoxDeveloperTokenAuth};
use box_sdk_gen::client::BoxClient;
use box_sdk_gen::network::BaseUrls;
use box_sdk_gen::schemas::CreateUserTerminateSessionRequestBody;
use box_sdk_gen::testing::{self, Sandbox};
use common::{Reply, ScriptedServer, TOKEN};
use tracing_subscriber::fmt::format::FmtSpan;

/// Everything a subscriber wrote, shared with the test.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }

    /// A subscriber that writes every event and span close, at TRACE and up, here.
    fn subscriber(&self) -> impl tracing::Subscriber + Send + Sync + use<> {
        self.subscriber_at(tracing::Level::TRACE)
    }

    /// A subscriber that writes every event and span close at `level` and up here.
    fn subscriber_at(
        &self,
        level: tracing::Level,
    ) -> impl tracing::Subscriber + Send + Sync + use<> {
        let writer = self.clone();
        tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_max_level(level)
            .with_span_events(FmtSpan::CLOSE)
            .with_ansi(false)
            .finish()
    }
}

#[tokio::test(start_paused = true)]
async fn a_retried_call_logs_its_span_attempts_and_retry_without_secrets_or_bodies() {
    let captured = Captured::default();
    let _guard = tracing::subscriber::set_default(captured.subscriber());
    let secret_message = "Request is successful, please check the admin events";
    let server = ScriptedServer::start(vec![
        Reply::error(429)
            .header("Retry-After", "1")
            .header("box-request-id", "req-first"),
        Reply::json(202, serde_json::json!({"message": secret_message}))
            .header("box-request-id", "req-final"),
    ])
    .await;
    let session = common::timerless_session(BaseUrls::default().with_base_url(&server.base_url))
        .build()
        .unwrap();
    let client = BoxClient::with_network_session(BoxDeveloperTokenAuth::new(TOKEN), session)
        .with_as_user_header("as-user-77")
        .unwrap();
    let body = CreateUserTerminateSessionRequestBody::new(["user-id-4242"], ["leaver@example.com"]);

    client
        .session_termination
        .create_user_terminate_session(&body, Default::default(), None)
        .await
        .unwrap();

    let logs = captured.text();
    // The HTTP stack logs too; these assertions are about the SDK's own events.
    let lines: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains("box_sdk_gen::transport"))
        .collect();
    let retry = lines
        .iter()
        .find(|l| l.contains("retrying the operation"))
        .unwrap_or_else(|| panic!("no retry event in:\n{logs}"));
    assert!(retry.contains("WARN"), "{retry}");
    assert!(retry.contains("attempt=1"), "{retry}");
    assert!(retry.contains("reason=\"status 429\""), "{retry}");
    assert!(retry.contains("delay_ms=1000"), "{retry}");
    let answered = lines
        .iter()
        .filter(|l| l.contains("DEBUG") && l.contains("transport: attempt answered"))
        .count();
    assert_eq!(answered, 2, "one DEBUG event per attempt:\n{logs}");
    let closed = lines
        .iter()
        .find(|l| l.contains("close"))
        .unwrap_or_else(|| panic!("no span close in:\n{logs}"));
    for field in [
        "operation_id=\"post_users_terminate_sessions\"",
        "method=\"POST\"",
        "path=\"/2.0/users/terminate_sessions\"",
        "attempts=2",
        "status=202",
        "request_id=\"req-final\"",
        "duration_ms=1000",
    ] {
        assert!(closed.contains(field), "{field} missing from {closed}");
    }
    for secret in [
        TOKEN,
        "Bearer",
        "authorization",
        "leaver@example.com",
        "user-id-4242",
        "as-user-77",
        secret_message,
    ] {
        assert!(!logs.contains(secret), "{secret} was logged:\n{logs}");
    }
}

// A real sandbox on loopback, so tokio's clock runs: paused, it would jump ahead
// while the calls wait on sockets and set off the attempt timeouts.
#[tokio::test]
async fn a_client_credentials_flow_logs_neither_the_client_secret_nor_the_access_token() {
    let captured = Captured::default();
    let _guard = tracing::subscriber::set_default(captured.subscriber());
    let sandbox = Sandbox::start().await.unwrap();
    let client = BoxClient::with_network_session(
        BoxCcgAuth::new(sandbox.ccg_config()),
        sandbox.network_session().unwrap(),
    );
    let body = CreateUserTerminateSessionRequestBody::new(["user-id-4242"], Vec::<String>::new());

    client
        .session_termination
        .create_user_terminate_session(&body, Default::default(), None)
        .await
        .unwrap();

    let logs = captured.text();
    for operation in ["post_oauth2_token", "post_users_terminate_sessions"] {
        assert!(
            logs.contains(&format!("operation_id=\"{operation}\"")),
            "{operation} was not logged, so the test shows nothing:\n{logs}"
        );
    }
    let issued = sandbox.issued_access_tokens();
    assert_eq!(issued.len(), 1);
    for secret in [testing::CLIENT_SECRET, issued[0].as_str()] {
        assert!(!logs.contains(secret), "{secret} was logged:\n{logs}");
    }
}

#[tokio::test(start_paused = true)]
async fn at_info_a_retry_is_logged_inside_its_operation() {
    let captured = Captured::default();
    let _guard = tracing::subscriber::set_default(captured.subscriber_at(tracing::Level::INFO));
    let server = ScriptedServer::start(vec![
        Reply::error(503).header("box-request-id", "req-first"),
        Reply::accepted(),
    ])
    .await;
    let client = common::client_with(&server.base_url, |session| session);
    let body = CreateUserTerminateSessionRequestBody::new(["123456"], Vec::<String>::new());

    client
        .session_termination
        .create_user_terminate_session(&body, Default::default(), None)
        .await
        .unwrap();

    let logs = captured.text();
    let retry = logs
        .lines()
        .find(|l| l.contains("WARN") && l.contains("retrying the operation"))
        .unwrap_or_else(|| panic!("no retry logged:\n{logs}"));
    // The span's fields, as far as they are known when the retry is logged.
    assert!(retry.contains(" box_operation{attempts=1 "), "{retry}");
    for field in [
        "operation_id=\"post_users_terminate_sessions\"",
        "path=\"/2.0/users/terminate_sessions\"",
        "status=503",
        "request_id=\"req-first\"",
        "reason=\"status 503\"",
    ] {
        assert!(retry.contains(field), "{field} in {retry}");
    }
    assert!(!logs.contains("DEBUG"), "{logs}");
}

//! The shared transport under a paused clock: retries, waits, timeouts,
//! cancellation, the size limit and the logs, against a scripted loopback server.
//!
//! Timing is read from tokio's virtual clock, so the assertions on delays are exact
//! and the tests take milliseconds. The HTTP client has no idle-pool or connect
//! timers, and attempts no timeout unless a test sets one: a pending timer would
//! let the paused clock jump while a real socket is still busy.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use box_sdk_gen::CancellationToken;
use box_sdk_gen::auth::{AccessToken, Authentication, BoxFuture};
use box_sdk_gen::client::BoxClient;
use box_sdk_gen::errors::{BoxError, ErrorKind};
use box_sdk_gen::network::{BaseUrls, NetworkSession, NetworkSessionBuilder};
use box_sdk_gen::retries::BoxRetryStrategy;
use box_sdk_gen::schemas::{CreateUserTerminateSessionRequestBody, SessionTerminationMessage};
use common::{Reply, ScriptedServer};
use tokio::time::Instant;

/// Hands out `token-1`, `token-2`, … (a new one for every attempt) and, when
/// allowed, refreshes to `refreshed-N`, which it then hands out; counts both.
/// A `refreshable` one hands out `token-1` until it refreshes, as a token cache
/// does.
#[derive(Debug, Clone, Default)]
struct CountingAuth {
    issued: Arc<AtomicU32>,
    refreshed: Arc<AtomicU32>,
    can_refresh: bool,
}

impl CountingAuth {
    fn refreshable() -> Self {
        Self {
            can_refresh: true,
            ..Self::default()
        }
    }

    fn token(&self) -> AccessToken {
        let refreshed = self.refreshed.load(Ordering::SeqCst);
        let issued = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
        if refreshed > 0 {
            AccessToken::new(format!("refreshed-{refreshed}"))
        } else if self.can_refresh {
            AccessToken::new("token-1")
        } else {
            AccessToken::new(format!("token-{issued}"))
        }
    }
}

impl Authentication for CountingAuth {
    fn retrieve_token<'a>(
        &'a self,
        _network_session: &'a NetworkSession,
    ) -> BoxFuture<'a, Result<AccessToken, BoxError>> {
        let token = self.token();
        Box::pin(async move { Ok(token) })
    }

    fn can_refresh(&self) -> bool {
        self.can_refresh
    }

    fn refresh_token<'a>(
        &'a self,
        _network_session: &'a NetworkSession,
    ) -> BoxFuture<'a, Result<AccessToken, BoxError>> {
        let n = self.refreshed.fetch_add(1, Ordering::SeqCst) + 1;
        Box::pin(async move { Ok(AccessToken::new(format!("refreshed-{n}"))) })
    }
}

/// A session for paused-clock tests, with `configure` applied last.
fn session(
    base_url: &str,
    configure: impl FnOnce(NetworkSessionBuilder) -> NetworkSessionBuilder,
) -> NetworkSession {
    let builder = common::timerless_session(BaseUrls::default().with_base_url(base_url));
    configure(builder).build().unwrap()
}

fn client(server: &ScriptedServer, auth: &CountingAuth) -> BoxClient {
    BoxClient::with_network_session(auth.clone(), session(&server.base_url, |s| s))
}

async fn terminate(client: &BoxClient) -> Result<SessionTerminationMessage, BoxError> {
    terminate_with(client, None).await
}

async fn terminate_with(
    client: &BoxClient,
    cancellation: Option<CancellationToken>,
) -> Result<SessionTerminationMessage, BoxError> {
    let body = CreateUserTerminateSessionRequestBody::new(["123456"], ["leaver@example.com"]);
    client
        .session_termination
        .create_user_terminate_session(&body, Default::default(), cancellation)
        .await
}

fn gaps(server: &ScriptedServer) -> Vec<Duration> {
    let received = server.received();
    received.windows(2).map(|w| w[1].at - w[0].at).collect()
}

#[tokio::test(start_paused = true)]
async fn retries_429_after_the_retry_after_delay() {
    let server = ScriptedServer::start(vec![
        Reply::error(429).header("Retry-After", "1"),
        Reply::accepted(),
    ])
    .await;
    let auth = CountingAuth::default();

    let message = terminate(&client(&server, &auth)).await.unwrap();

    assert_eq!(message.message.as_deref(), Some("ok"));
    assert_eq!(server.received().len(), 2);
    assert_eq!(gaps(&server), [Duration::from_secs(1)]);
}

#[tokio::test(start_paused = true)]
async fn reads_a_lowercase_retry_after() {
    let server = ScriptedServer::start(vec![
        Reply::error(503).header("retry-after", "2.5"),
        Reply::accepted(),
    ])
    .await;

    terminate(&client(&server, &CountingAuth::default()))
        .await
        .unwrap();

    assert_eq!(gaps(&server), [Duration::from_millis(2500)]);
}

#[tokio::test(start_paused = true)]
async fn backs_off_exponentially_with_jitter_between_server_errors() {
    let server = ScriptedServer::start(vec![
        Reply::error(500),
        Reply::error(500),
        Reply::accepted(),
    ])
    .await;

    terminate(&client(&server, &CountingAuth::default()))
        .await
        .unwrap();

    let gaps = gaps(&server);
    assert_eq!(gaps.len(), 2);
    // 2^n × 1 s × U[0.5, 1.5] after the n-th attempt.
    assert!(
        (Duration::from_secs(1)..=Duration::from_secs(3)).contains(&gaps[0]),
        "{gaps:?}"
    );
    assert!(
        (Duration::from_secs(2)..=Duration::from_secs(6)).contains(&gaps[1]),
        "{gaps:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn gives_up_after_five_attempts_with_the_last_api_error() {
    let server = ScriptedServer::start(vec![Reply::error(500)]).await;

    let err = terminate(&client(&server, &CountingAuth::default()))
        .await
        .unwrap_err();

    assert_eq!(server.received().len(), 5);
    assert_eq!(err.kind(), ErrorKind::Api);
    assert_eq!(err.status(), Some(500));
}

#[tokio::test(start_paused = true)]
async fn every_attempt_resends_the_same_body_with_a_fresh_authorization() {
    let server = ScriptedServer::start(vec![
        Reply::error(502),
        Reply::error(429).header("Retry-After", "0"),
        Reply::accepted(),
    ])
    .await;

    terminate(&client(&server, &CountingAuth::default()))
        .await
        .unwrap();

    let received = server.received();
    let authorizations: Vec<_> = received
        .iter()
        .map(|r| r.header("authorization").unwrap())
        .collect();
    assert_eq!(
        authorizations,
        ["Bearer token-1", "Bearer token-2", "Bearer token-3"]
    );
    assert!(received.iter().all(|r| r.body == received[0].body));
    assert!(
        received
            .iter()
            .all(|r| r.request_line == received[0].request_line)
    );
}

#[tokio::test(start_paused = true)]
async fn a_refused_connection_is_tried_three_times() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let auth = CountingAuth::default();
    let client = BoxClient::with_network_session(auth.clone(), session(&base_url, |s| s));

    let err = terminate(&client).await.unwrap_err();

    assert_eq!(err.kind(), ErrorKind::Network);
    assert_eq!(
        auth.issued.load(Ordering::SeqCst),
        3,
        "one token per attempt"
    );
}

#[tokio::test(start_paused = true)]
async fn a_reset_connection_is_tried_three_times() {
    let server = ScriptedServer::start(vec![Reply::reset()]).await;

    let err = terminate(&client(&server, &CountingAuth::default()))
        .await
        .unwrap_err();

    assert_eq!(err.kind(), ErrorKind::Network);
    assert_eq!(server.received().len(), 3);
}

#[tokio::test(start_paused = true)]
async fn client_errors_are_not_retried() {
    for status in [400, 403, 404] {
        let server = ScriptedServer::start(vec![Reply::error(status)]).await;

        let err = terminate(&client(&server, &CountingAuth::default()))
            .await
            .unwrap_err();

        assert_eq!(server.received().len(), 1, "{status}");
        assert_eq!(err.status(), Some(status));
    }
}

#[tokio::test(start_paused = true)]
async fn a_202_with_retry_after_to_a_post_is_final() {
    let server = ScriptedServer::start(vec![Reply::accepted().header("Retry-After", "1")]).await;

    let message = terminate(&client(&server, &CountingAuth::default()))
        .await
        .unwrap();

    assert_eq!(server.received().len(), 1);
    assert_eq!(message.message.as_deref(), Some("ok"));
}

#[tokio::test(start_paused = true)]
async fn a_server_that_never_answers_times_out_each_attempt_then_fails() {
    let server = ScriptedServer::start(vec![Reply::hang()]).await;
    let client = BoxClient::with_network_session(
        CountingAuth::default(),
        session(&server.base_url, |s| {
            s.attempt_timeout(Some(Duration::from_secs(60)))
        }),
    );
    let started = Instant::now();

    let err = terminate(&client).await.unwrap_err();

    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(err.is_timeout());
    assert_eq!(
        err.to_string(),
        "no answer came within the attempt timeout of 60s"
    );
    assert_eq!(server.received().len(), 3);
    // Three attempts of 60 s, and two waits of 1–3 s and 2–6 s between them.
    let elapsed = started.elapsed();
    assert!(
        (Duration::from_secs(183)..=Duration::from_secs(189)).contains(&elapsed),
        "{elapsed:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn the_deadline_ends_the_call_across_attempts() {
    let server = ScriptedServer::start(vec![Reply::hang()]).await;
    let client = BoxClient::with_network_session(
        CountingAuth::default(),
        session(&server.base_url, |s| {
            s.attempt_timeout(Some(Duration::from_secs(60)))
                .deadline(Some(Duration::from_secs(90)))
        }),
    );
    let started = Instant::now();

    let err = terminate(&client).await.unwrap_err();

    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_eq!(
        err.to_string(),
        "the call did not finish within its deadline of 90s"
    );
    assert_eq!(started.elapsed(), Duration::from_secs(90));
    assert_eq!(server.received().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn cancelling_while_waiting_for_box_stops_at_once() {
    let server = ScriptedServer::start(vec![Reply::hang()]).await;
    let client = client(&server, &CountingAuth::default());
    let token = CancellationToken::new();
    let started = Instant::now();
    let call = tokio::spawn({
        let token = token.clone();
        async move { terminate_with(&client, Some(token)).await }
    });
    tokio::time::sleep(Duration::from_secs(5)).await;

    token.cancel();
    let err = call.await.unwrap().unwrap_err();

    assert!(err.is_cancelled());
    assert_eq!(started.elapsed(), Duration::from_secs(5));
    assert_eq!(server.received().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn cancelling_while_backing_off_stops_at_once_with_no_further_attempt() {
    let server = ScriptedServer::start(vec![
        Reply::error(429).header("Retry-After", "30"),
        Reply::accepted(),
    ])
    .await;
    let client = client(&server, &CountingAuth::default());
    let token = CancellationToken::new();
    let started = Instant::now();
    let call = tokio::spawn({
        let token = token.clone();
        async move { terminate_with(&client, Some(token)).await }
    });
    tokio::time::sleep(Duration::from_secs(10)).await;

    token.cancel();
    let err = call.await.unwrap().unwrap_err();

    assert!(err.is_cancelled());
    assert_eq!(started.elapsed(), Duration::from_secs(10));
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert_eq!(server.received().len(), 1, "no attempt after cancellation");
}

#[tokio::test(start_paused = true)]
async fn an_absurd_retry_after_is_capped() {
    let server = ScriptedServer::start(vec![
        Reply::error(429).header("Retry-After", "999999999"),
        Reply::accepted(),
    ])
    .await;

    terminate(&client(&server, &CountingAuth::default()))
        .await
        .unwrap();

    assert_eq!(gaps(&server), [Duration::from_secs(60)]);
}

#[tokio::test(start_paused = true)]
async fn the_retry_after_cap_is_configurable() {
    let server = ScriptedServer::start(vec![
        Reply::error(429).header("Retry-After", "600"),
        Reply::accepted(),
    ])
    .await;
    let strategy = BoxRetryStrategy::builder()
        .max_retry_after(Duration::from_secs(5))
        .build();
    let client = BoxClient::with_network_session(
        CountingAuth::default(),
        session(&server.base_url, |s| s.retry_strategy(strategy)),
    );

    terminate(&client).await.unwrap();

    assert_eq!(gaps(&server), [Duration::from_secs(5)]);
}

#[tokio::test(start_paused = true)]
async fn an_oversized_body_ends_the_call_without_a_retry_and_keeps_the_status() {
    let big = serde_json::json!({"message": "x".repeat(1024 * 1024)});
    let cases = [
        (common::ReplyKind::Sized, 202),
        (common::ReplyKind::Chunked, 202),
        (common::ReplyKind::Sized, 503),
        (common::ReplyKind::Chunked, 503),
    ];
    for (kind, status) in cases {
        let server = ScriptedServer::start(vec![Reply {
            kind,
            ..Reply::json(status, big.clone())
        }])
        .await;
        let client = BoxClient::with_network_session(
            CountingAuth::default(),
            session(&server.base_url, |s| s.max_response_bytes(64 * 1024)),
        );

        let err = terminate(&client).await.unwrap_err();

        assert_eq!(err.kind(), ErrorKind::ResponseTooLarge, "{kind:?}: {err:?}");
        assert_eq!(err.status(), Some(status), "{kind:?}");
        assert_eq!(
            err.to_string(),
            "the response body is larger than the configured limit"
        );
        assert_eq!(server.received().len(), 1);
    }
}

#[tokio::test(start_paused = true)]
async fn a_401_is_sent_again_once_after_refreshing_the_token() {
    let server = ScriptedServer::start(vec![Reply::error(401), Reply::accepted()]).await;
    let auth = CountingAuth::refreshable();

    terminate(&client(&server, &auth)).await.unwrap();

    let received = server.received();
    assert_eq!(received.len(), 2);
    assert_eq!(received[0].header("authorization"), Some("Bearer token-1"));
    assert_eq!(
        received[1].header("authorization"),
        Some("Bearer refreshed-1")
    );
    assert_eq!(auth.refreshed.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn a_second_401_is_final() {
    let server = ScriptedServer::start(vec![Reply::error(401)]).await;
    let auth = CountingAuth::refreshable();

    let err = terminate(&client(&server, &auth)).await.unwrap_err();

    assert_eq!(err.status(), Some(401));
    assert_eq!(server.received().len(), 2);
    assert_eq!(auth.refreshed.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn a_401_is_final_when_the_auth_cannot_refresh() {
    let server = ScriptedServer::start(vec![Reply::error(401)]).await;

    let err = terminate(&client(&server, &CountingAuth::default()))
        .await
        .unwrap_err();

    assert_eq!(err.status(), Some(401));
    assert_eq!(server.received().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_401_on_the_last_attempt_is_final() {
    let server = ScriptedServer::start(vec![Reply::error(401)]).await;
    let auth = CountingAuth::refreshable();
    let client = BoxClient::with_network_session(
        auth.clone(),
        session(&server.base_url, |s| {
            s.retry_strategy(BoxRetryStrategy::builder().max_attempts(1).build())
        }),
    );

    let err = terminate(&client).await.unwrap_err();

    assert_eq!(err.status(), Some(401));
    assert_eq!(server.received().len(), 1);
    assert_eq!(auth.refreshed.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn calls_refused_the_same_token_share_one_refresh() {
    // The first call's 401 is held back until the second call has been refused
    // the same token, has refreshed it and has been accepted.
    let gate = Arc::new(tokio::sync::Notify::new());
    let server = ScriptedServer::start(vec![
        Reply::error(401).held_until(&gate),
        Reply::error(401),
        Reply::accepted(),
        Reply::accepted(),
    ])
    .await;
    let auth = CountingAuth::refreshable();
    let client = client(&server, &auth);
    let first = tokio::spawn({
        let client = client.clone();
        async move { terminate(&client).await }
    });
    while server.received().is_empty() {
        tokio::task::yield_now().await;
    }

    terminate(&client).await.unwrap();
    gate.notify_one();
    first.await.unwrap().unwrap();

    let sent: Vec<_> = server
        .received()
        .iter()
        .map(|r| r.header("authorization").unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        sent,
        [
            "Bearer token-1",
            "Bearer token-1",
            "Bearer refreshed-1",
            "Bearer refreshed-1"
        ]
    );
    assert_eq!(auth.refreshed.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn an_undocumented_answer_whose_body_stalls_ends_with_the_attempt_timeout() {
    // 200 where the spec documents 202: the generated code leaves the body to the
    // transport, which reads it within what is left of the attempt's time.
    let server = ScriptedServer::start(vec![
        Reply::json(200, serde_json::json!({"message": "accepted, slowly"})).stalled_body(),
    ])
    .await;
    let client = BoxClient::with_network_session(
        CountingAuth::default(),
        session(&server.base_url, |s| {
            s.attempt_timeout(Some(Duration::from_millis(300)))
                .retry_strategy(BoxRetryStrategy::builder().max_attempts(1).build())
        }),
    );

    // Without a bound on the body, the call would never end; the outer timeout
    // turns that into a failure instead of a hung test.
    let err = tokio::time::timeout(Duration::from_secs(30), terminate(&client))
        .await
        .expect("the call ended")
        .unwrap_err();

    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_eq!(
        err.to_string(),
        "the answer's body did not arrive within the attempt timeout"
    );
    assert_eq!(server.received().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_failing_token_request_is_retried_once_over_not_once_per_attempt() {
    let server = ScriptedServer::start(vec![Reply::error(503)]).await;
    let auth = box_sdk_gen::auth::BoxCcgAuth::new(
        box_sdk_gen::auth::CcgConfig::new("client-id", "client-secret")
            .with_enterprise_id("enterprise-1"),
    );
    let client = BoxClient::with_network_session(auth, session(&server.base_url, |s| s));

    let err = terminate(&client).await.unwrap_err();

    // The token request made the strategy's five attempts; the operation itself
    // never got a token, so it neither sent anything nor asked for more.
    assert_eq!(err.status(), Some(503));
    let received = server.received();
    assert_eq!(received.len(), 5);
    assert!(
        received
            .iter()
            .all(|r| r.request_line == "POST /oauth2/token HTTP/1.1"),
        "{received:?}"
    );
}

//! The one request path every generated operation goes through.
//!
//! A facade method hands [`Api::call`] a closure that calls one generated
//! operation. `call` does what every operation needs: it checks cancellation, makes
//! attempts and retries them, enforces the timeouts, logs, and maps whatever came
//! back into the crate's [`BoxError`]. The generated code calls the `ClientHooks`
//! implemented here for every request: they get the access token, add the headers,
//! send the request to its operation's Box host and cap the size of the answer. A
//! new operation gets all of this by being generated: it carries no copy of its
//! own.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use progenitor_client::{ClientHooks, OperationInfo, ResponseValue};
use reqwest::header::{self, HeaderMap, HeaderValue};
use serde::de::DeserializeOwned;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::auth::Authentication;
use crate::errors::{ApiError, BoxError, ErrorKind};
use crate::generated;
use crate::network::{BaseUrlKind, BaseUrls, NetworkSession};
use crate::retries::{AttemptOutcome, RetryContext};
use crate::schemas::{ClientError, OAuth2Error};

/// `reqwest::Client::options`, which progenitor's generated code calls for OPTIONS
/// operations and reqwest does not have.
#[allow(
    dead_code,
    reason = "called by generated OPTIONS operations; the crate exposes none yet, and \
              `cargo xtask spec coverage` compiles it against Box's two"
)]
pub(crate) trait OptionsMethod {
    /// A request builder for an OPTIONS request to `url`.
    fn options<U: reqwest::IntoUrl>(&self, url: U) -> reqwest::RequestBuilder;
}

impl OptionsMethod for reqwest::Client {
    fn options<U: reqwest::IntoUrl>(&self, url: U) -> reqwest::RequestBuilder {
        self.request(reqwest::Method::OPTIONS, url)
    }
}

/// What the transport knows of an operation beyond its id; build.rs writes one
/// for every generated operation into `generated::OPERATIONS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OperationMeta {
    /// The Box host the operation is served from.
    pub(crate) base_url: BaseUrlKind,
    /// Whether requests carry the access token and the client's own headers.
    pub(crate) authenticated: bool,
    /// The request's content type when the generated code sends another: the
    /// normalizer generates JSON-patch bodies as JSON, and this restores the type
    /// Box expects on the wire.
    pub(crate) content_type: Option<&'static str>,
}

/// The metadata of `operation_id`; an unknown id is taken as an authenticated API
/// operation.
pub(crate) fn operation_meta(operation_id: &str) -> OperationMeta {
    generated::OPERATIONS
        .binary_search_by(|(id, _)| id.cmp(&operation_id))
        .map(|i| generated::OPERATIONS[i].1)
        .unwrap_or(OperationMeta {
            base_url: BaseUrlKind::Api,
            authenticated: true,
            content_type: None,
        })
}

/// An error body of Box's, as the generated code decodes it.
pub(crate) trait ErrorBody: DeserializeOwned {
    /// The crate's view of the error.
    fn into_api_error(self, status: u16, headers: HeaderMap) -> ApiError;
}

impl ErrorBody for ClientError {
    fn into_api_error(self, status: u16, headers: HeaderMap) -> ApiError {
        ApiError::from_client_error(status, headers, self)
    }
}

impl ErrorBody for OAuth2Error {
    fn into_api_error(self, status: u16, headers: HeaderMap) -> ApiError {
        ApiError::from_oauth2_error(status, headers, self)
    }
}

/// The `User-Agent` this SDK sends.
const USER_AGENT: &str = concat!("box-rust-generated-sdk/", env!("CARGO_PKG_VERSION"));

/// The `X-Box-UA` this SDK sends, in the form Box's own SDKs use.
const X_BOX_UA: &str = concat!(
    "agent=box-rust-generated-sdk/",
    env!("CARGO_PKG_VERSION"),
    "; env=rust/",
    env!("BOX_SDK_RUSTC_VERSION")
);

/// Per-client state the generated client carries to the hooks. Cloning it is
/// cheap, and clones share everything.
#[derive(Debug, Clone)]
pub(crate) struct Transport {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    auth: Arc<dyn Authentication>,
    network: NetworkSession,
    /// The client's own headers, As-User and the like, sent with authenticated
    /// operations only.
    client_headers: HeaderMap,
    /// Sent with every request: the SDK's identification, then the session's
    /// additional headers. Built once per client.
    headers: HeaderMap,
    /// The last access token and its `Authorization` value, so that a token used
    /// again is not formatted and validated again on every call.
    authorization: Mutex<Option<(secrecy::SecretString, HeaderValue)>>,
}

/// The generated client with its transport: what a manager holds to call Box.
#[derive(Debug, Clone)]
pub(crate) struct Api {
    client: Arc<generated::Client>,
}

impl Api {
    /// A client sending with `auth` through `network`, adding `client_headers` to
    /// every request.
    pub(crate) fn new(
        auth: Arc<dyn Authentication>,
        network: NetworkSession,
        client_headers: HeaderMap,
    ) -> Self {
        let mut headers = HeaderMap::new();
        headers.insert(header::USER_AGENT, HeaderValue::from_static(USER_AGENT));
        headers.insert("x-box-ua", HeaderValue::from_static(X_BOX_UA));
        for (name, value) in network.additional_headers() {
            headers.insert(name, value.clone());
        }
        let base_url = network.base_urls().base_url.clone();
        let http = network.http().clone();
        let transport = Transport {
            shared: Arc::new(Shared {
                auth,
                network,
                client_headers,
                headers,
                authorization: Mutex::new(None),
            }),
        };
        Self {
            client: Arc::new(generated::Client::new_with_client(
                &base_url, http, transport,
            )),
        }
    }

    pub(crate) fn auth(&self) -> &Arc<dyn Authentication> {
        &self.client.inner.shared.auth
    }

    pub(crate) fn network(&self) -> &NetworkSession {
        &self.client.inner.shared.network
    }

    /// The headers this client adds beyond the session's: As-User and the like.
    pub(crate) fn client_headers(&self) -> &HeaderMap {
        &self.client.inner.shared.client_headers
    }

    /// The generated client, whose operations [`call`](Self::call) runs.
    pub(crate) fn generated(&self) -> &generated::Client {
        &self.client
    }

    /// Runs one generated operation as one call: every attempt, retry and wait.
    ///
    /// `send` starts the operation on [`generated`](Self::generated); it is a
    /// closure so that each attempt builds the request anew, with the same body and
    /// a fresh `Authorization`. `extra_headers` are the call's own headers, sent
    /// last. A cancelled `cancellation` ends the call at once, whether it is waiting
    /// for Box or between attempts, and no further attempt is made.
    pub(crate) async fn call<T, E, F, Fut>(
        &self,
        extra_headers: &std::collections::BTreeMap<String, String>,
        cancellation: Option<&CancellationToken>,
        send: F,
    ) -> Result<T, BoxError>
    where
        T: DeserializeOwned,
        E: ErrorBody,
        F: Fn() -> Fut,
        Fut: Future<Output = Result<ResponseValue<T>, progenitor_client::Error<E>>>,
    {
        if cancellation.is_some_and(CancellationToken::is_cancelled) {
            return Err(BoxError::cancelled());
        }
        let headers = crate::network::header_map(extra_headers)?;
        // INFO, so that a subscriber at the usual INFO level shows every retry's
        // WARN inside the operation it belongs to; the per-attempt events are DEBUG.
        let span = tracing::info_span!(
            "box_operation",
            operation_id = tracing::field::Empty,
            method = tracing::field::Empty,
            path = tracing::field::Empty,
            attempts = tracing::field::Empty,
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        let started = Instant::now();

        // Pinned in place, and awaited through a pointer below: moved into the
        // timeout or the select by value, the attempts' future (kilobytes: it
        // holds the request in flight) would be copied, and stored twice.
        let mut attempts = std::pin::pin!(self.attempts(&headers, &send).instrument(span.clone()));
        let bounded = async {
            let attempts = attempts.as_mut();
            match self.network().deadline() {
                Some(deadline) => tokio::time::timeout(deadline, attempts)
                    .await
                    .unwrap_or_else(|_| {
                        Err(BoxError::new(
                            ErrorKind::Timeout,
                            format!("the call did not finish within its deadline of {deadline:?}"),
                        ))
                    }),
                None => attempts.await,
            }
        };
        // Without a token there is nothing to wait on: the call is not wrapped.
        let result = match cancellation {
            Some(token) => tokio::select! {
                biased;
                () = token.cancelled() => Err(BoxError::cancelled()),
                result = bounded => result,
            },
            None => bounded.await,
        };

        span.record("duration_ms", started.elapsed().as_millis() as u64);
        if let Err(error) = &result {
            span.in_scope(|| tracing::debug!(kind = ?error.kind(), "the operation failed"));
        }
        result
    }

    /// Makes attempts until one ends the call.
    async fn attempts<T, E, F, Fut>(&self, headers: &HeaderMap, send: &F) -> Result<T, BoxError>
    where
        T: DeserializeOwned,
        E: ErrorBody,
        F: Fn() -> Fut,
        Fut: Future<Output = Result<ResponseValue<T>, progenitor_client::Error<E>>>,
    {
        let network = self.network();
        let strategy = network.retry_strategy();
        let span = tracing::Span::current();
        let mut attempt = 0u32;
        let mut network_failures = 0u32;
        let mut refreshed = false;
        loop {
            attempt += 1;
            span.record("attempts", attempt);
            let context = Arc::new(CallContext::new(headers.clone()));
            let started = Instant::now();
            let (result, mut seen) = CALL
                .scope(context, async {
                    // Pinned in place for the same reason as the attempts' future.
                    let operation = std::pin::pin!(send());
                    let result = match network.attempt_timeout() {
                        Some(limit) => tokio::time::timeout(limit, operation)
                            .await
                            .map_err(|_| limit),
                        None => Ok(operation.await),
                    };
                    (result, CALL.with(|call| call.take_seen()))
                })
                .await;
            let method = seen.method.take().unwrap_or_default();
            let method = method.as_str();
            let sent_authorization = seen.authorization.take();
            // The token request behind a failed `pre` hook made its own attempts
            // through this same loop; retrying here would multiply them.
            let token_failed = seen.auth_error.is_some();
            let attempt_deadline = network.attempt_timeout().map(|limit| started + limit);

            let error = match result {
                Ok(Ok(value)) => {
                    let status = value.status().as_u16();
                    record_answer(&span, attempt, status, value.headers(), started);
                    let retry_after = header_text(value.headers(), header::RETRY_AFTER);
                    let context = RetryContext {
                        method,
                        attempt,
                        network_failures,
                        token_refreshable: false,
                        outcome: AttemptOutcome::Response {
                            status,
                            retry_after: retry_after.as_deref(),
                        },
                    };
                    if !strategy.should_retry(&context) {
                        return Ok(value.into_inner());
                    }
                    let delay = strategy.retry_after(&context);
                    wait_before_retry(attempt, &format!("status {status} with Retry-After"), delay)
                        .await;
                    continue;
                }
                Ok(Err(error)) => match self.map_error(error, seen, attempt_deadline).await {
                    Ok(value) => return Ok(value),
                    Err(error) => error,
                },
                Err(limit) => BoxError::new(
                    ErrorKind::Timeout,
                    format!("no answer came within the attempt timeout of {limit:?}"),
                ),
            };
            record_failure(&span, attempt, &error, started);

            if token_failed {
                return Err(error);
            }
            let Some(outcome) = failure_outcome(&error) else {
                return Err(self.with_hint(error));
            };
            if matches!(
                outcome,
                AttemptOutcome::NetworkError | AttemptOutcome::Timeout
            ) {
                network_failures += 1;
            }
            let unauthorized = error.status() == Some(401);
            let context = RetryContext {
                method,
                attempt,
                network_failures,
                // A 401 may only mean the token expired: one new token per call.
                token_refreshable: unauthorized && !refreshed && self.auth().can_refresh(),
                outcome,
            };
            if !strategy.should_retry(&context) {
                return Err(self.with_hint(error));
            }
            let delay = strategy.retry_after(&context);
            if context.token_refreshable {
                refreshed = true;
                wait_before_retry(attempt, "status 401, after refreshing the token", delay).await;
                if !self.token_replaced(sent_authorization.as_ref()).await {
                    self.auth().refresh_token(network).await?;
                }
                continue;
            }
            let reason = match outcome {
                AttemptOutcome::Response { status, .. } => format!("status {status}"),
                AttemptOutcome::Timeout => "timeout".to_string(),
                _ => "network error".to_string(),
            };
            wait_before_retry(attempt, &reason, delay).await;
        }
    }

    /// Whether the authentication now hands out another token than the refused
    /// `sent` one. Calls refused the same token at about the same moment then
    /// share one refresh: the first refreshes, and those whose 401 arrives after it
    /// send its token instead of asking for yet another.
    async fn token_replaced(&self, sent: Option<&HeaderValue>) -> bool {
        let Some(sent) = sent else {
            return false;
        };
        match authorization(&self.client.inner.shared).await {
            Ok(current) => current != sent,
            Err(_) => false,
        }
    }

    fn with_hint(&self, error: BoxError) -> BoxError {
        match (error.status(), self.auth().unauthorized_hint()) {
            (Some(401), Some(hint)) => error.with_hint(hint),
            _ => error,
        }
    }

    /// Maps a failure of the generated operation into the crate's error, or into a
    /// success the generated code did not expect (a 2xx the spec does not list).
    ///
    /// `response` is the status and headers the `post` hook saw, for the cases
    /// where the generated code does not say which status it was decoding.
    ///
    /// A body the generated code left unread is read by `attempt_deadline`, so that
    /// an answer whose body stalls still ends with the attempt's timeout.
    async fn map_error<T: DeserializeOwned, B: ErrorBody>(
        &self,
        error: progenitor_client::Error<B>,
        seen: Seen,
        attempt_deadline: Option<Instant>,
    ) -> Result<T, BoxError> {
        use progenitor_client::Error as E;

        Err(match error {
            E::ErrorResponse(value) => {
                let status = value.status().as_u16();
                let headers = value.headers().clone();
                BoxError::api(value.into_inner().into_api_error(status, headers))
            }
            E::InvalidResponsePayload(body, source) => match seen.response {
                Some((status, _)) if (200..300).contains(&status) => {
                    BoxError::decode(status, &body, source)
                }
                Some((status, headers)) => {
                    BoxError::api(ApiError::from_raw(status, headers, &body))
                }
                // Unreachable while the `post` hook records every response.
                None => BoxError::new(ErrorKind::Decode, "cannot decode the response body")
                    .with_source(source),
            },
            // A status the spec does not list. A 2xx is still a success, as Box's
            // own SDKs treat it (a 200 where 202 is documented, say); anything
            // else is an error whose body is kept.
            E::UnexpectedResponse(response) => {
                let status = response.status().as_u16();
                let headers = response.headers().clone();
                let body = match attempt_deadline {
                    Some(deadline) => tokio::time::timeout_at(deadline, response.bytes())
                        .await
                        .map_err(|_| {
                            BoxError::new(
                                ErrorKind::Timeout,
                                "the answer's body did not arrive within the attempt timeout",
                            )
                        })?,
                    None => response.bytes().await,
                }
                .map_err(|e| BoxError::from_reqwest(e).with_status(status))?;
                if (200..300).contains(&status) {
                    return serde_json::from_slice(&body)
                        .map_err(|e| BoxError::decode(status, &body, e));
                }
                BoxError::api(ApiError::from_raw(status, headers, &body))
            }
            // The answer came, but its body could not be read: keep its status.
            E::ResponseBodyError(e) => match seen.response {
                Some((status, _)) => BoxError::from_reqwest(e).with_status(status),
                None => BoxError::from_reqwest(e),
            },
            E::CommunicationError(e) | E::InvalidUpgrade(e) => BoxError::from_reqwest(e),
            // The `pre` hook could not get an access token; it kept the error.
            E::Custom(_) if seen.auth_error.is_some() => seen
                .auth_error
                .unwrap_or_else(|| BoxError::configuration("authentication failed")),
            E::InvalidRequest(message) | E::Custom(message) => BoxError::invalid_argument(message),
        })
    }
}

/// What a retry strategy needs to know of a failed attempt; `None` for errors no
/// retry can help (bad arguments, undecodable or oversized bodies).
fn failure_outcome(error: &BoxError) -> Option<AttemptOutcome<'_>> {
    match error.kind() {
        ErrorKind::Api => {
            let api = error.api_error()?;
            Some(AttemptOutcome::Response {
                status: api.status(),
                retry_after: api.header("retry-after"),
            })
        }
        ErrorKind::Network => Some(AttemptOutcome::NetworkError),
        ErrorKind::Timeout => Some(AttemptOutcome::Timeout),
        _ => None,
    }
}

/// Logs a retry with its reason and delay, then waits the delay.
async fn wait_before_retry(attempt: u32, reason: &str, delay: Duration) {
    tracing::warn!(
        attempt,
        reason,
        delay_ms = delay.as_millis() as u64,
        "retrying the operation"
    );
    tokio::time::sleep(delay).await;
}

/// Records a successful answer on the operation's span, and logs the attempt.
fn record_answer(
    span: &tracing::Span,
    attempt: u32,
    status: u16,
    headers: &HeaderMap,
    started: Instant,
) {
    span.record("status", status);
    if !span.is_disabled()
        && let Some(id) = headers.get("box-request-id").and_then(|v| v.to_str().ok())
    {
        span.record("request_id", id);
    }
    tracing::debug!(
        attempt,
        status,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "attempt answered"
    );
}

/// Records a failed attempt on the operation's span, and logs it.
fn record_failure(span: &tracing::Span, attempt: u32, error: &BoxError, started: Instant) {
    let elapsed_ms = started.elapsed().as_millis() as u64;
    let Some(api) = error.api_error() else {
        tracing::debug!(attempt, kind = ?error.kind(), elapsed_ms, "attempt failed");
        return;
    };
    span.record("status", api.status());
    if let Some(id) = api.request_id().or_else(|| api.header("box-request-id")) {
        span.record("request_id", id);
    }
    tracing::debug!(
        attempt,
        status = api.status(),
        code = api.code().unwrap_or(""),
        elapsed_ms,
        "attempt answered with an error"
    );
}

fn header_text(headers: &HeaderMap, name: impl header::AsHeaderName) -> Option<String> {
    headers.get(name)?.to_str().ok().map(str::to_string)
}

tokio::task_local! {
    /// What the hooks need to know about the attempt they run in.
    // An `Arc`, because tokio swaps a task-local in and out on every poll: a
    // pointer is cheaper to move than the context.
    static CALL: Arc<CallContext>;
}

/// One attempt's state, shared between the transport and the hooks.
struct CallContext {
    extra_headers: HeaderMap,
    /// What the hooks saw of the request and the response.
    seen: Mutex<Seen>,
}

/// What the hooks saw during one attempt.
#[derive(Default)]
struct Seen {
    method: Option<reqwest::Method>,
    response: Option<(u16, HeaderMap)>,
    /// The `Authorization` value the attempt sent, to tell after a 401 whether
    /// another call has replaced the token since.
    authorization: Option<HeaderValue>,
    /// Why the access token could not be had; the hook can only return a string.
    auth_error: Option<BoxError>,
}

impl CallContext {
    fn new(extra_headers: HeaderMap) -> Self {
        Self {
            extra_headers,
            seen: Mutex::new(Seen::default()),
        }
    }

    fn update(&self, change: impl FnOnce(&mut Seen)) {
        if let Ok(mut seen) = self.seen.lock() {
            change(&mut seen);
        }
    }

    fn take_seen(&self) -> Seen {
        self.seen
            .lock()
            .map(|mut seen| std::mem::take(&mut *seen))
            .unwrap_or_default()
    }
}

impl ClientHooks<Transport> for generated::Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        let shared = &self.inner.shared;
        let meta = operation_meta(info.operation_id);
        let authorization = if meta.authenticated {
            match authorization(shared).await {
                Ok(value) => Some(value),
                Err(error) => {
                    let _ = CALL.try_with(|call| call.update(|seen| seen.auth_error = Some(error)));
                    return Err(progenitor_client::Error::Custom(
                        "cannot get an access token".into(),
                    ));
                }
            }
        } else {
            None
        };

        let method = request.method().clone();
        let headers = request.headers_mut();
        // progenitor's `api-version` header is removed from the generated code
        // (`xtask/src/generator.rs`), so nothing needs removing here.
        for (name, value) in &shared.headers {
            headers.insert(name, value.clone());
        }
        if let Some(content_type) = meta.content_type {
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        }
        // As-User and the other client headers are for API calls only: the token
        // endpoints must not see them (Box's own SDKs send them there).
        if let Some(authorization) = &authorization {
            for (name, value) in &shared.client_headers {
                headers.insert(name, value.clone());
            }
            headers.insert(header::AUTHORIZATION, authorization.clone());
        }
        CALL.try_with(|call| {
            for (name, value) in &call.extra_headers {
                headers.insert(name, value.clone());
            }
            call.update(|seen| {
                seen.method = Some(method);
                seen.authorization = authorization;
            });
        })
        .map_err(|_| {
            progenitor_client::Error::Custom("an operation ran outside `Api::call`".into())
        })?;
        route_to_host(request, shared.network.base_urls(), meta.base_url)
            .map_err(progenitor_client::Error::InvalidRequest)?;

        // The path names the operation's resource; the query could hold personal
        // data (logins in a filter), so it is not logged.
        let span = tracing::Span::current();
        span.record("operation_id", info.operation_id);
        span.record("method", request.method().as_str());
        span.record("path", request.url().path());
        Ok(())
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let response = self.client.execute(request).await?;
        Ok(limit_body(
            response,
            self.inner.shared.network.max_response_bytes(),
        ))
    }

    async fn post<E>(
        &self,
        result: &reqwest::Result<reqwest::Response>,
        _info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        if let Ok(response) = result {
            // Error mapping needs the headers of an error answer only; a success's
            // status is enough, and copying its headers on every call is not free.
            let status = response.status();
            let headers = if status.is_success() {
                HeaderMap::new()
            } else {
                response.headers().clone()
            };
            let _ = CALL.try_with(|call| {
                call.update(|seen| seen.response = Some((status.as_u16(), headers)))
            });
        }
        Ok(())
    }
}

/// Reads and decodes an answer's JSON body, for the generated operations.
///
/// The generator puts this in place of progenitor's `ResponseValue::from_response`
/// (`xtask/src/generator.rs`), whose signature and errors it keeps: a body that
/// cannot be read is `ResponseBodyError`, and one that does not decode is
/// `InvalidResponsePayload` with the body. It moves the headers out of the
/// response, where progenitor's copies them on every call.
///
/// An error answer whose JSON has none of the fields of its error type (`{}`, or a
/// proxy's `{"error": "upstream"}` where Box's `ClientError` is expected) decodes,
/// because every field is optional, yet says nothing. It is reported as not
/// decoding, so that the error keeps the body and reads what it can of it.
pub(crate) async fn decode_response<T: DeserializeOwned + serde::Serialize, E>(
    response: reqwest::Response,
) -> Result<ResponseValue<T>, progenitor_client::Error<E>> {
    use http_body_util::BodyExt;

    let response: http::Response<reqwest::Body> = response.into();
    let (parts, body) = response.into_parts();
    let full = body
        .collect()
        .await
        .map_err(progenitor_client::Error::ResponseBodyError)?
        .to_bytes();

    let inner: T = match serde_json::from_slice(&full) {
        Ok(inner) => inner,
        Err(e) => return Err(progenitor_client::Error::InvalidResponsePayload(full, e)),
    };
    if !parts.status.is_success() && says_nothing(&inner) {
        let e = <serde_json::Error as serde::de::Error>::custom(
            "the error body has none of the fields of Box's error",
        );
        return Err(progenitor_client::Error::InvalidResponsePayload(full, e));
    }
    Ok(ResponseValue::new(inner, parts.status, parts.headers))
}

/// Whether `value` serializes to an empty object: no field of its type was set.
fn says_nothing<T: serde::Serialize>(value: &T) -> bool {
    serde_json::to_value(value).is_ok_and(|v| v.as_object().is_some_and(|o| o.is_empty()))
}

/// The `Authorization` value for the next attempt, marked sensitive so that no
/// `Debug` of the request shows it.
async fn authorization(shared: &Shared) -> Result<HeaderValue, BoxError> {
    use secrecy::ExposeSecret;

    let token = shared.auth.retrieve_token(&shared.network).await?;
    let secret = token.access_token().expose_secret();
    if let Ok(cache) = shared.authorization.lock()
        && let Some((cached, value)) = cache.as_ref()
        && cached.expose_secret() == secret
    {
        return Ok(value.clone());
    }
    let mut value = HeaderValue::from_str(&format!("Bearer {secret}")).map_err(|_| {
        BoxError::configuration("the access token has characters HTTP cannot carry")
    })?;
    value.set_sensitive(true);
    if let Ok(mut cache) = shared.authorization.lock() {
        *cache = Some((token.access_token().clone(), value.clone()));
    }
    Ok(value)
}

/// Caps how much of `response`'s body can be read at `limit` bytes.
///
/// The generated code reads whole bodies into memory; with this, a body over the
/// limit fails with `LengthLimitError` at the chunk that crosses it, and one that
/// declares a larger `Content-Length` fails at its first chunk. A body whose
/// declared length is within the limit is left as it is: HTTP framing stops it at
/// that length, and re-wrapping it would cost every call.
fn limit_body(response: reqwest::Response, limit: usize) -> reqwest::Response {
    let limit = match response.content_length() {
        Some(length) if length <= limit as u64 => return response,
        Some(_) => 0,
        None => limit,
    };
    let response: http::Response<reqwest::Body> = response.into();
    let (parts, body) = response.into_parts();
    let body = reqwest::Body::wrap(http_body_util::Limited::new(body, limit));
    reqwest::Response::from(http::Response::from_parts(parts, body))
}

/// Moves a request built on the API base URL onto the base URL of `kind`.
pub(crate) fn route_to_host(
    request: &mut reqwest::Request,
    base_urls: &BaseUrls,
    kind: BaseUrlKind,
) -> Result<(), String> {
    if kind == BaseUrlKind::Api {
        return Ok(());
    }
    let url = request.url().as_str();
    let path = url
        .strip_prefix(base_urls.base_url.as_str())
        .ok_or_else(|| {
            format!(
                "the request URL is not under the API base URL {}",
                base_urls.base_url
            )
        })?;
    let moved = format!("{}{path}", base_urls.get(kind));
    *request.url_mut() = reqwest::Url::parse(&moved)
        .map_err(|e| format!("invalid {kind:?} base URL {}: {e}", base_urls.get(kind)))?;
    Ok(())
}

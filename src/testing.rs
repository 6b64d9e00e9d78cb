//! A fake Box API on loopback, for trying the SDK without a Box account and for
//! testing code that uses it without mocking HTTP by hand.
//!
//! [`Sandbox`] is a real HTTP server (hyper, on `127.0.0.1`) running in the
//! caller's tokio runtime. It behaves like Box for the operations this crate has:
//! it checks the bearer token, the content type and the body of the session
//! termination calls and answers as Box does; it answers `GET /2.0/users/me`; it serves `/oauth2/token` and
//! `/oauth2/revoke` for every authentication flow; it records every request; and
//! it can be told to fail a given request with a [`Fault`]. Enabled by the
//! `test-util` feature.
//!
//! # Example
//! ```
//! use box_sdk_gen::schemas::CreateGroupTerminateSessionRequestBody;
//! use box_sdk_gen::testing::{Fault, Sandbox};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), box_sdk_gen::errors::BoxError> {
//! let sandbox = Sandbox::start().await?;
//! sandbox.fail_request(1, Fault::too_many_requests(0));
//! let client = sandbox.client()?;
//!
//! let body = CreateGroupTerminateSessionRequestBody::new(["42"]);
//! let message = client
//!     .session_termination
//!     .create_group_terminate_session(&body, Default::default(), None)
//!     .await?;
//!
//! assert!(message.message.unwrap().starts_with("Request is successful"));
//! let requests = sandbox.requests();
//! assert_eq!(requests.len(), 2, "the 429 was retried");
//! assert_eq!(requests[1].path, "/2.0/groups/terminate_sessions");
//! # Ok(())
//! # }
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use serde_json::{Value, json};

use crate::auth::{BoxDeveloperTokenAuth, CcgConfig, OAuthConfig};
use crate::client::BoxClient;
use crate::errors::BoxError;
use crate::network::{BaseUrls, NetworkSession};

/// The developer token the sandbox accepts.
pub const DEVELOPER_TOKEN: &str = "sandbox-developer-token";
/// The client ID of the sandbox's app, for CCG, JWT and OAuth 2.0.
pub const CLIENT_ID: &str = "sandbox-client-id";
/// The client secret of the sandbox's app.
pub const CLIENT_SECRET: &str = "sandbox-client-secret";
/// The enterprise the sandbox's app belongs to.
pub const ENTERPRISE_ID: &str = "sandbox-enterprise";
/// The authorization code the sandbox accepts in the OAuth 2.0 code exchange.
pub const AUTHORIZATION_CODE: &str = "sandbox-authorization-code";

/// The message Box answers a session termination with.
pub const TERMINATION_MESSAGE: &str =
    "Request is successful, please check the admin events for the status of the job";

/// The largest request body the sandbox reads.
const MAX_REQUEST_BYTES: usize = 16 * 1024 * 1024;

/// How long tokens the sandbox issues last, as Box's do.
const TOKEN_LIFETIME_SECONDS: u64 = 3600;

/// A failure the sandbox answers a request with instead of its normal answer.
///
/// # Example
/// ```
/// use box_sdk_gen::testing::Fault;
///
/// let faults = [
///     Fault::too_many_requests(1),
///     Fault::status(503, "unavailable", "Unavailable"),
///     Fault::slow(std::time::Duration::from_secs(2)),
///     Fault::MalformedBody,
/// ];
/// # let _ = faults;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// An error status with a Box error body, and `Retry-After` when given.
    Status {
        /// The HTTP status.
        status: u16,
        /// Box's error code.
        code: String,
        /// Box's message.
        message: String,
        /// The `Retry-After` value, in seconds.
        retry_after: Option<u64>,
    },
    /// The normal answer, after a delay (on tokio's clock).
    Slow(Duration),
    /// A 202 whose body is not JSON.
    MalformedBody,
    /// A 502 with an HTML body, as a proxy in front of Box sends.
    HtmlBadGateway,
}

impl Fault {
    /// 429 `rate_limit_exceeded` with `Retry-After: seconds`.
    pub fn too_many_requests(seconds: u64) -> Self {
        Self::Status {
            status: 429,
            code: "rate_limit_exceeded".into(),
            message: "Request rate limit exceeded, please try again later".into(),
            retry_after: Some(seconds),
        }
    }

    /// An error `status` with Box's `code` and `message`.
    pub fn status(status: u16, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Status {
            status,
            code: code.into(),
            message: message.into(),
            retry_after: None,
        }
    }

    /// 401 `unauthorized`, as for an expired token.
    pub fn unauthorized() -> Self {
        Self::status(401, "unauthorized", "Unauthorized")
    }

    /// The normal answer after `delay`.
    pub fn slow(delay: Duration) -> Self {
        Self::Slow(delay)
    }
}

/// A request the sandbox received.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// The method, upper case.
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The headers, names lowercased, in arrival order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl RecordedRequest {
    /// The value of header `name` (lowercase).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON, if it is.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

#[derive(Debug, Default)]
struct State {
    requests: Vec<RecordedRequest>,
    /// API requests answered so far, for numbering faults.
    api_requests: usize,
    /// Faults by the 1-based number of the API request they answer.
    faults: BTreeMap<usize, Fault>,
    /// Access tokens issued by the token endpoint and not revoked.
    tokens: BTreeSet<String>,
    /// Refresh tokens issued and not used.
    refresh_tokens: BTreeSet<String>,
    issued: usize,
}

/// A fake Box API on `127.0.0.1`, stopped when dropped.
///
/// See the [module docs](self) for what it does.
#[derive(Debug)]
pub struct Sandbox {
    base_url: String,
    state: Arc<Mutex<State>>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl Sandbox {
    /// Starts a sandbox on a free loopback port, in the current tokio runtime.
    ///
    /// # Errors
    /// A network error when no loopback port can be bound.
    pub async fn start() -> Result<Self, BoxError> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| {
                BoxError::new(
                    crate::errors::ErrorKind::Network,
                    "cannot bind a loopback port",
                )
                .with_source(e)
            })?;
        let address = listener.local_addr().map_err(|e| {
            BoxError::new(
                crate::errors::ErrorKind::Network,
                "cannot read the bound port",
            )
            .with_source(e)
        })?;
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        let server = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let state = shared.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |request| {
                        let state = state.clone();
                        async move { Ok::<_, Infallible>(answer(&state, request).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(Self {
            base_url: format!("http://{address}"),
            state,
            server,
        })
    }

    /// The sandbox's URL, `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Base URLs that send every Box host to the sandbox.
    pub fn base_urls(&self) -> BaseUrls {
        BaseUrls::default()
            .with_base_url(&self.base_url)
            .with_upload_url(format!("{}/api", self.base_url))
            .with_oauth2_url(format!("{}/api/oauth2", self.base_url))
    }

    /// A network session on the sandbox, with the SDK's other defaults.
    ///
    /// # Errors
    /// A configuration error when the HTTP client cannot be built.
    pub fn network_session(&self) -> Result<NetworkSession, BoxError> {
        NetworkSession::builder()
            .base_urls(self.base_urls())
            .build()
    }

    /// A client on the sandbox, authenticated with its developer token.
    ///
    /// # Errors
    /// A configuration error when the HTTP client cannot be built.
    pub fn client(&self) -> Result<BoxClient, BoxError> {
        Ok(BoxClient::with_network_session(
            BoxDeveloperTokenAuth::new(DEVELOPER_TOKEN),
            self.network_session()?,
        ))
    }

    /// The Client Credentials Grant settings of the sandbox's app.
    pub fn ccg_config(&self) -> CcgConfig {
        CcgConfig::new(CLIENT_ID, CLIENT_SECRET).with_enterprise_id(ENTERPRISE_ID)
    }

    /// The OAuth 2.0 settings of the sandbox's app; exchange
    /// [`AUTHORIZATION_CODE`] for tokens.
    pub fn oauth_config(&self) -> OAuthConfig {
        OAuthConfig::new(CLIENT_ID, CLIENT_SECRET)
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.lock().requests.clone()
    }

    /// Answers the `nth` API request (counting from 1, token endpoint requests
    /// not counted) with `fault`.
    pub fn fail_request(&self, nth: usize, fault: Fault) {
        self.lock().faults.insert(nth, fault);
    }

    /// Answers the next API request with `fault`.
    pub fn fail_next(&self, fault: Fault) {
        let mut state = self.lock();
        let next = state.api_requests + 1;
        state.faults.insert(next, fault);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        lock(&self.state)
    }
}

type Answer = Response<Full<Bytes>>;

/// Locks the state; a test that panicked while holding it leaves it usable.
fn lock(state: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

async fn answer(state: &Mutex<State>, request: Request<Incoming>) -> Answer {
    let method = request.method().as_str().to_string();
    let path = request.uri().path().to_string();
    let headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into(),
            )
        })
        .collect();
    let body = match Limited::new(request.into_body(), MAX_REQUEST_BYTES)
        .collect()
        .await
    {
        Ok(collected) => collected.to_bytes().to_vec(),
        Err(_) => return box_error(413, "request_too_large", "Request body is too large", None),
    };
    let recorded = RecordedRequest {
        method,
        path,
        headers,
        body,
    };
    lock(state).requests.push(recorded.clone());

    if recorded.path.starts_with("/oauth2/") {
        return token_endpoint(&mut lock(state), &recorded);
    }
    let fault = {
        let mut state = lock(state);
        state.api_requests += 1;
        let number = state.api_requests;
        state.faults.remove(&number)
    };
    match fault {
        Some(Fault::Status {
            status,
            code,
            message,
            retry_after,
        }) => box_error(status, &code, &message, retry_after),
        Some(Fault::Slow(delay)) => {
            tokio::time::sleep(delay).await;
            api(&lock(state), &recorded)
        }
        Some(Fault::MalformedBody) => response(202, "application/json", "{\"message\": "),
        Some(Fault::HtmlBadGateway) => response(
            502,
            "text/html",
            "<html><head><title>502 Bad Gateway</title></head></html>",
        ),
        None => api(&lock(state), &recorded),
    }
}

/// The session termination operations, checked as Box checks them.
fn api(state: &State, request: &RecordedRequest) -> Answer {
    let token = request
        .header("authorization")
        .and_then(|v| v.strip_prefix("Bearer "));
    let authorized = token.is_some_and(|t| t == DEVELOPER_TOKEN || state.tokens.contains(t));
    if !authorized {
        return box_error(401, "unauthorized", "Unauthorized", None);
    }
    if (request.method.as_str(), request.path.as_str()) == ("GET", "/2.0/users/me") {
        return json_response(200, &current_user(request.header("as-user")));
    }
    let (field_names, empty, format) = match (request.method.as_str(), request.path.as_str()) {
        ("POST", "/2.0/users/terminate_sessions") => (
            &["user_ids", "user_logins"][..],
            "Users can not be NULL or EMPTY",
            "User id format is string",
        ),
        ("POST", "/2.0/groups/terminate_sessions") => (
            &["group_ids"][..],
            "Groups can not be NULL or EMPTY",
            "group id format is string",
        ),
        _ => return box_error(404, "not_found", "Not Found", None),
    };
    let is_json = request
        .header("content-type")
        .is_some_and(|v| v.starts_with("application/json"));
    let Some(Value::Object(body)) = request.json().filter(|_| is_json) else {
        return box_error(400, "bad_request", "Supported payload format is JSON", None);
    };
    let mut named = 0;
    for name in field_names {
        match body.get(*name) {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) if items.iter().all(Value::is_string) => named += items.len(),
            Some(_) => return box_error(400, "bad_request", format, None),
        }
    }
    if named == 0 {
        return box_error(400, "bad_request", empty, None);
    }
    json_response(202, &json!({ "message": TERMINATION_MESSAGE }))
}

/// The user `GET /2.0/users/me` answers with: the sandbox's administrator, or the
/// As-User.
fn current_user(as_user: Option<&str>) -> Value {
    match as_user {
        Some(id) => json!({
            "type": "user",
            "id": id,
            "name": format!("Sandbox User {id}"),
            "login": format!("user-{id}@sandbox.example"),
            "role": "user",
            "status": "active"
        }),
        None => json!({
            "type": "user",
            "id": "sandbox-admin",
            "name": "Sandbox Admin",
            "login": "admin@sandbox.example",
            "role": "admin",
            "status": "active"
        }),
    }
}

/// `/oauth2/token` and `/oauth2/revoke` for the sandbox's app.
fn token_endpoint(state: &mut State, request: &RecordedRequest) -> Answer {
    let form: BTreeMap<String, String> = url::form_urlencoded::parse(&request.body)
        .into_owned()
        .collect();
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or("");
    let client_ok = field("client_id") == CLIENT_ID && field("client_secret") == CLIENT_SECRET;
    match request.path.as_str() {
        "/oauth2/revoke" => {
            if !client_ok {
                return oauth_error("invalid_client", "The client credentials are invalid");
            }
            state.tokens.remove(field("token"));
            response(200, "application/json", "")
        }
        "/oauth2/token" => {
            let granted = match field("grant_type") {
                "client_credentials" => {
                    client_ok
                        && matches!(field("box_subject_type"), "enterprise" | "user")
                        && !field("box_subject_id").is_empty()
                }
                // The sandbox does not know the app's public key, so it checks the
                // assertion's shape, not its signature.
                "urn:ietf:params:oauth:grant-type:jwt-bearer" => {
                    client_ok && field("assertion").split('.').count() == 3
                }
                "authorization_code" => client_ok && field("code") == AUTHORIZATION_CODE,
                "refresh_token" => client_ok && state.refresh_tokens.remove(field("refresh_token")),
                "urn:ietf:params:oauth:grant-type:token-exchange" => {
                    state.tokens.contains(field("subject_token"))
                        || field("subject_token") == DEVELOPER_TOKEN
                }
                _ => {
                    return oauth_error(
                        "unsupported_grant_type",
                        "The grant type is not supported",
                    );
                }
            };
            if !granted {
                return oauth_error(
                    "invalid_grant",
                    "The grant is invalid or the client is unknown",
                );
            }
            state.issued += 1;
            let token = format!("sandbox-access-token-{}", state.issued);
            let refresh = format!("sandbox-refresh-token-{}", state.issued);
            state.tokens.insert(token.clone());
            state.refresh_tokens.insert(refresh.clone());
            json_response(
                200,
                &json!({
                    "access_token": token,
                    "refresh_token": refresh,
                    "expires_in": TOKEN_LIFETIME_SECONDS,
                    "token_type": "bearer",
                    "restricted_to": []
                }),
            )
        }
        _ => box_error(404, "not_found", "Not Found", None),
    }
}

fn oauth_error(error: &str, description: &str) -> Answer {
    json_response(
        400,
        &json!({ "error": error, "error_description": description }),
    )
}

fn box_error(status: u16, code: &str, message: &str, retry_after: Option<u64>) -> Answer {
    let mut answer = json_response(
        status,
        &json!({
            "type": "error",
            "status": status,
            "code": code,
            "message": message,
            "request_id": "sandbox-request",
            "help_url": "https://developer.box.com/guides/api-calls/permissions-and-errors/common-errors/"
        }),
    );
    if let Some(seconds) = retry_after
        && let Ok(value) = seconds.to_string().parse()
    {
        answer.headers_mut().insert("retry-after", value);
    }
    answer
}

fn json_response(status: u16, body: &Value) -> Answer {
    response(status, "application/json", &body.to_string())
}

fn response(status: u16, content_type: &str, body: &str) -> Answer {
    let mut answer = Response::new(Full::new(Bytes::from(body.to_string())));
    *answer.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Ok(value) = content_type.parse() {
        answer.headers_mut().insert("content-type", value);
    }
    answer.headers_mut().insert(
        "box-request-id",
        hyper::header::HeaderValue::from_static("sandbox-request"),
    );
    answer
}

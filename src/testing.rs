//! A fake Box API on loopback, for trying the SDK without a Box account and for
//! testing code that uses it without mocking HTTP by hand.
//!
//! [`Sandbox`] is a real HTTP server (hyper, on `127.0.0.1`) running in the
//! caller's tokio runtime. It behaves like Box for the operations this crate has:
//! it checks the bearer token, the content type and the body of the session
//! termination calls and answers as Box does; it answers `GET /2.0/users/me`; it
//! serves `/oauth2/token` and `/oauth2/revoke` for every authentication flow,
//! checking the client credentials, the CCG subject and the JWT assertion's
//! header and claims as Box does; it records every request; and it can be told to
//! fail a given request with a [`Fault`]. Enabled by the `test-util` feature.
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
use std::time::{Duration, SystemTime, UNIX_EPOCH};

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
/// The enterprise the sandbox's app belongs to: the only enterprise a CCG token
/// request may name.
pub const ENTERPRISE_ID: &str = "sandbox-enterprise";
/// The user ID of the enterprise's administrator: the only user a CCG token request
/// may name, and who `GET /2.0/users/me` answers with when there is no As-User.
pub const ADMIN_USER_ID: &str = "sandbox-admin";
/// The authorization code the sandbox accepts in the OAuth 2.0 code exchange.
pub const AUTHORIZATION_CODE: &str = "sandbox-authorization-code";

/// The message Box answers a session termination with.
pub const TERMINATION_MESSAGE: &str =
    "Request is successful, please check the admin events for the status of the job";

/// The largest request body the sandbox reads.
const MAX_REQUEST_BYTES: usize = 16 * 1024 * 1024;

/// How long tokens the sandbox issues last, as Box's do.
const TOKEN_LIFETIME_SECONDS: u64 = 3600;

/// The audience Box requires in a JWT assertion: its token endpoint's public URL,
/// whatever host the request was sent to.
const JWT_AUDIENCE: &str = "https://api.box.com/oauth2/token";

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

    /// The body as an `application/x-www-form-urlencoded` form, such as a token
    /// request's, by field name. A repeated field keeps its last value.
    ///
    /// # Example
    /// ```
    /// use box_sdk_gen::auth::BoxCcgAuth;
    /// use box_sdk_gen::client::BoxClient;
    /// use box_sdk_gen::schemas::CreateGroupTerminateSessionRequestBody;
    /// use box_sdk_gen::testing::{self, Sandbox};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), box_sdk_gen::errors::BoxError> {
    /// let sandbox = Sandbox::start().await?;
    /// let client = BoxClient::with_network_session(
    ///     BoxCcgAuth::new(sandbox.ccg_config()),
    ///     sandbox.network_session()?,
    /// );
    /// let body = CreateGroupTerminateSessionRequestBody::new(["42"]);
    /// client
    ///     .session_termination
    ///     .create_group_terminate_session(&body, Default::default(), None)
    ///     .await?;
    ///
    /// let form = sandbox.requests()[0].form();
    /// assert_eq!(form["grant_type"], "client_credentials");
    /// assert_eq!(form["box_subject_id"], testing::ENTERPRISE_ID);
    /// # Ok(())
    /// # }
    /// ```
    pub fn form(&self) -> BTreeMap<String, String> {
        url::form_urlencoded::parse(&self.body)
            .into_owned()
            .collect()
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
    /// Every access token issued, in order, revoked ones too.
    issued: Vec<String>,
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

    /// Every access token the token endpoint issued so far, in order, revoked ones
    /// included; the developer token is not among them.
    ///
    /// # Example
    /// ```
    /// use box_sdk_gen::auth::BoxCcgAuth;
    /// use box_sdk_gen::client::BoxClient;
    /// use box_sdk_gen::schemas::CreateGroupTerminateSessionRequestBody;
    /// use box_sdk_gen::testing::Sandbox;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), box_sdk_gen::errors::BoxError> {
    /// let sandbox = Sandbox::start().await?;
    /// let client = BoxClient::with_network_session(
    ///     BoxCcgAuth::new(sandbox.ccg_config()),
    ///     sandbox.network_session()?,
    /// );
    /// let body = CreateGroupTerminateSessionRequestBody::new(["42"]);
    /// client
    ///     .session_termination
    ///     .create_group_terminate_session(&body, Default::default(), None)
    ///     .await?;
    ///
    /// let issued = sandbox.issued_access_tokens();
    /// assert_eq!(issued.len(), 1);
    /// let bearer = format!("Bearer {}", issued[0]);
    /// assert_eq!(sandbox.requests()[1].header("authorization"), Some(bearer.as_str()));
    /// # Ok(())
    /// # }
    /// ```
    pub fn issued_access_tokens(&self) -> Vec<String> {
        self.lock().issued.clone()
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
            "id": ADMIN_USER_ID,
            "name": "Sandbox Admin",
            "login": "admin@sandbox.example",
            "role": "admin",
            "status": "active"
        }),
    }
}

/// `/oauth2/token` and `/oauth2/revoke` for the sandbox's app.
fn token_endpoint(state: &mut State, request: &RecordedRequest) -> Answer {
    let form = request.form();
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
            let grant_type = field("grant_type");
            // Box checks the app before the grant for every grant the app makes
            // itself; a token exchange is authorized by the token it exchanges.
            let needs_client = grant_type != "urn:ietf:params:oauth:grant-type:token-exchange";
            if needs_client && !client_ok {
                return oauth_error("invalid_client", "The client credentials are invalid");
            }
            let refusal = match grant_type {
                "client_credentials" => check_ccg_subject(&form),
                "urn:ietf:params:oauth:grant-type:jwt-bearer" => {
                    check_jwt_assertion(field("assertion"), SystemTime::now())
                }
                "authorization_code" => (field("code") != AUTHORIZATION_CODE)
                    .then_some("The authorization code is invalid"),
                "refresh_token" => (!state.refresh_tokens.remove(field("refresh_token")))
                    .then_some("The refresh token is invalid or was already used"),
                "urn:ietf:params:oauth:grant-type:token-exchange" => {
                    let subject = field("subject_token");
                    (!state.tokens.contains(subject) && subject != DEVELOPER_TOKEN)
                        .then_some("The subject token is invalid")
                }
                _ => {
                    return oauth_error(
                        "unsupported_grant_type",
                        "The grant type is not supported",
                    );
                }
            };
            if let Some(description) = refusal {
                return oauth_error("invalid_grant", description);
            }
            let token = format!("sandbox-access-token-{}", state.issued.len() + 1);
            let refresh = format!("sandbox-refresh-token-{}", state.issued.len() + 1);
            state.issued.push(token.clone());
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

/// Why Box would refuse the subject of a CCG token request, if it would: the
/// subject must be the app's own enterprise, or a user of it.
fn check_ccg_subject(form: &BTreeMap<String, String>) -> Option<&'static str> {
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or("");
    let known = match field("box_subject_type") {
        "enterprise" => field("box_subject_id") == ENTERPRISE_ID,
        "user" => field("box_subject_id") == ADMIN_USER_ID,
        _ => return Some("The box_subject_type is neither enterprise nor user"),
    };
    (!known).then_some("Grant credentials are invalid: the box_subject_id is not known to the app")
}

/// Why Box would refuse a JWT assertion at `now`, if it would.
///
/// The header and claims are checked as Box checks them, but not the signature:
/// Box verifies it with the public key uploaded in the Developer Console, and the
/// sandbox is never given the caller's public key. Nor is `sub` checked, so that
/// any JWT config's enterprise or user is accepted.
fn check_jwt_assertion(assertion: &str, now: SystemTime) -> Option<&'static str> {
    let parts: Vec<&str> = assertion.split('.').collect();
    let [header, claims, _signature] = parts[..] else {
        return Some("The assertion is not a signed JWT");
    };
    let decode = |part: &str| {
        base64url_decode(part).and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
    };
    let (Some(header), Some(claims)) = (decode(header), decode(claims)) else {
        return Some("The assertion's header or claims are not base64url-encoded JSON");
    };
    let text = |value: &Value, name: &str| {
        value
            .get(name)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    if header.get("alg").and_then(Value::as_str) != Some("RS256") {
        return Some("Please check the 'alg' header: the assertion must be signed with RS256");
    }
    if text(&header, "kid").is_none() {
        return Some("Please check the 'kid' header: it names no public key");
    }
    if text(&claims, "aud").as_deref() != Some(JWT_AUDIENCE) {
        return Some("Please check the 'aud' claim: it must be https://api.box.com/oauth2/token");
    }
    if text(&claims, "iss").as_deref() != Some(CLIENT_ID) {
        return Some("Please check the 'iss' claim: it must be the app's client ID");
    }
    if text(&claims, "jti").is_none() {
        return Some("Please check the 'jti' claim: it is missing");
    }
    if !matches!(
        claims.get("box_sub_type").and_then(Value::as_str),
        Some("enterprise" | "user")
    ) || text(&claims, "sub").is_none()
    {
        return Some("Please check the 'sub' and 'box_sub_type' claims");
    }
    let now = now.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    match claims.get("exp").and_then(Value::as_u64) {
        Some(exp) if exp > now => None,
        _ => Some("Please check the 'exp' claim: the assertion has expired"),
    }
}

/// Decodes unpadded base64url (RFC 4648, section 5), as JWTs use it. Written out
/// because the crate does not depend on a base64 crate and the sandbox needs only
/// this decoding.
fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    fn sextet(byte: u8) -> Option<u32> {
        match byte {
            b'A'..=b'Z' => Some(u32::from(byte - b'A')),
            b'a'..=b'z' => Some(u32::from(byte - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(byte - b'0') + 52),
            b'-' => Some(62),
            b'_' => Some(63),
            _ => None,
        }
    }
    // One leftover character carries only 6 bits, not a whole byte.
    if text.len() % 4 == 1 {
        return None;
    }
    let mut bytes = Vec::with_capacity(text.len() * 3 / 4);
    for chunk in text.as_bytes().chunks(4) {
        let mut bits = 0u32;
        for &byte in chunk {
            bits = (bits << 6) | sextet(byte)?;
        }
        // A chunk of n characters holds n * 6 bits, of which the whole bytes count.
        let whole_bytes = chunk.len() * 6 / 8;
        bits <<= 6 * (4 - chunk.len());
        bytes.extend_from_slice(&bits.to_be_bytes()[1..=whole_bytes]);
    }
    Some(bytes)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// 2023-11-14T22:13:20Z: a fixed `now`, so that `exp` is known.
    const NOW_SECS: u64 = 1_700_000_000;

    fn now() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(NOW_SECS)
    }

    /// Unpadded base64url, the inverse of [`base64url_decode`], for building
    /// assertions by hand.
    fn base64url_encode(bytes: &[u8]) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut text = String::new();
        for chunk in bytes.chunks(3) {
            let mut bits = [0u8; 4];
            bits[1..=chunk.len()].copy_from_slice(chunk);
            let bits = u32::from_be_bytes(bits);
            for i in 0..=chunk.len() {
                text.push(char::from(ALPHABET[(bits >> (18 - 6 * i)) as usize & 63]));
            }
        }
        text
    }

    /// An assertion with a valid header and claims, as the SDK signs them, each
    /// edited by `edit` and then given a signature that is never checked.
    fn assertion(edit: impl FnOnce(&mut Value, &mut Value)) -> String {
        let mut header = json!({"alg": "RS256", "typ": "JWT", "kid": "key-1"});
        let mut claims = json!({
            "iss": CLIENT_ID,
            "sub": ENTERPRISE_ID,
            "box_sub_type": "enterprise",
            "aud": JWT_AUDIENCE,
            "jti": "a-unique-id",
            "exp": NOW_SECS + 30,
        });
        edit(&mut header, &mut claims);
        format!(
            "{}.{}.signature",
            base64url_encode(header.to_string().as_bytes()),
            base64url_encode(claims.to_string().as_bytes())
        )
    }

    fn token_request(fields: &[(&str, &str)]) -> RecordedRequest {
        RecordedRequest {
            method: "POST".into(),
            path: "/oauth2/token".into(),
            headers: Vec::new(),
            body: url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(fields)
                .finish()
                .into_bytes(),
        }
    }

    async fn answer_body(answer: Answer) -> (u16, Value) {
        let status = answer.status().as_u16();
        let body = answer.into_body().collect().await.unwrap().to_bytes();
        (status, serde_json::from_slice(&body).unwrap())
    }

    #[test]
    fn base64url_decodes_every_length_and_refuses_other_alphabets() {
        let samples: Vec<Vec<u8>> = (0..=7u8)
            .map(|n| (250..=255).cycle().take(n.into()).collect())
            .collect();

        let decoded: Vec<Option<Vec<u8>>> = samples
            .iter()
            .map(|s| base64url_decode(&base64url_encode(s)))
            .collect();

        let expected: Vec<Option<Vec<u8>>> = samples.iter().cloned().map(Some).collect();
        assert_eq!(decoded, expected);
        assert_eq!(base64url_decode("Zm9vYmFy"), Some(b"foobar".to_vec()));
        assert_eq!(base64url_decode("-_8"), Some(vec![0xfb, 0xff]));
        assert_eq!(base64url_decode("+/8"), None, "standard base64's alphabet");
        assert_eq!(base64url_decode("Zm8="), None, "padding");
        assert_eq!(base64url_decode("Zm9vY"), None, "a lone sixth of bits");
    }

    #[test]
    fn an_assertion_signed_from_a_jwt_config_is_accepted() {
        let json = include_str!("../tests/fixtures/jwt_test_config.json")
            .replace("test-client-id", CLIENT_ID);
        let config = crate::auth::JwtConfig::from_config_json_string(&json).unwrap();
        let signed = config.assertion(JWT_AUDIENCE, now()).unwrap();

        let refusal = check_jwt_assertion(secrecy::ExposeSecret::expose_secret(&signed), now());

        assert_eq!(refusal, None);
    }

    #[test]
    fn an_assertion_is_refused_for_each_header_field_or_claim_box_checks() {
        type Edit = fn(&mut Value, &mut Value);
        let cases: [(&str, Edit, &str); 9] = [
            ("alg", |h, _| h["alg"] = json!("HS256"), "'alg'"),
            (
                "kid",
                |h, _| drop(h.as_object_mut().unwrap().remove("kid")),
                "'kid'",
            ),
            (
                "aud",
                |_, c| c["aud"] = json!("http://127.0.0.1/oauth2/token"),
                "'aud'",
            ),
            ("iss", |_, c| c["iss"] = json!("another-client"), "'iss'"),
            (
                "jti",
                |_, c| drop(c.as_object_mut().unwrap().remove("jti")),
                "'jti'",
            ),
            ("sub", |_, c| c["box_sub_type"] = json!("group"), "'sub'"),
            ("exp now", |_, c| c["exp"] = json!(NOW_SECS), "'exp'"),
            ("exp past", |_, c| c["exp"] = json!(NOW_SECS - 60), "'exp'"),
            ("exp text", |_, c| c["exp"] = json!("soon"), "'exp'"),
        ];
        for (name, edit, names) in cases {
            let assertion = assertion(edit);

            let refusal = check_jwt_assertion(&assertion, now());

            assert!(
                refusal.is_some_and(|r| r.contains(names)),
                "{name}: {refusal:?}"
            );
        }
        assert_eq!(check_jwt_assertion(&assertion(|_, _| {}), now()), None);
        assert!(check_jwt_assertion("two.parts", now()).is_some());
        assert!(check_jwt_assertion("not json.at all.x", now()).is_some());
    }

    #[tokio::test]
    async fn the_token_endpoint_refuses_a_wrong_client_before_a_wrong_subject() {
        let mut state = State::default();
        let wrong_secret = token_request(&[
            ("grant_type", "client_credentials"),
            ("client_id", CLIENT_ID),
            ("client_secret", "wrong"),
            ("box_subject_type", "enterprise"),
            ("box_subject_id", "another-enterprise"),
        ]);
        let subject = |kind: &'static str, id: &'static str| {
            token_request(&[
                ("grant_type", "client_credentials"),
                ("client_id", CLIENT_ID),
                ("client_secret", CLIENT_SECRET),
                ("box_subject_type", kind),
                ("box_subject_id", id),
            ])
        };

        let wrong_client = answer_body(token_endpoint(&mut state, &wrong_secret)).await;
        let other_enterprise = answer_body(token_endpoint(
            &mut state,
            &subject("enterprise", "another"),
        ))
        .await;
        let unknown_user = answer_body(token_endpoint(&mut state, &subject("user", "1"))).await;
        let enterprise = answer_body(token_endpoint(
            &mut state,
            &subject("enterprise", ENTERPRISE_ID),
        ))
        .await;
        let admin = answer_body(token_endpoint(&mut state, &subject("user", ADMIN_USER_ID))).await;

        assert_eq!(wrong_client.0, 400);
        assert_eq!(wrong_client.1["error"], "invalid_client");
        for refused in [&other_enterprise, &unknown_user] {
            assert_eq!(refused.0, 400);
            assert_eq!(refused.1["error"], "invalid_grant");
        }
        assert_eq!(enterprise.0, 200);
        assert_eq!(admin.0, 200);
        assert_eq!(
            state.issued,
            ["sandbox-access-token-1", "sandbox-access-token-2"]
        );
    }
}

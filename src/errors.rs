//! The crate's one error type, [`BoxError`], and what an error from Box carries,
//! [`ApiError`].
//!
//! Every failure of every operation comes back as a `BoxError`: the transport maps
//! whatever the generated client, the network or Box produced into one, so callers
//! match on [`BoxError::kind`] and never on progenitor's or reqwest's types. No
//! error's `Display` or `Debug` shows an access token, a secret or an
//! `Authorization` value; values under sensitive names in bodies and headers are
//! redacted.

use std::fmt;

use reqwest::header::HeaderMap;
use serde_json::Value;

/// How many characters of a body an error keeps, to show what came back without
/// holding a whole HTML page.
const BODY_PREVIEW_CHARS: usize = 256;

/// How many bytes of text a preview redacts and folds. It is far more than
/// [`BODY_PREVIEW_CHARS`] because an HTML page's indentation folds away, yet small
/// enough that previewing a body of the largest size read stays cheap.
const BODY_PREVIEW_WINDOW_BYTES: usize = 16 * 1024;

/// What went wrong, for matching. More kinds may be added.
///
/// # Example
/// ```
/// use box_sdk_gen::errors::{BoxError, ErrorKind};
///
/// fn should_retry_later(err: &BoxError) -> bool {
///     match err.kind() {
///         ErrorKind::Api => err.status() == Some(429),
///         ErrorKind::Network | ErrorKind::Timeout => true,
///         _ => false,
///     }
/// }
/// # let _ = should_retry_later;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Box answered with an error status (4xx, 5xx, or another status the operation
    /// does not document). [`BoxError::api_error`] has the details.
    Api,
    /// Box answered with a success status, but the body is not what the operation
    /// returns. The request was carried out: sending it again may repeat its effect.
    Decode,
    /// The request could not be sent, or the connection failed before the answer
    /// was read. The request may or may not have reached Box.
    Network,
    /// No answer came within the configured time. The request may or may not have
    /// been carried out.
    Timeout,
    /// Box's answer was larger than the configured limit; the rest was not read.
    /// The request was carried out.
    ResponseTooLarge,
    /// The caller's cancellation token fired. If the request had been sent, it may
    /// or may not have been carried out.
    Cancelled,
    /// An argument cannot be sent as given; nothing was sent.
    InvalidArgument,
    /// The client's configuration cannot work (a malformed base URL, a header that
    /// HTTP cannot carry, a TLS set-up failure); nothing was sent.
    Configuration,
}

/// An error from any call of this crate.
///
/// # Example
/// ```
/// use box_sdk_gen::errors::BoxError;
///
/// fn explain(err: &BoxError) -> String {
///     match err.api_error() {
///         Some(api) => format!("Box said {} (request ID {:?})", api.status(), api.request_id()),
///         None if err.is_cancelled() => "cancelled".to_string(),
///         None => err.to_string(),
///     }
/// }
/// # let _ = explain;
/// ```
///
/// Ask [`kind`](Self::kind) what went wrong, [`status`](Self::status) for the HTTP
/// status when Box answered, and [`api_error`](Self::api_error) for what Box said.
/// [`source`](std::error::Error::source) keeps the underlying cause.
#[non_exhaustive]
pub struct BoxError {
    kind: ErrorKind,
    message: String,
    /// The status of a success response whose body did not decode; an API error
    /// keeps its status in `api`.
    success_status: Option<u16>,
    api: Option<Box<ApiError>>,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl BoxError {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            success_status: None,
            api: None,
            source: None,
        }
    }

    pub(crate) fn with_source(
        mut self,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        self.source = Some(source.into());
        self
    }

    pub(crate) fn api(error: ApiError) -> Self {
        Self {
            kind: ErrorKind::Api,
            message: String::new(),
            success_status: None,
            api: Some(Box::new(error)),
            source: None,
        }
    }

    pub(crate) fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidArgument, message)
    }

    pub(crate) fn configuration(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Configuration, message)
    }

    pub(crate) fn cancelled() -> Self {
        Self::new(ErrorKind::Cancelled, "the call was cancelled")
    }

    /// A success status whose body does not decode.
    pub(crate) fn decode(status: u16, body: &[u8], source: serde_json::Error) -> Self {
        let mut error = Self::new(
            ErrorKind::Decode,
            format!(
                "cannot decode the body of a {status} response: {}",
                body_preview(body)
            ),
        )
        .with_source(source);
        error.success_status = Some(status);
        error
    }

    /// The error with the status of the answer it came with, when its body could
    /// not be read: the caller still learns what Box answered.
    pub(crate) fn with_status(mut self, status: u16) -> Self {
        self.success_status = Some(status);
        self
    }

    /// Maps a reqwest failure: timeouts and bodies over the size limit apart, they
    /// are network errors.
    pub(crate) fn from_reqwest(error: reqwest::Error) -> Self {
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&error);
        while let Some(current) = cause {
            if current.is::<http_body_util::LengthLimitError>() {
                return Self::new(
                    ErrorKind::ResponseTooLarge,
                    "the response body is larger than the configured limit",
                )
                .with_source(error);
            }
            cause = current.source();
        }
        if error.is_timeout() {
            Self::new(ErrorKind::Timeout, "no answer came in time").with_source(error)
        } else if error.is_builder() {
            Self::invalid_argument("the request cannot be built").with_source(error)
        } else {
            Self::new(ErrorKind::Network, "the request could not be completed").with_source(error)
        }
    }

    /// What went wrong.
    ///
    /// # Example
    /// ```
    /// use box_sdk_gen::auth::BoxDeveloperTokenAuth;
    /// use box_sdk_gen::client::BoxClient;
    /// use box_sdk_gen::errors::ErrorKind;
    ///
    /// # fn main() -> Result<(), box_sdk_gen::errors::BoxError> {
    /// let client = BoxClient::new(BoxDeveloperTokenAuth::new("my-developer-token"))?;
    ///
    /// let err = client.with_as_user_header("12\r\n34").unwrap_err();
    ///
    /// assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    /// # Ok(())
    /// # }
    /// ```
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The HTTP status Box answered with, if it answered.
    ///
    /// # Example
    /// ```
    /// use box_sdk_gen::testing::{Fault, Sandbox};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), box_sdk_gen::errors::BoxError> {
    /// let sandbox = Sandbox::start().await?;
    /// sandbox.fail_next(Fault::status(404, "not_found", "Not Found"));
    ///
    /// let users = &sandbox.client()?.users;
    /// let result = users.get_user_me(Default::default(), Default::default(), None).await;
    ///
    /// let err = result.unwrap_err();
    /// assert_eq!(err.status(), Some(404));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// It is the error status of an API error, or the status of an answer whose
    /// body did not decode or was larger than the limit; `None` when nothing came
    /// back from Box.
    pub fn status(&self) -> Option<u16> {
        self.api
            .as_ref()
            .map(|api| api.status)
            .or(self.success_status)
    }

    /// What Box said, when it answered with an error status.
    ///
    /// # Example
    /// ```
    /// use box_sdk_gen::testing::{Fault, Sandbox};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), box_sdk_gen::errors::BoxError> {
    /// let sandbox = Sandbox::start().await?;
    /// sandbox.fail_next(Fault::status(403, "access_denied_insufficient_permissions", "Denied"));
    ///
    /// let users = &sandbox.client()?.users;
    /// let result = users.get_user_me(Default::default(), Default::default(), None).await;
    ///
    /// let err = result.unwrap_err();
    /// let api = err.api_error().expect("Box answered with an error status");
    /// assert_eq!(api.code(), Some("access_denied_insufficient_permissions"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn api_error(&self) -> Option<&ApiError> {
        self.api.as_deref()
    }

    /// Whether the call ran out of time.
    ///
    /// # Example
    /// ```
    /// use std::time::Duration;
    /// use box_sdk_gen::auth::BoxDeveloperTokenAuth;
    /// use box_sdk_gen::client::BoxClient;
    /// use box_sdk_gen::network::NetworkSession;
    /// use box_sdk_gen::retries::BoxRetryStrategy;
    /// use box_sdk_gen::testing::{self, Fault, Sandbox};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), box_sdk_gen::errors::BoxError> {
    /// let sandbox = Sandbox::start().await?;
    /// sandbox.fail_next(Fault::slow(Duration::from_secs(30)));
    /// let session = NetworkSession::builder()
    ///     .base_urls(sandbox.base_urls())
    ///     .attempt_timeout(Some(Duration::from_millis(50)))
    ///     .retry_strategy(BoxRetryStrategy::builder().max_attempts(1).build())
    ///     .build()?;
    /// let auth = BoxDeveloperTokenAuth::new(testing::DEVELOPER_TOKEN);
    /// let client = BoxClient::with_network_session(auth, session);
    ///
    /// let users = &client.users;
    /// let result = users.get_user_me(Default::default(), Default::default(), None).await;
    ///
    /// let err = result.unwrap_err();
    /// assert!(err.is_timeout());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// The request may or may not have been carried out: re-send a call that is not
    /// idempotent, such as a session termination, only if doing it twice is harmless.
    pub fn is_timeout(&self) -> bool {
        self.kind == ErrorKind::Timeout
    }

    /// Whether the caller cancelled the call.
    ///
    /// # Example
    /// ```
    /// use box_sdk_gen::CancellationToken;
    /// use box_sdk_gen::auth::BoxDeveloperTokenAuth;
    /// use box_sdk_gen::client::BoxClient;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), box_sdk_gen::errors::BoxError> {
    /// let client = BoxClient::new(BoxDeveloperTokenAuth::new("my-developer-token"))?;
    /// let cancel = CancellationToken::new();
    /// cancel.cancel();
    ///
    /// let users = &client.users;
    /// let err = users.get_user_me(Default::default(), Default::default(), Some(cancel)).await;
    ///
    /// assert!(err.unwrap_err().is_cancelled(), "a cancelled call sends nothing");
    /// # Ok(())
    /// # }
    /// ```
    pub fn is_cancelled(&self) -> bool {
        self.kind == ErrorKind::Cancelled
    }

    pub(crate) fn with_hint(mut self, hint: impl Into<String>) -> Self {
        if let Some(api) = self.api.as_mut() {
            api.hint = Some(hint.into());
        }
        self
    }
}

impl fmt::Display for BoxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.api {
            Some(api) => api.fmt(f),
            None => f.write_str(&self.message),
        }
    }
}

impl fmt::Debug for BoxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("BoxError");
        debug.field("kind", &self.kind);
        if let Some(status) = self.success_status {
            debug.field("status", &status);
        }
        match &self.api {
            Some(api) => debug.field("api", api),
            None => debug.field("message", &self.message),
        };
        debug.field("source", &self.source).finish()
    }
}

impl std::error::Error for BoxError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// What Box answered when it answered with an error status.
///
/// # Example
/// ```
/// use box_sdk_gen::schemas::CreateGroupTerminateSessionRequestBody;
/// use box_sdk_gen::testing::{Fault, Sandbox};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), box_sdk_gen::errors::BoxError> {
/// let sandbox = Sandbox::start().await?;
/// sandbox.fail_next(Fault::status(403, "access_denied_insufficient_permissions", "Denied"));
/// let body = CreateGroupTerminateSessionRequestBody::new(["42"]);
///
/// let err = sandbox
///     .client()?
///     .session_termination
///     .create_group_terminate_session(&body, Default::default(), None)
///     .await
///     .unwrap_err();
///
/// let api = err.api_error().expect("Box answered with an error status");
/// assert_eq!(api.status(), 403);
/// assert_eq!(api.code(), Some("access_denied_insufficient_permissions"));
/// assert_eq!(api.message(), Some("Denied"));
/// assert_eq!(api.request_id(), Some("sandbox-request"));
/// assert_eq!(api.header("Content-Type"), Some("application/json"));
/// assert_eq!(api.body_preview(), None, "the body was a Box error");
/// # Ok(())
/// # }
/// ```
///
/// Box's error body carries a `code` (an open set: Box adds codes over time), a
/// `message`, a `request_id` to quote to Box support, a `help_url` and free-form
/// `context_info`. A body that is not a Box error (an HTML page from a proxy, an
/// empty body) leaves those empty and keeps its start in
/// [`body_preview`](Self::body_preview).
#[non_exhaustive]
pub struct ApiError {
    status: u16,
    code: Option<String>,
    message: Option<String>,
    request_id: Option<String>,
    help_url: Option<String>,
    context_info: Option<serde_json::Map<String, Value>>,
    headers: HeaderMap,
    body_preview: Option<String>,
    hint: Option<String>,
}

impl ApiError {
    /// An error from a Box error body that decoded.
    pub(crate) fn from_client_error(
        status: u16,
        headers: HeaderMap,
        body: crate::schemas::ClientError,
    ) -> Self {
        Self {
            status,
            code: body.code,
            message: body.message,
            request_id: body.request_id,
            help_url: body.help_url,
            context_info: body.context_info.map(redact_map),
            headers,
            body_preview: None,
            hint: None,
        }
    }

    /// An error from the OAuth 2.0 error body of Box's token endpoints: `error`
    /// becomes the code and `error_description` the message.
    pub(crate) fn from_oauth2_error(
        status: u16,
        headers: HeaderMap,
        body: crate::schemas::OAuth2Error,
    ) -> Self {
        Self {
            status,
            code: body.error,
            message: body.error_description,
            request_id: None,
            help_url: None,
            context_info: None,
            headers,
            body_preview: None,
            hint: None,
        }
    }

    /// An error from a body that is not a Box error.
    pub(crate) fn from_raw(status: u16, headers: HeaderMap, body: &[u8]) -> Self {
        // A proxy or gateway may still send Box's error JSON with fields of
        // unexpected types; keep whatever reads as text.
        if let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) {
            let text = |key: &str| map.get(key).and_then(Value::as_str).map(str::to_string);
            if ["code", "message", "error", "error_description"]
                .iter()
                .any(|key| map.contains_key(*key))
            {
                return Self {
                    status,
                    code: text("code").or_else(|| text("error")),
                    message: text("message").or_else(|| text("error_description")),
                    request_id: text("request_id"),
                    help_url: text("help_url"),
                    context_info: map
                        .get("context_info")
                        .and_then(Value::as_object)
                        .cloned()
                        .map(redact_map),
                    headers,
                    body_preview: None,
                    hint: None,
                };
            }
        }
        Self {
            status,
            code: None,
            message: None,
            request_id: None,
            help_url: None,
            context_info: None,
            headers,
            body_preview: Some(body_preview(body)),
            hint: None,
        }
    }

    /// The HTTP status.
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), box_sdk_gen::errors::BoxError> {
    /// # let sandbox = box_sdk_gen::testing::Sandbox::start().await?;
    /// # sandbox.fail_next(box_sdk_gen::testing::Fault::status(403, "access_denied", "Denied"));
    /// # let users = &sandbox.client()?.users;
    /// # let err = users.get_user_me(Default::default(), Default::default(), None).await;
    /// # let err = err.unwrap_err();
    /// let api = err.api_error().unwrap();
    /// assert_eq!(api.status(), 403);
    /// # Ok(())
    /// # }
    /// ```
    pub fn status(&self) -> u16 {
        self.status
    }

    /// Box's error code, such as `access_denied_insufficient_permissions`.
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), box_sdk_gen::errors::BoxError> {
    /// # let sandbox = box_sdk_gen::testing::Sandbox::start().await?;
    /// # sandbox.fail_next(box_sdk_gen::testing::Fault::status(403, "access_denied", "Denied"));
    /// # let users = &sandbox.client()?.users;
    /// # let err = users.get_user_me(Default::default(), Default::default(), None).await;
    /// # let err = err.unwrap_err();
    /// let api = err.api_error().unwrap();
    /// let denied = api.code() == Some("access_denied");
    /// assert!(denied);
    /// # Ok(())
    /// # }
    /// ```
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// Box's message.
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), box_sdk_gen::errors::BoxError> {
    /// # let sandbox = box_sdk_gen::testing::Sandbox::start().await?;
    /// # sandbox.fail_next(box_sdk_gen::testing::Fault::status(403, "access_denied", "Denied"));
    /// # let users = &sandbox.client()?.users;
    /// # let err = users.get_user_me(Default::default(), Default::default(), None).await;
    /// # let err = err.unwrap_err();
    /// let api = err.api_error().unwrap();
    /// assert_eq!(api.message(), Some("Denied"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The request ID, to quote to Box support.
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), box_sdk_gen::errors::BoxError> {
    /// # let sandbox = box_sdk_gen::testing::Sandbox::start().await?;
    /// # sandbox.fail_next(box_sdk_gen::testing::Fault::status(403, "access_denied", "Denied"));
    /// # let users = &sandbox.client()?.users;
    /// # let err = users.get_user_me(Default::default(), Default::default(), None).await;
    /// # let err = err.unwrap_err();
    /// let api = err.api_error().unwrap();
    /// eprintln!("quote request ID {} to Box support", api.request_id().unwrap_or("-"));
    /// assert_eq!(api.request_id(), Some("sandbox-request"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// A page about the error.
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), box_sdk_gen::errors::BoxError> {
    /// # let sandbox = box_sdk_gen::testing::Sandbox::start().await?;
    /// # sandbox.fail_next(box_sdk_gen::testing::Fault::status(403, "access_denied", "Denied"));
    /// # let users = &sandbox.client()?.users;
    /// # let err = users.get_user_me(Default::default(), Default::default(), None).await;
    /// # let err = err.unwrap_err();
    /// let api = err.api_error().unwrap();
    /// assert!(api.help_url().unwrap().starts_with("https://developer.box.com/"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn help_url(&self) -> Option<&str> {
        self.help_url.as_deref()
    }

    /// Extra details, whose fields depend on the operation.
    ///
    /// # Example
    /// ```
    /// use box_sdk_gen::errors::ApiError;
    ///
    /// /// The reasons Box gave for refusing a request's parameters.
    /// fn reasons(api: &ApiError) -> Vec<String> {
    ///     api.context_info()
    ///         .and_then(|info| info.get("errors"))
    ///         .and_then(|errors| errors.as_array())
    ///         .into_iter()
    ///         .flatten()
    ///         .filter_map(|error| error["reason"].as_str().map(str::to_string))
    ///         .collect()
    /// }
    /// # let _ = reasons;
    /// ```
    ///
    /// Values under sensitive names, such as `access_token`, are redacted.
    pub fn context_info(&self) -> Option<&serde_json::Map<String, Value>> {
        self.context_info.as_ref()
    }

    /// The value of the response header `name` (any case), such as `retry-after`
    /// or `box-request-id`, when it is text.
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), box_sdk_gen::errors::BoxError> {
    /// # let sandbox = box_sdk_gen::testing::Sandbox::start().await?;
    /// # sandbox.fail_next(box_sdk_gen::testing::Fault::status(403, "access_denied", "Denied"));
    /// # let users = &sandbox.client()?.users;
    /// # let err = users.get_user_me(Default::default(), Default::default(), None).await;
    /// # let err = err.unwrap_err();
    /// let api = err.api_error().unwrap();
    /// assert_eq!(api.header("Content-Type"), Some("application/json"));
    /// assert_eq!(api.header("retry-after"), None);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// Values of headers that carry secrets (`set-cookie`, `www-authenticate`) are
    /// given as `[redacted]`.
    pub fn header(&self, name: &str) -> Option<&str> {
        let value = self.headers.get(name)?;
        if is_sensitive(name) || value.is_sensitive() {
            return Some(REDACTED);
        }
        value.to_str().ok()
    }

    /// The names of the response headers.
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), box_sdk_gen::errors::BoxError> {
    /// # let sandbox = box_sdk_gen::testing::Sandbox::start().await?;
    /// # sandbox.fail_next(box_sdk_gen::testing::Fault::status(403, "access_denied", "Denied"));
    /// # let users = &sandbox.client()?.users;
    /// # let err = users.get_user_me(Default::default(), Default::default(), None).await;
    /// # let err = err.unwrap_err();
    /// let api = err.api_error().unwrap();
    /// let names: Vec<&str> = api.header_names().collect();
    /// assert!(names.contains(&"content-type"), "{names:?}");
    /// # Ok(())
    /// # }
    /// ```
    pub fn header_names(&self) -> impl Iterator<Item = &str> {
        self.headers.keys().map(|name| name.as_str())
    }

    /// The start of a body that is not a Box error, redacted.
    ///
    /// # Example
    /// ```
    /// use box_sdk_gen::auth::BoxDeveloperTokenAuth;
    /// use box_sdk_gen::client::BoxClient;
    /// use box_sdk_gen::network::NetworkSession;
    /// use box_sdk_gen::retries::BoxRetryStrategy;
    /// use box_sdk_gen::testing::{self, Fault, Sandbox};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), box_sdk_gen::errors::BoxError> {
    /// let sandbox = Sandbox::start().await?;
    /// sandbox.fail_next(Fault::HtmlBadGateway);
    /// let session = NetworkSession::builder()
    ///     .base_urls(sandbox.base_urls())
    ///     .retry_strategy(BoxRetryStrategy::builder().max_attempts(1).build())
    ///     .build()?;
    /// let auth = BoxDeveloperTokenAuth::new(testing::DEVELOPER_TOKEN);
    /// let client = BoxClient::with_network_session(auth, session);
    ///
    /// let users = &client.users;
    /// let result = users.get_user_me(Default::default(), Default::default(), None).await;
    ///
    /// let err = result.unwrap_err();
    /// let api = err.api_error().unwrap();
    /// assert_eq!(api.status(), 502);
    /// assert_eq!(api.code(), None, "a proxy's page is not a Box error");
    /// assert!(api.body_preview().unwrap().contains("502 Bad Gateway"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn body_preview(&self) -> Option<&str> {
        self.body_preview.as_deref()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.status)?;
        if let Some(code) = &self.code {
            write!(f, " {code}")?;
        }
        match (&self.message, &self.body_preview) {
            (Some(message), _) => write!(f, ": {message}")?,
            (None, Some(body)) if body.is_empty() => f.write_str(": the body is empty")?,
            (None, Some(body)) => write!(f, ": the body is not a Box error: {body}")?,
            (None, None) => {}
        }
        if let Some(request_id) = &self.request_id {
            write!(f, " (request ID {request_id})")?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "; {hint}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("status", &self.status)
            .field("code", &self.code)
            .field("message", &self.message)
            .field("request_id", &self.request_id)
            .field("help_url", &self.help_url)
            .field("context_info", &self.context_info)
            .field("headers", &RedactedHeaders(&self.headers))
            .field("body_preview", &self.body_preview)
            .field("hint", &self.hint)
            .finish()
    }
}

/// Header and body keys whose values are secrets, compared without case.
const SENSITIVE_NAMES: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "www-authenticate",
    "cookie",
    "set-cookie",
    "access_token",
    "refresh_token",
    "client_secret",
    "assertion",
    "password",
    "passphrase",
    "private_key",
    "token",
    "subject_token",
    "actor_token",
];

const REDACTED: &str = "[redacted]";

fn is_sensitive(name: &str) -> bool {
    SENSITIVE_NAMES
        .iter()
        .any(|sensitive| sensitive.eq_ignore_ascii_case(name))
}

struct RedactedHeaders<'a>(&'a HeaderMap);

impl fmt::Debug for RedactedHeaders<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|(name, value)| {
                // The request headers' rule, so that a response header such as
                // `x-auth-token` is hidden as the same name would be when sent.
                let secret = is_sensitive(name.as_str())
                    || crate::network::is_sensitive_header_name(name.as_str())
                    || value.is_sensitive();
                let shown = if secret {
                    REDACTED
                } else {
                    value.to_str().unwrap_or("<not text>")
                };
                (name.as_str(), shown)
            }))
            .finish()
    }
}

fn redact_map(mut map: serde_json::Map<String, Value>) -> serde_json::Map<String, Value> {
    for (key, value) in map.iter_mut() {
        if is_sensitive(key) {
            *value = Value::String(REDACTED.into());
        } else {
            redact_value(value);
        }
    }
    map
}

fn redact_value(value: &mut Value) {
    match value {
        Value::Object(map) => *map = redact_map(std::mem::take(map)),
        Value::Array(items) => items.iter_mut().for_each(redact_value),
        _ => {}
    }
}

/// The start of `body` as text, with secrets redacted: values under sensitive keys
/// in JSON, and in `key=value` or `"key": "value"` pairs of any other text.
///
/// Only the first [`BODY_PREVIEW_WINDOW_BYTES`] of text are redacted and folded, so a
/// preview of a 16 MiB error page costs no more than one of a small page.
pub(crate) fn body_preview(body: &[u8]) -> String {
    let (text, cut) = match serde_json::from_slice::<Value>(body) {
        Ok(mut value) => {
            redact_value(&mut value);
            json_prefix(&value)
        }
        Err(_) => {
            let end = utf8_prefix_len(body, BODY_PREVIEW_WINDOW_BYTES);
            let window = String::from_utf8_lossy(&body[..end]);
            (redact_pairs(&window), end < body.len())
        }
    };
    // An HTML page is mostly layout: fold its runs of white space.
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match text.char_indices().nth(BODY_PREVIEW_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None if cut => format!("{text}…"),
        None => text,
    }
}

/// The length of the longest prefix of `bytes` of at most `max` bytes that does not
/// end inside a UTF-8 character, so that the cut does not show up as `�`.
fn utf8_prefix_len(bytes: &[u8], max: usize) -> usize {
    if bytes.len() <= max {
        return bytes.len();
    }
    let mut end = max;
    // A character has at most three continuation bytes; past that the text is not
    // UTF-8 anyway and the lossy decoding marks it.
    while end > 0 && max - end < 3 && bytes[end] & 0b1100_0000 == 0b1000_0000 {
        end -= 1;
    }
    end
}

/// The start of `value` serialized, at most [`BODY_PREVIEW_WINDOW_BYTES`] long, and
/// whether it was cut. Serializing stops at the limit instead of writing out a body
/// of many MiB only to keep its first characters.
fn json_prefix(value: &Value) -> (String, bool) {
    struct Prefix(Vec<u8>);

    impl std::io::Write for Prefix {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let room = BODY_PREVIEW_WINDOW_BYTES - self.0.len();
            if room == 0 {
                // The error ends the serialization; the caller reads it as a cut.
                return Err(std::io::ErrorKind::WriteZero.into());
            }
            let taken = buf.len().min(room);
            self.0.extend_from_slice(&buf[..taken]);
            Ok(taken)
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    let mut prefix = Prefix(Vec::new());
    let cut = serde_json::to_writer(&mut prefix, value).is_err();
    let bytes = prefix.0;
    let valid = match std::str::from_utf8(&bytes) {
        Ok(_) => bytes.len(),
        Err(e) => e.valid_up_to(),
    };
    (String::from_utf8_lossy(&bytes[..valid]).into_owned(), cut)
}

/// Redacts the value after each sensitive name followed by `=` or `:` in free text.
///
/// A value that runs to the end of `text` is redacted whole, so a secret cut off by
/// the preview window never shows in part.
fn redact_pairs(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let lower = lower.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut at = 0;
    // One pass over the text, trying the names at each position, keeps the cost
    // linear in its length; searching the rest of the text for every name after
    // each match made it grow with the square of the length.
    while at < text.len() {
        let Some(name) = SENSITIVE_NAMES
            .iter()
            .find(|name| lower[at..].starts_with(name.as_bytes()))
        else {
            at += 1;
            continue;
        };
        // The names are ASCII, so both ends of a match are character boundaries.
        let after_name = at + name.len();
        let trimmed = text[after_name..].trim_start_matches(['"', '\'', ' ']);
        let Some(value) = trimmed.strip_prefix(['=', ':']) else {
            at = after_name;
            continue;
        };
        let value_start = text.len() - value.trim_start_matches([' ', '"', '\'']).len();
        let value_end = text[value_start..]
            .find(['&', '"', '\'', ',', ';', ' ', '\n', '\r', '<', '}'])
            .map_or(text.len(), |i| value_start + i);
        out.push_str(&text[copied..value_start]);
        out.push_str(REDACTED);
        copied = value_end;
        at = value_end.max(after_name);
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_errors_read_like_box_answers() {
        let err = BoxError::api(ApiError::from_client_error(
            403,
            HeaderMap::new(),
            crate::schemas::ClientError {
                code: Some("access_denied_insufficient_permissions".into()),
                message: Some("Access denied".into()),
                request_id: Some("abc123".into()),
                ..Default::default()
            },
        ));

        assert_eq!(
            err.to_string(),
            "403 access_denied_insufficient_permissions: Access denied (request ID abc123)"
        );
    }

    #[test]
    fn a_body_that_is_not_a_box_error_is_shown_in_part() {
        let html = format!(
            "<html>\n  <body>Bad gateway {}</body></html>",
            "x".repeat(500)
        );

        let error = ApiError::from_raw(502, HeaderMap::new(), html.as_bytes());

        let shown = format!("<html> <body>Bad gateway {}…", "x".repeat(256 - 25));
        assert_eq!(
            error.to_string(),
            format!("502: the body is not a Box error: {shown}")
        );
        assert_eq!(error.body_preview(), Some(shown.as_str()));
        assert_eq!(error.code(), None);
    }

    #[test]
    fn an_empty_body_says_so() {
        let error = ApiError::from_raw(500, HeaderMap::new(), b"");

        assert_eq!(error.to_string(), "500: the body is empty");
    }

    #[test]
    fn previews_redact_secrets_in_json_and_in_text() {
        let json = br#"{"access_token":"T0KEN","nested":{"Client_Secret":"S3CRET"},"ok":1}"#;
        let form = b"grant_type=x&client_secret=S3CRET&assertion=JWT.JWT.JWT";
        let text = b"error: \"refresh_token\": \"R3FRESH\" was rejected";

        let previews = [body_preview(json), body_preview(form), body_preview(text)];

        assert_eq!(
            previews,
            [
                r#"{"access_token":"[redacted]","nested":{"Client_Secret":"[redacted]"},"ok":1}"#,
                "grant_type=x&client_secret=[redacted]&assertion=[redacted]",
                "error: \"refresh_token\": \"[redacted]\" was rejected",
            ]
        );
    }

    #[test]
    fn debug_redacts_sensitive_headers() {
        let mut headers = HeaderMap::new();
        headers.insert("set-cookie", "session=SECRET".parse().unwrap());
        headers.insert("x-auth-token", "OTHER-SECRET".parse().unwrap());
        headers.insert("box-request-id", "req-1".parse().unwrap());

        let debug = format!("{:?}", ApiError::from_raw(401, headers, b""));

        assert!(!debug.contains("SECRET"), "{debug}");
        assert!(debug.contains("\"set-cookie\": \"[redacted]\""), "{debug}");
        assert!(
            debug.contains("\"x-auth-token\": \"[redacted]\""),
            "{debug}"
        );
        assert!(debug.contains("\"box-request-id\": \"req-1\""), "{debug}");
    }

    #[test]
    fn a_multi_mib_text_body_full_of_secrets_previews_redacted_and_short() {
        let body = "token=abcdef0123456789&".repeat(200_000);

        let preview = body_preview(body.as_bytes());

        let mut expected: String = "token=[redacted]&".repeat(20).chars().take(256).collect();
        expected.push('…');
        assert_eq!(preview, expected);
    }

    #[test]
    fn a_secret_cut_by_the_preview_window_is_redacted_whole() {
        let padding = " ".repeat(BODY_PREVIEW_WINDOW_BYTES - "x token=SE".len());
        let body = format!("{padding}x token=SE{}", "CRET".repeat(100));

        let preview = body_preview(body.as_bytes());

        assert_eq!(preview, "x token=[redacted]…");
    }

    #[test]
    fn the_preview_window_does_not_split_a_character() {
        let body = format!("{}é and more", " ".repeat(BODY_PREVIEW_WINDOW_BYTES - 1));

        let preview = body_preview(body.as_bytes());

        assert_eq!(preview, "…");
    }

    #[test]
    fn a_large_json_body_is_serialized_only_as_far_as_the_preview_window() {
        let items = vec![Value::String("é".repeat(100)); 100_000];
        let value = serde_json::json!({ "entries": items });

        let (text, cut) = json_prefix(&value);

        assert!(cut);
        assert!(text.len() <= BODY_PREVIEW_WINDOW_BYTES, "{}", text.len());
        assert!(text.starts_with(r#"{"entries":["ééé"#), "{text}");
    }
}

//! Where and how requests go: Box's base URLs, headers sent with every request,
//! and the HTTP client, gathered in a [`NetworkSession`].
//!
//! Box serves its API from four hosts. The spec normalizer marks each operation
//! with the one it uses, build.rs turns those marks into a table, and the transport
//! sends each operation to the base URL of its host, so one overridable base URL
//! per host serves every operation.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::errors::BoxError;
use crate::retries::{BoxRetryStrategy, RetryStrategy};

/// How long connecting may take by default, as in Box's Python SDK.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one attempt may take by default, as Box's Python SDK allows for reading.
const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(60);
/// The largest response body read by default. Box's JSON answers are far smaller,
/// the largest list pages a few MiB; anything bigger is not a Box answer.
const DEFAULT_MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// The Box hosts, each with its own base URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum BaseUrlKind {
    /// The API host, `https://api.box.com` by default.
    Api,
    /// The upload host, `https://upload.box.com/api` by default.
    Upload,
    /// The OAuth 2.0 authorization host, `https://account.box.com/api/oauth2` by
    /// default.
    OAuth2,
    /// The download host of zip downloads, `https://dl.boxcloud.com` by default.
    Download,
}

/// The base URLs of Box's hosts.
///
/// Override them to reach a proxy, a regional deployment or a local sandbox.
/// Trailing slashes are ignored.
///
/// # Example
/// ```
/// use box_sdk_gen::network::BaseUrls;
///
/// let mut urls = BaseUrls::default();
/// urls.base_url = "http://127.0.0.1:8080".into();
/// assert_eq!(urls.upload_url, "https://upload.box.com/api");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BaseUrls {
    /// The API host; `https://api.box.com` by default.
    pub base_url: String,
    /// The upload host; `https://upload.box.com/api` by default.
    pub upload_url: String,
    /// The OAuth 2.0 authorization host; `https://account.box.com/api/oauth2` by
    /// default.
    pub oauth2_url: String,
    /// The download host of zip downloads; `https://dl.boxcloud.com` by default.
    /// Box hands out the full download URL when it creates a zip download; this is
    /// the host that URL has today.
    pub download_url: String,
}

impl Default for BaseUrls {
    fn default() -> Self {
        Self {
            base_url: "https://api.box.com".into(),
            upload_url: "https://upload.box.com/api".into(),
            oauth2_url: "https://account.box.com/api/oauth2".into(),
            download_url: "https://dl.boxcloud.com".into(),
        }
    }
}

impl BaseUrls {
    /// These URLs with the API host at `url`.
    ///
    /// # Example
    /// ```
    /// use box_sdk_gen::network::BaseUrls;
    ///
    /// let urls = BaseUrls::default().with_base_url("http://127.0.0.1:8080");
    /// assert_eq!(urls.base_url, "http://127.0.0.1:8080");
    /// ```
    #[must_use]
    pub fn with_base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// These URLs with the upload host at `url`.
    #[must_use]
    pub fn with_upload_url(mut self, url: impl Into<String>) -> Self {
        self.upload_url = url.into();
        self
    }

    /// These URLs with the OAuth 2.0 authorization host at `url`.
    #[must_use]
    pub fn with_oauth2_url(mut self, url: impl Into<String>) -> Self {
        self.oauth2_url = url.into();
        self
    }

    /// These URLs with the zip download host at `url`.
    #[must_use]
    pub fn with_download_url(mut self, url: impl Into<String>) -> Self {
        self.download_url = url.into();
        self
    }

    /// The base URL of `kind`.
    ///
    /// # Example
    /// ```
    /// use box_sdk_gen::network::{BaseUrlKind, BaseUrls};
    ///
    /// assert_eq!(BaseUrls::default().get(BaseUrlKind::Api), "https://api.box.com");
    /// ```
    pub fn get(&self, kind: BaseUrlKind) -> &str {
        match kind {
            BaseUrlKind::Api => &self.base_url,
            BaseUrlKind::Upload => &self.upload_url,
            BaseUrlKind::OAuth2 => &self.oauth2_url,
            BaseUrlKind::Download => &self.download_url,
        }
    }

    /// Checks every URL and drops trailing slashes, so that paths can be appended.
    pub(crate) fn validated(mut self) -> Result<Self, BoxError> {
        for (name, url) in [
            ("base_url", &mut self.base_url),
            ("upload_url", &mut self.upload_url),
            ("oauth2_url", &mut self.oauth2_url),
            ("download_url", &mut self.download_url),
        ] {
            let parsed = reqwest::Url::parse(url).map_err(|e| {
                BoxError::configuration(format!("the {name} `{url}` is not a URL: {e}"))
            })?;
            if !matches!(parsed.scheme(), "http" | "https") {
                return Err(BoxError::configuration(format!(
                    "the {name} `{url}` is not an http or https URL"
                )));
            }
            if parsed.query().is_some() || parsed.fragment().is_some() {
                return Err(BoxError::configuration(format!(
                    "the {name} `{url}` has a query or fragment; a base URL cannot"
                )));
            }
            let trimmed = url.trim_end_matches('/').len();
            url.truncate(trimmed);
        }
        Ok(self)
    }
}

/// The network settings of a client: base URLs, headers added to every request, and
/// the HTTP client whose connection pool every clone of the client shares.
///
/// # Example
/// ```
/// use box_sdk_gen::network::{BaseUrls, NetworkSession};
///
/// # fn main() -> Result<(), box_sdk_gen::errors::BoxError> {
/// let urls = BaseUrls::default().with_base_url("http://127.0.0.1:8080");
/// let session = NetworkSession::builder()
///     .base_urls(urls)
///     .additional_header("X-Team", "identity")
///     .build()?;
/// assert_eq!(session.base_urls().base_url, "http://127.0.0.1:8080");
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct NetworkSession {
    base_urls: BaseUrls,
    additional_headers: HeaderMap,
    http: reqwest::Client,
    retry_strategy: Arc<dyn RetryStrategy>,
    attempt_timeout: Option<Duration>,
    deadline: Option<Duration>,
    max_response_bytes: usize,
}

impl NetworkSession {
    /// A builder with Box's defaults.
    pub fn builder() -> NetworkSessionBuilder {
        NetworkSessionBuilder::default()
    }

    /// A session with Box's defaults: Box's base URLs, no extra headers, and a new
    /// HTTP client.
    ///
    /// # Errors
    /// A configuration error when the HTTP client cannot be built (TLS cannot be
    /// set up on this platform).
    pub fn new() -> Result<Self, BoxError> {
        Self::builder().build()
    }

    /// The base URLs.
    pub fn base_urls(&self) -> &BaseUrls {
        &self.base_urls
    }

    /// The session with `base_urls` instead.
    ///
    /// # Errors
    /// A configuration error when a URL is not an http or https URL.
    pub fn with_custom_base_urls(&self, base_urls: BaseUrls) -> Result<Self, BoxError> {
        Ok(Self {
            base_urls: base_urls.validated()?,
            ..self.clone()
        })
    }

    /// The session with `headers` added to every request, replacing headers of the
    /// same names.
    ///
    /// # Errors
    /// An invalid-argument error when a name or value cannot be sent in HTTP.
    pub fn with_additional_headers<K, V>(
        &self,
        headers: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Self, BoxError>
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut session = self.clone();
        session.additional_headers.extend(header_map(headers)?);
        Ok(session)
    }

    pub(crate) fn additional_headers(&self) -> &HeaderMap {
        &self.additional_headers
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The retry strategy.
    pub fn retry_strategy(&self) -> &dyn RetryStrategy {
        self.retry_strategy.as_ref()
    }

    /// The longest one attempt may take, if limited.
    pub fn attempt_timeout(&self) -> Option<Duration> {
        self.attempt_timeout
    }

    /// The longest a whole call may take, retries and waits included, if limited.
    pub fn deadline(&self) -> Option<Duration> {
        self.deadline
    }

    /// The largest response body read.
    pub fn max_response_bytes(&self) -> usize {
        self.max_response_bytes
    }
}

// The HTTP client is left out: its `Debug` prints its default headers and proxy URLs,
// which a caller may have filled with credentials without marking them sensitive.
// The additional headers went through `header`, so their secrets print as `Sensitive`.
impl fmt::Debug for NetworkSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NetworkSession")
            .field("base_urls", &self.base_urls)
            .field("additional_headers", &self.additional_headers)
            .field("retry_strategy", &self.retry_strategy)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("deadline", &self.deadline)
            .field("max_response_bytes", &self.max_response_bytes)
            .finish_non_exhaustive()
    }
}

/// Builds a [`NetworkSession`]; every setting has Box's default.
///
/// # Example
/// ```
/// use box_sdk_gen::network::NetworkSession;
///
/// # fn main() -> Result<(), box_sdk_gen::errors::BoxError> {
/// let session = NetworkSession::builder().build()?;
/// assert_eq!(session.base_urls().base_url, "https://api.box.com");
/// # Ok(())
/// # }
/// ```
#[must_use]
pub struct NetworkSessionBuilder {
    base_urls: BaseUrls,
    additional_headers: BTreeMap<String, String>,
    http: Option<reqwest::Client>,
    retry_strategy: Arc<dyn RetryStrategy>,
    connect_timeout: Option<Duration>,
    attempt_timeout: Option<Duration>,
    deadline: Option<Duration>,
    max_response_bytes: usize,
}

impl Default for NetworkSessionBuilder {
    fn default() -> Self {
        Self {
            base_urls: BaseUrls::default(),
            additional_headers: BTreeMap::new(),
            http: None,
            retry_strategy: Arc::new(BoxRetryStrategy::default()),
            connect_timeout: Some(DEFAULT_CONNECT_TIMEOUT),
            attempt_timeout: Some(DEFAULT_ATTEMPT_TIMEOUT),
            deadline: None,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }
}

// The headers are still plain strings here, so sensitive values are hidden by name;
// the HTTP client is left out for the reason given at `NetworkSession`'s `Debug`.
impl fmt::Debug for NetworkSessionBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: BTreeMap<&str, &dyn fmt::Debug> = self
            .additional_headers
            .iter()
            .map(|(name, value)| {
                let shown: &dyn fmt::Debug = if is_sensitive_header_name(name) {
                    &Sensitive
                } else {
                    value
                };
                (name.as_str(), shown)
            })
            .collect();
        f.debug_struct("NetworkSessionBuilder")
            .field("base_urls", &self.base_urls)
            .field("additional_headers", &headers)
            .field("retry_strategy", &self.retry_strategy)
            .field("connect_timeout", &self.connect_timeout)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("deadline", &self.deadline)
            .field("max_response_bytes", &self.max_response_bytes)
            .finish_non_exhaustive()
    }
}

/// Stands for a header value in `Debug`, printed as `http` prints a sensitive one.
struct Sensitive;

impl fmt::Debug for Sensitive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sensitive")
    }
}

impl NetworkSessionBuilder {
    /// The base URLs of Box's hosts. The default is Box's own.
    pub fn base_urls(mut self, base_urls: BaseUrls) -> Self {
        self.base_urls = base_urls;
        self
    }

    /// A header to send with every request. By default there is none.
    ///
    /// Every request means the token endpoint's too: a session's headers describe
    /// the connection (a proxy's, a tenant's), while headers meant for API calls
    /// only, such as As-User, belong on the client
    /// ([`BoxClient::with_extra_headers`](crate::client::BoxClient::with_extra_headers)).
    pub fn additional_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.additional_headers.insert(name.into(), value.into());
        self
    }

    /// The HTTP client to send requests with, for its proxy, TLS or pool settings.
    /// By default the session builds its own; a client given here keeps its own
    /// connect timeout, and [`connect_timeout`](Self::connect_timeout) is not used.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// When to send a request again. The default is [`BoxRetryStrategy`]: at most
    /// 5 attempts, with Box's backoff.
    pub fn retry_strategy(mut self, strategy: impl RetryStrategy) -> Self {
        self.retry_strategy = Arc::new(strategy);
        self
    }

    /// The longest connecting to Box may take, or `None` for no limit. The default
    /// is 10 seconds.
    pub fn connect_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The longest one attempt may take, from sending the request to reading the
    /// last byte of the answer, or `None` for no limit. An attempt that runs out of
    /// time is retried like a network error. The default is 60 seconds.
    pub fn attempt_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.attempt_timeout = timeout;
        self
    }

    /// The longest a whole call may take, every attempt and wait between them
    /// included, or `None` for no limit beyond the attempts'. The default is `None`:
    /// with the other defaults a call still ends, after at most 5 attempts of 60
    /// seconds and the waits between them.
    pub fn deadline(mut self, deadline: Option<Duration>) -> Self {
        self.deadline = deadline;
        self
    }

    /// The largest response body to read, in bytes. A larger one ends the call with
    /// an error, without the rest being read. The default is 16 MiB.
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// Checks the settings and builds the session.
    ///
    /// # Errors
    /// A configuration error for a base URL that is not an http or https URL, or an
    /// HTTP client that cannot be built; an invalid-argument error for a header
    /// HTTP cannot carry.
    pub fn build(self) -> Result<NetworkSession, BoxError> {
        let base_urls = self.base_urls.validated()?;
        let additional_headers = header_map(&self.additional_headers)?;
        let http = match self.http {
            Some(client) => client,
            None => {
                let mut builder = reqwest::Client::builder();
                if let Some(timeout) = self.connect_timeout {
                    builder = builder.connect_timeout(timeout);
                }
                builder.build().map_err(|e| {
                    BoxError::configuration("cannot build the HTTP client").with_source(e)
                })?
            }
        };
        Ok(NetworkSession {
            base_urls,
            additional_headers,
            http,
            retry_strategy: self.retry_strategy,
            attempt_timeout: self.attempt_timeout,
            deadline: self.deadline,
            max_response_bytes: self.max_response_bytes,
        })
    }
}

/// Checks that every `name: value` can be sent as an HTTP header, and collects
/// them; a later value replaces an earlier one of the same name.
pub(crate) fn header_map<K, V>(
    headers: impl IntoIterator<Item = (K, V)>,
) -> Result<HeaderMap, BoxError>
where
    K: AsRef<str>,
    V: AsRef<str>,
{
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        let (name, value) = header(name.as_ref(), value.as_ref())?;
        map.insert(name, value);
    }
    Ok(map)
}

/// Checks that `name: value` can be sent as an HTTP header, and marks the value
/// sensitive when [`is_sensitive_header_name`] says the name carries a secret.
pub(crate) fn header(name: &str, value: &str) -> Result<(HeaderName, HeaderValue), BoxError> {
    let parsed_name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
        BoxError::invalid_argument(format!("`{name}` is not a valid HTTP header name"))
    })?;
    let mut parsed_value = HeaderValue::from_str(value).map_err(|_| {
        BoxError::invalid_argument(format!(
            "the value of the `{name}` header has characters HTTP cannot carry"
        ))
    })?;
    if is_sensitive_header_name(parsed_name.as_str()) {
        parsed_value.set_sensitive(true);
    }
    Ok((parsed_name, parsed_value))
}

/// Parts of header names, compared without case, whose values are taken for
/// secrets. `auth` covers `authorization`, `proxy-authorization` and
/// `www-authenticate`; `cookie` covers `set-cookie`; `key` covers `x-api-key`.
const SENSITIVE_HEADER_NAME_PARTS: &[&str] = &[
    "auth",
    "cookie",
    "credential",
    "key",
    "passphrase",
    "password",
    "secret",
    "session",
    "token",
];

/// Whether the value of the header `name` may be a secret: whether the name holds
/// one of [`SENSITIVE_HEADER_NAME_PARTS`].
///
/// The rule errs towards hiding, since a value wrongly marked sensitive costs
/// little: it prints as `Sensitive` in `Debug` and stays out of HTTP/2's header
/// compression table, and it is sent all the same.
pub(crate) fn is_sensitive_header_name(name: &str) -> bool {
    SENSITIVE_HEADER_NAME_PARTS.iter().any(|part| {
        name.as_bytes()
            .windows(part.len())
            .any(|window| window.eq_ignore_ascii_case(part.as_bytes()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errors::ErrorKind;

    #[test]
    fn a_new_session_has_the_documented_defaults() {
        let session = NetworkSession::new().unwrap();

        assert_eq!(session.attempt_timeout(), Some(Duration::from_secs(60)));
        assert_eq!(session.deadline(), None);
        assert_eq!(session.max_response_bytes(), 16 * 1024 * 1024);
        assert_eq!(session.base_urls(), &BaseUrls::default());
        assert_eq!(session.base_urls().base_url, "https://api.box.com");
        let strategy = format!("{:?}", session.retry_strategy());
        assert!(strategy.contains("max_attempts: 5"), "{strategy}");
        assert!(strategy.contains("max_network_attempts: 3"), "{strategy}");
        assert!(strategy.contains("retry_base_interval: 1s"), "{strategy}");
        assert!(strategy.contains("max_retry_after: 60s"), "{strategy}");
    }

    #[test]
    fn base_urls_lose_trailing_slashes() {
        let urls = BaseUrls::default().with_base_url("http://127.0.0.1:1/");

        let urls = urls.validated().unwrap();

        assert_eq!(urls.base_url, "http://127.0.0.1:1");
    }

    #[test]
    fn a_base_url_that_is_not_http_is_a_configuration_error() {
        let urls = BaseUrls::default().with_upload_url("ftp://example.com");

        let err = NetworkSession::builder()
            .base_urls(urls)
            .build()
            .unwrap_err();

        assert_eq!(err.kind(), ErrorKind::Configuration);
        assert_eq!(
            err.to_string(),
            "the upload_url `ftp://example.com` is not an http or https URL"
        );
    }

    #[test]
    fn a_header_value_with_a_newline_is_an_invalid_argument() {
        let err = NetworkSession::builder()
            .additional_header("X-Ok", "a\nb")
            .build()
            .unwrap_err();

        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
        assert_eq!(
            err.to_string(),
            "the value of the `X-Ok` header has characters HTTP cannot carry"
        );
    }

    #[test]
    fn debug_of_a_session_hides_secret_header_values() {
        let session = NetworkSession::builder()
            .additional_header("Authorization", "Bearer S3CRET-BEARER")
            .additional_header("X-Api-Key", "S3CRET-KEY")
            .additional_header("X-Team", "identity")
            .build()
            .unwrap();
        let session = session
            .with_additional_headers([("X-Auth-Token", "S3CRET-TOKEN")])
            .unwrap();

        let debug = format!("{session:?}");

        assert!(!debug.contains("S3CRET"), "{debug}");
        assert!(debug.contains(r#""authorization": Sensitive"#), "{debug}");
        assert!(debug.contains(r#""x-api-key": Sensitive"#), "{debug}");
        assert!(debug.contains(r#""x-team": "identity""#), "{debug}");
    }

    #[test]
    fn debug_of_a_builder_hides_secret_header_values() {
        let builder = NetworkSession::builder()
            .additional_header("Authorization", "Bearer S3CRET")
            .additional_header("X-Team", "identity");

        let debug = format!("{builder:?}");

        assert!(!debug.contains("S3CRET"), "{debug}");
        assert!(debug.contains(r#""Authorization": Sensitive"#), "{debug}");
        assert!(debug.contains(r#""X-Team": "identity""#), "{debug}");
    }

    #[test]
    fn headers_with_secret_names_are_marked_sensitive() {
        let names = [
            "authorization",
            "Proxy-Authorization",
            "cookie",
            "X-Api-Key",
            "x-session-id",
        ];

        let marked: Vec<bool> = names
            .iter()
            .chain(["as-user", "x-team"].iter())
            .map(|name| header(name, "value").unwrap().1.is_sensitive())
            .collect();

        assert_eq!(marked, [true, true, true, true, true, false, false]);
    }
}

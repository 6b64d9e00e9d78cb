//! The raw request path: any Box endpoint, through the same transport as the
//! generated operations.
//!
//! Like `makeRequest` in Box's own SDKs,
//! [`BoxClient::make_request`](crate::client::BoxClient::make_request) sends a
//! request the crate has no operation for — a multipart upload, which progenitor
//! cannot generate, or an endpoint not yet in `openapi/operations.toml` — with the
//! client's authentication, headers, retries, timeouts, size limit and tracing.

use std::collections::BTreeMap;

use bytes::Bytes;
use progenitor_client::{ClientHooks, OperationInfo, ResponseValue};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::errors::BoxError;
use crate::network::{BaseUrlKind, BaseUrls};
use crate::schemas::ClientError;
use crate::transport::Api;

/// The operation id raw requests run under, in logs and the transport's table.
const RAW_OPERATION: &str = "make_request";

/// A request to send as it is.
///
/// # Example
/// ```
/// use box_sdk_gen::fetch::FetchOptions;
///
/// let options = FetchOptions::new("GET", "/2.0/users/me").with_param("fields", "id,name");
/// # let _ = options;
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct FetchOptions {
    /// The HTTP method, such as `GET`.
    pub method: String,
    /// A path (`/2.0/…`) on the client's API base URL, or an absolute URL on one
    /// of the client's base URLs; any other host is refused, because the request
    /// carries the access token.
    pub url: String,
    /// Query parameters.
    pub params: BTreeMap<String, String>,
    /// Headers for this request, sent after the client's.
    pub headers: BTreeMap<String, String>,
    /// The body and its content type, if any.
    pub body: Option<(String, Bytes)>,
    /// Ends the request when cancelled.
    pub cancellation_token: Option<CancellationToken>,
}

impl FetchOptions {
    /// A request of `method` to `url` with nothing else.
    ///
    /// # Example
    /// ```
    /// use box_sdk_gen::fetch::FetchOptions;
    ///
    /// let options = FetchOptions::new("DELETE", "/2.0/files/12345");
    ///
    /// assert_eq!(options.method, "DELETE");
    /// assert!(options.params.is_empty() && options.headers.is_empty() && options.body.is_none());
    /// ```
    pub fn new(method: impl Into<String>, url: impl Into<String>) -> Self {
        Self {
            method: method.into(),
            url: url.into(),
            ..Self::default()
        }
    }

    /// The request with the query parameter `name=value`.
    ///
    /// # Example
    /// ```
    /// use box_sdk_gen::fetch::FetchOptions;
    ///
    /// let options = FetchOptions::new("GET", "/2.0/folders/0/items")
    ///     .with_param("limit", "100")
    ///     .with_param("offset", "200");
    ///
    /// assert_eq!(options.params["offset"], "200");
    /// ```
    ///
    /// A second value for the same name replaces the first.
    #[must_use]
    pub fn with_param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.params.insert(name.into(), value.into());
        self
    }

    /// The request with the header `name: value`.
    ///
    /// # Example
    /// ```
    /// use box_sdk_gen::fetch::FetchOptions;
    ///
    /// let options = FetchOptions::new("GET", "/2.0/files/12345/metadata")
    ///     .with_header("If-None-Match", "3");
    ///
    /// assert_eq!(options.headers["If-None-Match"], "3");
    /// ```
    #[must_use]
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.insert(name.into(), value.into());
        self
    }

    /// The request with a JSON body.
    ///
    /// # Example
    /// ```
    /// use box_sdk_gen::fetch::FetchOptions;
    ///
    /// let folder = serde_json::json!({"name": "Reports", "parent": {"id": "0"}});
    /// let options = FetchOptions::new("POST", "/2.0/folders").with_json(&folder);
    ///
    /// let (content_type, body) = options.body.unwrap();
    /// assert_eq!(content_type, "application/json");
    /// assert_eq!(serde_json::from_slice::<serde_json::Value>(&body).unwrap(), folder);
    /// ```
    #[must_use]
    pub fn with_json(mut self, body: &Value) -> Self {
        self.body = Some(("application/json".into(), Bytes::from(body.to_string())));
        self
    }

    /// The request with `body` of `content_type`, such as a multipart body.
    ///
    /// # Example
    /// ```
    /// use box_sdk_gen::fetch::FetchOptions;
    ///
    /// let body = "--b\r\n\
    ///     Content-Disposition: form-data; name=\"attributes\"\r\n\r\n\
    ///     {\"name\":\"notes.txt\",\"parent\":{\"id\":\"0\"}}\r\n\
    ///     --b\r\n\
    ///     Content-Disposition: form-data; name=\"file\"; filename=\"notes.txt\"\r\n\r\n\
    ///     hello\r\n\
    ///     --b--\r\n";
    /// let upload = FetchOptions::new("POST", "https://upload.box.com/api/2.0/files/content")
    ///     .with_body("multipart/form-data; boundary=b", body);
    ///
    /// let (content_type, sent) = upload.body.unwrap();
    /// assert_eq!(content_type, "multipart/form-data; boundary=b");
    /// assert!(sent.ends_with(b"hello\r\n--b--\r\n"));
    /// ```
    #[must_use]
    pub fn with_body(mut self, content_type: impl Into<String>, body: impl Into<Bytes>) -> Self {
        self.body = Some((content_type.into(), body.into()));
        self
    }

    /// The request ended by `token`.
    ///
    /// # Example
    /// ```
    /// use box_sdk_gen::CancellationToken;
    /// use box_sdk_gen::fetch::FetchOptions;
    ///
    /// let cancel = CancellationToken::new();
    /// let options =
    ///     FetchOptions::new("GET", "/2.0/events").with_cancellation_token(cancel.clone());
    ///
    /// // Cancelling the token, from any task, ends the request.
    /// cancel.cancel();
    /// assert!(options.cancellation_token.unwrap().is_cancelled());
    /// ```
    #[must_use]
    pub fn with_cancellation_token(mut self, token: CancellationToken) -> Self {
        self.cancellation_token = Some(token);
        self
    }
}

/// What Box answered to a raw request with a success status.
///
/// # Example
/// ```
/// use box_sdk_gen::fetch::FetchOptions;
/// use box_sdk_gen::testing::{self, Sandbox};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), box_sdk_gen::errors::BoxError> {
/// let sandbox = Sandbox::start().await?;
/// let client = sandbox.client()?;
///
/// let answer = client.make_request(FetchOptions::new("GET", "/2.0/users/me")).await?;
///
/// assert_eq!(answer.status, 200);
/// assert_eq!(answer.headers["content-type"], "application/json");
/// assert_eq!(answer.json()?["id"], testing::ADMIN_USER_ID);
/// # Ok(())
/// # }
/// ```
///
/// An error status is a [`BoxError`], as for every other call.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FetchResponse {
    /// The HTTP status.
    pub status: u16,
    /// The headers, names lowercased; values that are not text are left out.
    pub headers: BTreeMap<String, String>,
    /// The body, read whole within the session's size limit.
    pub body: Bytes,
}

impl FetchResponse {
    /// The body as JSON.
    ///
    /// # Example
    /// ```
    /// # use box_sdk_gen::fetch::FetchOptions;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), box_sdk_gen::errors::BoxError> {
    /// # let sandbox = box_sdk_gen::testing::Sandbox::start().await?;
    /// # let client = sandbox.client()?;
    /// let answer = client.make_request(FetchOptions::new("GET", "/2.0/users/me")).await?;
    ///
    /// let me = answer.json()?;
    ///
    /// assert_eq!(me["login"], "admin@sandbox.example");
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// A decode error when the body is not JSON.
    pub fn json(&self) -> Result<Value, BoxError> {
        serde_json::from_slice(&self.body).map_err(|e| BoxError::decode(self.status, &self.body, e))
    }
}

/// The transport's view of a raw answer. It implements `Deserialize` only because
/// the transport can decode an undocumented success as the operation's type; a raw
/// request has no undocumented status, so that path never runs for it.
struct RawAnswer(FetchResponse);

impl<'de> serde::Deserialize<'de> for RawAnswer {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Ok(Self(FetchResponse {
            status: 200,
            headers: BTreeMap::new(),
            body: Bytes::from(value.to_string()),
        }))
    }
}

/// Refuses an absolute URL on a host that is none of the session's base URLs.
///
/// Every raw request carries the access token, so a URL on another host (a
/// mistyped one, or one taken from a response) would hand the token to whoever
/// runs that host. Box's own SDKs send it anyway.
fn check_box_host(url: &reqwest::Url, base_urls: &BaseUrls) -> Result<(), BoxError> {
    let origin = url.origin();
    let known = [
        BaseUrlKind::Api,
        BaseUrlKind::Upload,
        BaseUrlKind::OAuth2,
        BaseUrlKind::Download,
    ]
    .into_iter()
    .filter_map(|kind| reqwest::Url::parse(base_urls.get(kind)).ok())
    .any(|base| base.origin() == origin);
    if known {
        return Ok(());
    }
    Err(BoxError::invalid_argument(format!(
        "`{}` is on none of the client's base URLs, and the request would carry the \
         access token there",
        url.origin().ascii_serialization()
    )))
}

/// Sends `options` through `api`'s transport.
pub(crate) async fn make_request(
    api: &Api,
    options: FetchOptions,
) -> Result<FetchResponse, BoxError> {
    let method = reqwest::Method::from_bytes(options.method.as_bytes()).map_err(|_| {
        BoxError::invalid_argument(format!("`{}` is not an HTTP method", options.method))
    })?;
    let url = if options.url.starts_with('/') {
        format!("{}{}", api.network().base_urls().base_url, options.url)
    } else {
        options.url.clone()
    };
    let url = reqwest::Url::parse(&url)
        .map_err(|e| BoxError::invalid_argument(format!("`{url}` is not a URL: {e}")))?;
    check_box_host(&url, api.network().base_urls())?;

    let client = api.generated();
    let send = || {
        let (method, url) = (method.clone(), url.clone());
        let options = &options;
        async move {
            let mut builder = client.client.request(method, url).query(&options.params);
            if let Some((content_type, body)) = &options.body {
                builder = builder
                    .header(reqwest::header::CONTENT_TYPE, content_type.as_str())
                    .body(body.clone());
            }
            let mut request = builder.build()?;
            let info = OperationInfo {
                operation_id: RAW_OPERATION,
            };
            client.pre::<ClientError>(&mut request, &info).await?;
            let result = client.exec(request, &info).await;
            client.post::<ClientError>(&result, &info).await?;
            let response = result?;
            let status = response.status();
            if !status.is_success() {
                return Err(progenitor_client::Error::UnexpectedResponse(response));
            }
            let headers = response.headers().clone();
            let body = response
                .bytes()
                .await
                .map_err(progenitor_client::Error::ResponseBodyError)?;
            let answer = FetchResponse {
                status: status.as_u16(),
                headers: headers
                    .iter()
                    .filter_map(|(n, v)| {
                        Some((n.as_str().to_string(), v.to_str().ok()?.to_string()))
                    })
                    .collect(),
                body,
            };
            Ok::<_, progenitor_client::Error<ClientError>>(ResponseValue::new(
                RawAnswer(answer),
                status,
                headers,
            ))
        }
    };
    let answer: RawAnswer = api
        .call(&options.headers, options.cancellation_token.as_ref(), send)
        .await?;
    Ok(answer.0)
}

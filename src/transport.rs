//! The one request path every generated operation goes through.
//!
//! A facade method hands [`Api::call`] a closure that calls one generated
//! operation. `call` does what every operation needs: it checks cancellation, gets
//! an access token, runs the operation with a per-call context, and maps whatever
//! came back into the crate's [`BoxError`]. The generated code calls the
//! `ClientHooks` implemented here for every request, which add the headers and send
//! the request to its operation's Box host. A new operation gets all of this by
//! being generated: it carries no copy of its own.

use std::sync::{Arc, Mutex};

use progenitor_client::{ClientHooks, OperationInfo, ResponseValue};
use reqwest::header::{self, HeaderMap, HeaderValue};
use serde::de::DeserializeOwned;
use tokio_util::sync::CancellationToken;

use crate::auth::Authentication;
use crate::errors::{ApiError, BoxError};
use crate::generated;
use crate::network::{BaseUrlKind, BaseUrls, NetworkSession};
use crate::schemas::ClientError;

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
    /// The client's own headers: As-User and the like.
    client_headers: HeaderMap,
    /// Sent with every request: the SDK's identification, the session's additional
    /// headers, then the client's own, later ones winning. Built once per client.
    headers: HeaderMap,
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
        for (name, value) in network.additional_headers().iter().chain(&client_headers) {
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

    /// Runs one generated operation as one call.
    ///
    /// `send` starts the operation on [`generated`](Self::generated); it is a
    /// closure so that the transport decides when, and how often, to start it.
    /// `extra_headers` are the call's own headers, sent last. A cancelled
    /// `cancellation` ends the call at once, before or during the request.
    pub(crate) async fn call<T, F, Fut>(
        &self,
        extra_headers: &std::collections::BTreeMap<String, String>,
        cancellation: Option<&CancellationToken>,
        send: F,
    ) -> Result<T, BoxError>
    where
        T: DeserializeOwned,
        F: Fn() -> Fut,
        Fut: Future<Output = Result<ResponseValue<T>, progenitor_client::Error<ClientError>>>,
    {
        let cancellation = cancellation.cloned().unwrap_or_default();
        if cancellation.is_cancelled() {
            return Err(BoxError::cancelled());
        }
        let headers = crate::network::header_map(extra_headers)?;

        let attempt = async {
            let token = self.auth().retrieve_token().await?;
            let context = CallContext::new(&token, headers)?;
            CALL.scope(context, async {
                let result = send().await;
                let last = CALL.with(|context| context.take_last_response());
                self.map_result(result, last).await
            })
            .await
        };
        tokio::select! {
            biased;
            () = cancellation.cancelled() => Err(BoxError::cancelled()),
            result = attempt => result,
        }
    }

    /// Maps what the generated operation returned into the crate's result.
    async fn map_result<T: DeserializeOwned>(
        &self,
        result: Result<ResponseValue<T>, progenitor_client::Error<ClientError>>,
        last: Option<(u16, HeaderMap)>,
    ) -> Result<T, BoxError> {
        use progenitor_client::Error as E;

        let error = match result {
            Ok(value) => return Ok(value.into_inner()),
            Err(error) => error,
        };
        let mapped = match error {
            E::ErrorResponse(value) => {
                let status = value.status().as_u16();
                let headers = value.headers().clone();
                BoxError::api(ApiError::from_client_error(
                    status,
                    headers,
                    value.into_inner(),
                ))
            }
            // The body of a documented status did not decode. The generated code
            // does not say which status that was; the `post` hook recorded it.
            E::InvalidResponsePayload(body, source) => match last {
                Some((status, _)) if (200..300).contains(&status) => {
                    BoxError::decode(status, &body, source)
                }
                Some((status, headers)) => {
                    BoxError::api(ApiError::from_raw(status, headers, &body))
                }
                // Unreachable while the `post` hook records every response.
                None => BoxError::new(
                    crate::errors::ErrorKind::Decode,
                    "cannot decode the response body",
                )
                .with_source(source),
            },
            // A status the spec does not list: a 2xx is still a success whose body
            // should decode, anything else an error.
            E::UnexpectedResponse(response) => {
                let status = response.status().as_u16();
                let headers = response.headers().clone();
                let body = response.bytes().await.map_err(BoxError::from_reqwest)?;
                if (200..300).contains(&status) {
                    return serde_json::from_slice(&body)
                        .map_err(|e| BoxError::decode(status, &body, e));
                }
                BoxError::api(ApiError::from_raw(status, headers, &body))
            }
            E::CommunicationError(e) | E::ResponseBodyError(e) | E::InvalidUpgrade(e) => {
                BoxError::from_reqwest(e)
            }
            E::InvalidRequest(message) | E::Custom(message) => BoxError::invalid_argument(message),
        };
        Err(match (mapped.status(), self.auth().unauthorized_hint()) {
            (Some(401), Some(hint)) => mapped.with_hint(hint),
            _ => mapped,
        })
    }
}

tokio::task_local! {
    /// What the hooks need to know about the call they run in.
    static CALL: CallContext;
}

struct CallContext {
    authorization: HeaderValue,
    extra_headers: HeaderMap,
    /// The status and headers of the last response, recorded by the `post` hook.
    last_response: Mutex<Option<(u16, HeaderMap)>>,
}

impl CallContext {
    fn new(token: &crate::auth::AccessToken, extra_headers: HeaderMap) -> Result<Self, BoxError> {
        use secrecy::ExposeSecret;

        let mut authorization =
            HeaderValue::from_str(&format!("Bearer {}", token.access_token().expose_secret()))
                .map_err(|_| {
                    BoxError::configuration("the access token has characters HTTP cannot carry")
                })?;
        authorization.set_sensitive(true);
        Ok(Self {
            authorization,
            extra_headers,
            last_response: Mutex::new(None),
        })
    }

    fn take_last_response(&self) -> Option<(u16, HeaderMap)> {
        self.last_response
            .lock()
            .map(|mut last| last.take())
            .unwrap_or(None)
    }
}

/// The host `operation_id` is served from; `Api` for an unknown id.
pub(crate) fn base_url_kind(operation_id: &str) -> BaseUrlKind {
    generated::OPERATION_BASE_URLS
        .binary_search_by(|(id, _)| id.cmp(&operation_id))
        .map(|i| generated::OPERATION_BASE_URLS[i].1)
        .unwrap_or(BaseUrlKind::Api)
}

impl ClientHooks<Transport> for generated::Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        let shared = &self.inner.shared;
        let headers = request.headers_mut();
        // progenitor sends the spec's `info.version` as `api-version` on every
        // request. Box's own SDKs send no such header and Box does not read it.
        headers.remove("api-version");
        for (name, value) in &shared.headers {
            headers.insert(name, value.clone());
        }
        CALL.try_with(|call| {
            headers.insert(header::AUTHORIZATION, call.authorization.clone());
            for (name, value) in &call.extra_headers {
                headers.insert(name, value.clone());
            }
        })
        .map_err(|_| {
            progenitor_client::Error::Custom("an operation ran outside `Api::call`".into())
        })?;

        route_to_host(
            request,
            shared.network.base_urls(),
            base_url_kind(info.operation_id),
        )
        .map_err(progenitor_client::Error::InvalidRequest)
    }

    async fn post<E>(
        &self,
        result: &reqwest::Result<reqwest::Response>,
        _info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        if let Ok(response) = result {
            let seen = (response.status().as_u16(), response.headers().clone());
            let _ = CALL.try_with(|call| {
                if let Ok(mut last) = call.last_response.lock() {
                    *last = Some(seen);
                }
            });
        }
        Ok(())
    }
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

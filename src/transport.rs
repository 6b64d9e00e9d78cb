//! The one request path every generated operation goes through.
//!
//! progenitor's generated methods build a `reqwest::Request` and hand it to the
//! `ClientHooks` implemented here, so whatever is done here is done for every
//! operation, including ones added later: no operation carries its own copy.

use std::sync::Arc;

use progenitor_client::{ClientHooks, OperationInfo};

use crate::generated;
use crate::network::{BaseUrlKind, BaseUrls};

/// Per-client state the generated client carries to the hooks.
#[derive(Debug, Clone, Default)]
pub(crate) struct Transport {
    base_urls: Arc<BaseUrls>,
}

// Until the facade builds clients, only the tests do.
#[allow(dead_code)]
impl Transport {
    pub(crate) fn new(base_urls: BaseUrls) -> Self {
        Self {
            base_urls: Arc::new(base_urls),
        }
    }
}

/// The host `operation_id` is served from; `Api` for an unknown id.
pub(crate) fn base_url_kind(operation_id: &str) -> BaseUrlKind {
    generated::OPERATION_BASE_URLS
        .binary_search_by(|(id, _)| id.cmp(&operation_id))
        .map(|i| generated::OPERATION_BASE_URLS[i].1)
        .unwrap_or(BaseUrlKind::Api)
}

/// Builds the generated client for `transport`, on the API base URL.
#[allow(dead_code)]
pub(crate) fn generated_client(http: reqwest::Client, transport: Transport) -> generated::Client {
    let base_url = transport.base_urls.base_url.clone();
    generated::Client::new_with_client(&base_url, http, transport)
}

impl ClientHooks<Transport> for generated::Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        // progenitor sends the spec's `info.version` as `api-version` on every
        // request. Box's own SDKs send no such header and Box does not read it.
        request.headers_mut().remove("api-version");

        route_to_host(
            request,
            &self.inner.base_urls,
            base_url_kind(info.operation_id),
        )
        .map_err(progenitor_client::Error::InvalidRequest)
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

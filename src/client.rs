//! [`BoxClient`], the entry point: an authentication and a network session, with
//! one manager per group of Box operations.

use std::sync::Arc;

use reqwest::header::{HeaderMap, HeaderValue};

use crate::auth::Authentication;
use crate::errors::BoxError;
use crate::managers::file_metadata::FileMetadataManager;
use crate::managers::session_termination::SessionTerminationManager;
use crate::managers::users::UsersManager;
use crate::network::{BaseUrls, NetworkSession};
use crate::transport::Api;

/// A client of the Box API.
///
/// Cloning is cheap, and clones share the authentication, its tokens and one HTTP
/// connection pool. The `with_…` methods return a new client that shares them too.
///
/// # Example
/// ```no_run
/// use box_sdk_gen::auth::BoxDeveloperTokenAuth;
/// use box_sdk_gen::client::BoxClient;
/// use box_sdk_gen::managers::session_termination::CreateUserTerminateSessionHeaders;
/// use box_sdk_gen::schemas::CreateUserTerminateSessionRequestBody;
///
/// # async fn run() -> Result<(), box_sdk_gen::errors::BoxError> {
/// let client = BoxClient::new(BoxDeveloperTokenAuth::new("my-developer-token"))?;
/// let body = CreateUserTerminateSessionRequestBody::new(["123456"], ["leaver@example.com"]);
/// let message = client
///     .session_termination
///     .create_user_terminate_session(&body, CreateUserTerminateSessionHeaders::default(), None)
///     .await?;
/// println!("{}", message.message.unwrap_or_default());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct BoxClient {
    /// Ends users' and groups' sessions.
    pub session_termination: SessionTerminationManager,
    /// Users: who the credentials act as.
    pub users: UsersManager,
    /// Metadata on files.
    pub file_metadata: FileMetadataManager,
    api: Api,
}

impl BoxClient {
    /// A client using `auth`, with Box's default network settings.
    ///
    /// # Errors
    /// A configuration error when the HTTP client cannot be built.
    pub fn new(auth: impl Authentication) -> Result<Self, BoxError> {
        Ok(Self::with_network_session(auth, NetworkSession::new()?))
    }

    /// A client using `auth` through `network_session`.
    ///
    /// # Example
    /// ```
    /// use box_sdk_gen::auth::BoxDeveloperTokenAuth;
    /// use box_sdk_gen::client::BoxClient;
    /// use box_sdk_gen::network::NetworkSession;
    ///
    /// # fn main() -> Result<(), box_sdk_gen::errors::BoxError> {
    /// let session = NetworkSession::builder().additional_header("X-Team", "identity").build()?;
    /// let client = BoxClient::with_network_session(BoxDeveloperTokenAuth::new("t"), session);
    /// # let _ = client;
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_network_session(
        auth: impl Authentication,
        network_session: NetworkSession,
    ) -> Self {
        Self::from_api(Api::new(Arc::new(auth), network_session, HeaderMap::new()))
    }

    fn from_api(api: Api) -> Self {
        Self {
            session_termination: SessionTerminationManager::new(api.clone()),
            users: UsersManager::new(api.clone()),
            file_metadata: FileMetadataManager::new(api.clone()),
            api,
        }
    }

    fn with_client_headers(&self, headers: HeaderMap) -> Self {
        let mut merged = self.api.client_headers().clone();
        for (name, value) in &headers {
            merged.insert(name, value.clone());
        }
        Self::from_api(Api::new(
            self.api.auth().clone(),
            self.api.network().clone(),
            merged,
        ))
    }

    /// A client that acts as the user `user_id`, through Box's `As-User` header.
    ///
    /// The authenticated user or application must be allowed to act as others.
    ///
    /// # Errors
    /// An invalid-argument error when `user_id` cannot be sent in a header.
    ///
    /// # Example
    /// ```
    /// # use box_sdk_gen::{auth::BoxDeveloperTokenAuth, client::BoxClient};
    /// # fn main() -> Result<(), box_sdk_gen::errors::BoxError> {
    /// let admin = BoxClient::new(BoxDeveloperTokenAuth::new("t"))?;
    /// let as_user = admin.with_as_user_header("123456")?;
    /// # let _ = as_user;
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_as_user_header(&self, user_id: impl AsRef<str>) -> Result<Self, BoxError> {
        let (name, value) = crate::network::header("as-user", user_id.as_ref())?;
        Ok(self.with_client_headers(HeaderMap::from_iter([(name, value)])))
    }

    /// A client whose calls do not send Box's email notifications, through the
    /// `Box-Notifications: off` header. Box honours it for administrators only.
    ///
    /// # Example
    /// ```
    /// # use box_sdk_gen::{auth::BoxDeveloperTokenAuth, client::BoxClient};
    /// # fn main() -> Result<(), box_sdk_gen::errors::BoxError> {
    /// let quiet = BoxClient::new(BoxDeveloperTokenAuth::new("t"))?.with_suppressed_notifications();
    /// # let _ = quiet;
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_suppressed_notifications(&self) -> Self {
        self.with_client_headers(HeaderMap::from_iter([(
            reqwest::header::HeaderName::from_static("box-notifications"),
            HeaderValue::from_static("off"),
        )]))
    }

    /// A client that sends `headers` with every call, replacing headers of the same
    /// names.
    ///
    /// # Errors
    /// An invalid-argument error when a name or value cannot be sent in HTTP.
    ///
    /// # Example
    /// ```
    /// # use box_sdk_gen::{auth::BoxDeveloperTokenAuth, client::BoxClient};
    /// # fn main() -> Result<(), box_sdk_gen::errors::BoxError> {
    /// let client = BoxClient::new(BoxDeveloperTokenAuth::new("t"))?
    ///     .with_extra_headers([("X-Ticket", "SEC-42")])?;
    /// # let _ = client;
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_extra_headers<K, V>(
        &self,
        headers: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Self, BoxError>
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        Ok(self.with_client_headers(crate::network::header_map(headers)?))
    }

    /// A client that sends its calls to `base_urls`.
    ///
    /// # Errors
    /// A configuration error when a URL is not an http or https URL.
    ///
    /// # Example
    /// ```
    /// # use box_sdk_gen::{auth::BoxDeveloperTokenAuth, client::BoxClient, network::BaseUrls};
    /// # fn main() -> Result<(), box_sdk_gen::errors::BoxError> {
    /// let urls = BaseUrls::default().with_base_url("http://127.0.0.1:8080");
    /// let local = BoxClient::new(BoxDeveloperTokenAuth::new("t"))?.with_custom_base_urls(urls)?;
    /// # let _ = local;
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_custom_base_urls(&self, base_urls: BaseUrls) -> Result<Self, BoxError> {
        let network = self.api.network().with_custom_base_urls(base_urls)?;
        Ok(Self::from_api(Api::new(
            self.api.auth().clone(),
            network,
            self.api.client_headers().clone(),
        )))
    }

    /// Sends a request the crate has no operation for, such as a multipart upload,
    /// through the client's authentication, headers, retries, timeouts and tracing,
    /// like `makeRequest` in Box's SDKs.
    ///
    /// # Errors
    /// As for every operation: an API error for an error status, and the network,
    /// timeout, cancellation and size-limit errors.
    ///
    /// # Example
    /// ```no_run
    /// # use box_sdk_gen::client::BoxClient;
    /// use box_sdk_gen::fetch::FetchOptions;
    ///
    /// # async fn run(client: BoxClient) -> Result<(), box_sdk_gen::errors::BoxError> {
    /// let answer = client
    ///     .make_request(FetchOptions::new("GET", "/2.0/folders/0/items").with_param("limit", "5"))
    ///     .await?;
    /// println!("{}", answer.json()?);
    /// # Ok(())
    /// # }
    /// ```
    #[doc(alias = "makeRequest")]
    pub async fn make_request(
        &self,
        options: crate::fetch::FetchOptions,
    ) -> Result<crate::fetch::FetchResponse, BoxError> {
        crate::fetch::make_request(&self.api, options).await
    }

    /// The network session the client sends through.
    pub fn network_session(&self) -> &NetworkSession {
        self.api.network()
    }
}

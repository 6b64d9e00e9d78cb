//! Ending the sessions of users and groups: Box's `session_termination` operations.
//!
//! Administrators use these to force sign-outs, for example when someone leaves the
//! company or an account is compromised. Box validates the caller's roles and
//! permissions, then starts asynchronous jobs; the answer (202) says the jobs were
//! created, not that the sessions have ended. The admin events report the outcome.

use std::collections::BTreeMap;

use tokio_util::sync::CancellationToken;

use crate::errors::BoxError;
use crate::schemas::{
    CreateGroupTerminateSessionRequestBody, CreateUserTerminateSessionRequestBody,
    SessionTerminationMessage,
};
use crate::transport::Api;

/// Headers for [`SessionTerminationManager::create_user_terminate_session`].
///
/// # Example
/// ```
/// use box_sdk_gen::managers::session_termination::CreateUserTerminateSessionHeaders;
///
/// let headers =
///     CreateUserTerminateSessionHeaders::default().with_extra_header("X-Ticket", "SEC-42");
/// assert_eq!(headers.extra_headers["X-Ticket"], "SEC-42");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreateUserTerminateSessionHeaders {
    /// Headers sent with this call only, after the client's.
    pub extra_headers: BTreeMap<String, String>,
}

impl CreateUserTerminateSessionHeaders {
    /// The headers with `name: value` added.
    ///
    /// # Example
    /// ```
    /// use box_sdk_gen::managers::session_termination::CreateUserTerminateSessionHeaders;
    ///
    /// let headers = CreateUserTerminateSessionHeaders::default()
    ///     .with_extra_header("X-Ticket", "SEC-41")
    ///     .with_extra_header("X-Ticket", "SEC-42");
    ///
    /// assert_eq!(headers.extra_headers.len(), 1);
    /// assert_eq!(headers.extra_headers["X-Ticket"], "SEC-42", "the later value wins");
    /// ```
    ///
    /// A header of the same name set on the client is replaced for this call.
    #[must_use]
    pub fn with_extra_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra_headers.insert(name.into(), value.into());
        self
    }
}

/// Headers for [`SessionTerminationManager::create_group_terminate_session`].
///
/// # Example
/// ```
/// use box_sdk_gen::managers::session_termination::CreateGroupTerminateSessionHeaders;
///
/// let headers =
///     CreateGroupTerminateSessionHeaders::default().with_extra_header("X-Ticket", "SEC-42");
/// assert_eq!(headers.extra_headers.len(), 1);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreateGroupTerminateSessionHeaders {
    /// Headers sent with this call only, after the client's.
    pub extra_headers: BTreeMap<String, String>,
}

impl CreateGroupTerminateSessionHeaders {
    /// The headers with `name: value` added.
    ///
    /// # Example
    /// ```
    /// use box_sdk_gen::managers::session_termination::CreateGroupTerminateSessionHeaders;
    ///
    /// let headers = CreateGroupTerminateSessionHeaders::default()
    ///     .with_extra_header("X-Ticket", "SEC-42")
    ///     .with_extra_header("X-Reason", "offboarding");
    ///
    /// assert_eq!(headers.extra_headers["X-Reason"], "offboarding");
    /// ```
    ///
    /// A header of the same name set on the client is replaced for this call.
    #[must_use]
    pub fn with_extra_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra_headers.insert(name.into(), value.into());
        self
    }
}

/// Ends users' and groups' sessions; reached as
/// [`BoxClient::session_termination`](crate::client::BoxClient::session_termination).
///
/// # Example
/// ```
/// use box_sdk_gen::schemas::{
///     CreateGroupTerminateSessionRequestBody, CreateUserTerminateSessionRequestBody,
/// };
/// use box_sdk_gen::testing::{self, Sandbox};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), box_sdk_gen::errors::BoxError> {
/// let sandbox = Sandbox::start().await?;
/// let sessions = sandbox.client()?.session_termination;
/// let leavers = CreateUserTerminateSessionRequestBody::new(["123456"], ["leaver@example.com"]);
/// let contractors = CreateGroupTerminateSessionRequestBody::new(["987654"]);
///
/// let users = sessions
///     .create_user_terminate_session(&leavers, Default::default(), None)
///     .await?;
/// let groups = sessions
///     .create_group_terminate_session(&contractors, Default::default(), None)
///     .await?;
///
/// // Box has started the jobs; the admin events say when the sessions have ended.
/// assert_eq!(users.message.as_deref(), Some(testing::TERMINATION_MESSAGE));
/// assert_eq!(groups.message.as_deref(), Some(testing::TERMINATION_MESSAGE));
/// # Ok(())
/// # }
/// ```
///
/// Both operations start asynchronous jobs and are not idempotent: each call starts
/// new jobs. The default retry strategy re-sends them after a 429 or a 5xx, as Box's
/// own SDKs do, and never after a 202.
#[derive(Debug, Clone)]
pub struct SessionTerminationManager {
    api: Api,
}

impl SessionTerminationManager {
    pub(crate) fn new(api: Api) -> Self {
        Self { api }
    }

    /// Validates the roles and permissions of the user, creates asynchronous jobs to
    /// terminate the user's sessions, and returns the status of the request.
    ///
    /// Users are named by ID, by login, or both. `POST /2.0/users/terminate_sessions`.
    ///
    /// # Errors
    /// - [`ErrorKind::InvalidArgument`](crate::errors::ErrorKind::InvalidArgument),
    ///   without sending anything, when both lists are empty.
    /// - [`ErrorKind::Api`](crate::errors::ErrorKind::Api) when Box refuses, for
    ///   example 403 when the caller is not an administrator.
    /// - [`ErrorKind::Cancelled`](crate::errors::ErrorKind::Cancelled) when
    ///   `cancellation_token` fires first.
    ///
    /// # Example
    /// ```no_run
    /// # use box_sdk_gen::{auth::BoxDeveloperTokenAuth, client::BoxClient};
    /// use box_sdk_gen::schemas::CreateUserTerminateSessionRequestBody;
    ///
    /// # async fn run(client: BoxClient) -> Result<(), box_sdk_gen::errors::BoxError> {
    /// let body = CreateUserTerminateSessionRequestBody::new(["123456"], ["leaver@example.com"]);
    /// let message = client
    ///     .session_termination
    ///     .create_user_terminate_session(&body, Default::default(), None)
    ///     .await?;
    /// # let _ = message;
    /// # Ok(())
    /// # }
    /// ```
    #[doc(alias = "terminateUsersSessions")]
    #[doc(alias = "terminate_users_sessions")]
    #[doc(alias = "createUserTerminateSession")]
    pub async fn create_user_terminate_session(
        &self,
        request_body: &CreateUserTerminateSessionRequestBody,
        headers: CreateUserTerminateSessionHeaders,
        cancellation_token: Option<CancellationToken>,
    ) -> Result<SessionTerminationMessage, BoxError> {
        if request_body.user_ids.is_empty() && request_body.user_logins.is_empty() {
            return Err(BoxError::invalid_argument(
                "user_ids and user_logins are both empty: name at least one user",
            ));
        }

        let client = self.api.generated();
        self.api
            .call(&headers.extra_headers, cancellation_token.as_ref(), || {
                client.post_users_terminate_sessions(request_body)
            })
            .await
    }

    /// Validates the roles and permissions of the group, creates asynchronous jobs to
    /// terminate the sessions of the group's members, and returns the status of the
    /// request.
    ///
    /// `POST /2.0/groups/terminate_sessions`.
    ///
    /// # Errors
    /// - [`ErrorKind::InvalidArgument`](crate::errors::ErrorKind::InvalidArgument),
    ///   without sending anything, when `group_ids` is empty.
    /// - [`ErrorKind::Api`](crate::errors::ErrorKind::Api) when Box refuses.
    /// - [`ErrorKind::Cancelled`](crate::errors::ErrorKind::Cancelled) when
    ///   `cancellation_token` fires first.
    ///
    /// # Example
    /// ```no_run
    /// # use box_sdk_gen::{auth::BoxDeveloperTokenAuth, client::BoxClient};
    /// use box_sdk_gen::schemas::CreateGroupTerminateSessionRequestBody;
    /// use tokio_util::sync::CancellationToken;
    ///
    /// # async fn run(client: BoxClient) -> Result<(), box_sdk_gen::errors::BoxError> {
    /// let cancel = CancellationToken::new();
    /// let body = CreateGroupTerminateSessionRequestBody::new(["987654"]);
    /// let message = client
    ///     .session_termination
    ///     .create_group_terminate_session(&body, Default::default(), Some(cancel.clone()))
    ///     .await?;
    /// # let _ = message;
    /// # Ok(())
    /// # }
    /// ```
    #[doc(alias = "terminateGroupsSessions")]
    #[doc(alias = "terminate_groups_sessions")]
    #[doc(alias = "createGroupTerminateSession")]
    pub async fn create_group_terminate_session(
        &self,
        request_body: &CreateGroupTerminateSessionRequestBody,
        headers: CreateGroupTerminateSessionHeaders,
        cancellation_token: Option<CancellationToken>,
    ) -> Result<SessionTerminationMessage, BoxError> {
        if request_body.group_ids.is_empty() {
            return Err(BoxError::invalid_argument(
                "group_ids is empty: name at least one group",
            ));
        }

        let client = self.api.generated();
        self.api
            .call(&headers.extra_headers, cancellation_token.as_ref(), || {
                client.post_groups_terminate_sessions(request_body)
            })
            .await
    }
}

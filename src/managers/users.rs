//! Users: Box's `users` operations. For now, who the credentials act as.

use std::collections::BTreeMap;

use tokio_util::sync::CancellationToken;

use crate::errors::BoxError;
use crate::schemas::UserFull;
use crate::transport::Api;

/// Query parameters of [`UsersManager::get_user_me`].
///
/// # Example
/// ```
/// use box_sdk_gen::managers::users::GetUserMeQueryParams;
///
/// let query = GetUserMeQueryParams::default().with_fields(["id", "name", "role"]);
/// assert_eq!(query.fields.unwrap().len(), 3);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetUserMeQueryParams {
    /// The attributes to return instead of the standard set; Box then returns these
    /// and the mini representation's. Sent comma-separated, as Box expects.
    pub fields: Option<Vec<String>>,
}

impl GetUserMeQueryParams {
    /// The parameters with `fields`.
    ///
    /// # Example
    /// ```
    /// use box_sdk_gen::managers::users::GetUserMeQueryParams;
    ///
    /// let query = GetUserMeQueryParams::default().with_fields(["id", "enterprise"]);
    ///
    /// assert_eq!(query.fields, Some(vec!["id".to_string(), "enterprise".to_string()]));
    /// ```
    #[must_use]
    pub fn with_fields<F: Into<String>>(mut self, fields: impl IntoIterator<Item = F>) -> Self {
        self.fields = Some(fields.into_iter().map(Into::into).collect());
        self
    }
}

/// Headers of [`UsersManager::get_user_me`].
///
/// # Example
/// ```
/// use box_sdk_gen::managers::users::GetUserMeHeaders;
///
/// let mut headers = GetUserMeHeaders::default();
/// headers.extra_headers.insert("X-Ticket".into(), "SEC-42".into());
///
/// assert_eq!(headers.extra_headers["X-Ticket"], "SEC-42");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetUserMeHeaders {
    /// Headers sent with this call only, after the client's.
    pub extra_headers: BTreeMap<String, String>,
}

/// Box's user operations; reached as
/// [`BoxClient::users`](crate::client::BoxClient::users).
///
/// # Example
/// ```
/// use box_sdk_gen::managers::users::GetUserMeQueryParams;
/// use box_sdk_gen::testing::Sandbox;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), box_sdk_gen::errors::BoxError> {
/// let sandbox = Sandbox::start().await?;
/// let as_user = sandbox.client()?.with_as_user_header("777")?;
/// let query = GetUserMeQueryParams::default().with_fields(["id", "login"]);
///
/// let me = as_user.users.get_user_me(query, Default::default(), None).await?;
///
/// assert_eq!(me.id, "777", "the client acts as the As-User");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct UsersManager {
    api: Api,
}

impl UsersManager {
    pub(crate) fn new(api: Api) -> Self {
        Self { api }
    }

    /// The user the client's credentials act as: the developer token's owner, the
    /// service account of a server app, or the As-User. `GET /2.0/users/me`.
    ///
    /// # Example
    /// ```no_run
    /// # use box_sdk_gen::client::BoxClient;
    /// # async fn run(client: BoxClient) -> Result<(), box_sdk_gen::errors::BoxError> {
    /// let me = client.users.get_user_me(Default::default(), Default::default(), None).await?;
    /// println!("{} ({})", me.name.unwrap_or_default(), me.login.unwrap_or_default());
    /// # Ok(())
    /// # }
    /// ```
    #[doc(alias = "getUserMe")]
    pub async fn get_user_me(
        &self,
        query_params: GetUserMeQueryParams,
        headers: GetUserMeHeaders,
        cancellation_token: Option<CancellationToken>,
    ) -> Result<UserFull, BoxError> {
        let fields = query_params.fields.map(|fields| fields.join(","));

        let client = self.api.generated();
        self.api
            .call(&headers.extra_headers, cancellation_token.as_ref(), || {
                client.get_users_me(fields.as_deref())
            })
            .await
    }
}

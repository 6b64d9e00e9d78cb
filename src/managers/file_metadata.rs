//! Metadata on files: Box's `file_metadata` operations. For now, updating an
//! instance with a JSON Patch.

use std::collections::BTreeMap;

use tokio_util::sync::CancellationToken;

use crate::errors::BoxError;
use crate::schemas::{
    MetadataFull, UpdateFileMetadataByIdRequestBody, UpdateFileMetadataByIdScope,
};
use crate::transport::Api;

/// Headers of [`FileMetadataManager::update_file_metadata_by_id`].
///
/// # Example
/// ```
/// use box_sdk_gen::managers::file_metadata::UpdateFileMetadataByIdHeaders;
///
/// let mut headers = UpdateFileMetadataByIdHeaders::default();
/// headers.extra_headers.insert("X-Ticket".into(), "SEC-42".into());
///
/// assert_eq!(headers.extra_headers.len(), 1);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct UpdateFileMetadataByIdHeaders {
    /// Headers sent with this call only, after the client's.
    pub extra_headers: BTreeMap<String, String>,
}

/// Box's file metadata operations; reached as
/// [`BoxClient::file_metadata`](crate::client::BoxClient::file_metadata).
///
/// # Example
/// ```no_run
/// # use box_sdk_gen::client::BoxClient;
/// use box_sdk_gen::schemas::{UpdateFileMetadataByIdRequestBody, UpdateFileMetadataByIdScope};
///
/// # async fn run(client: BoxClient) -> Result<(), box_sdk_gen::errors::BoxError> {
/// let metadata = &client.file_metadata;
/// let patch = [
///     UpdateFileMetadataByIdRequestBody::replace("/status", "approved"),
///     UpdateFileMetadataByIdRequestBody::replace("/approver", "legal"),
/// ];
/// let scope = UpdateFileMetadataByIdScope::Enterprise;
///
/// let instance = metadata
///     .update_file_metadata_by_id("12345", scope, "contract", &patch, Default::default(), None)
///     .await?;
///
/// println!("{:?} is at version {:?}", instance.template, instance.version);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct FileMetadataManager {
    api: Api,
}

impl FileMetadataManager {
    pub(crate) fn new(api: Api) -> Self {
        Self { api }
    }

    /// Applies `request_body`, a list of JSON Patch operations, to the metadata
    /// instance of template `template_key` on file `file_id`. The whole list is
    /// applied or none of it. `PUT /2.0/files/{file_id}/metadata/{scope}/{template_key}`,
    /// sent as `application/json-patch+json`.
    ///
    /// # Example
    /// ```no_run
    /// # use box_sdk_gen::client::BoxClient;
    /// use box_sdk_gen::schemas::{UpdateFileMetadataByIdRequestBody, UpdateFileMetadataByIdScope};
    ///
    /// # async fn run(client: BoxClient) -> Result<(), box_sdk_gen::errors::BoxError> {
    /// let patch = [UpdateFileMetadataByIdRequestBody::replace("/status", "approved")];
    /// let updated = client
    ///     .file_metadata
    ///     .update_file_metadata_by_id(
    ///         "12345",
    ///         UpdateFileMetadataByIdScope::Enterprise,
    ///         "contract",
    ///         &patch,
    ///         Default::default(),
    ///         None,
    ///     )
    ///     .await?;
    /// # let _ = updated;
    /// # Ok(())
    /// # }
    /// ```
    #[doc(alias = "updateFileMetadataById")]
    pub async fn update_file_metadata_by_id(
        &self,
        file_id: &str,
        scope: UpdateFileMetadataByIdScope,
        template_key: &str,
        request_body: &[UpdateFileMetadataByIdRequestBody],
        headers: UpdateFileMetadataByIdHeaders,
        cancellation_token: Option<CancellationToken>,
    ) -> Result<MetadataFull, BoxError> {
        if request_body.is_empty() {
            return Err(BoxError::invalid_argument(
                "the JSON Patch is empty: give at least one operation",
            ));
        }
        let body = request_body.to_vec();

        let client = self.api.generated();
        self.api
            .call(&headers.extra_headers, cancellation_token.as_ref(), || {
                client.put_files_id_metadata_id_id(file_id, scope, template_key, &body)
            })
            .await
    }
}

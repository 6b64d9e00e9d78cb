//! Where Box lives: the base URLs of its hosts.
//!
//! Box serves its API from three hosts. The spec normalizer marks each operation
//! with the one it uses, and build.rs turns those marks into a table the transport
//! reads, so one overridable base URL per host serves every operation.

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
}

/// The base URLs of Box's hosts, without trailing slashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrls {
    /// The API host.
    pub base_url: String,
    /// The upload host.
    pub upload_url: String,
    /// The OAuth 2.0 authorization host.
    pub oauth2_url: String,
}

impl Default for BaseUrls {
    fn default() -> Self {
        Self {
            base_url: "https://api.box.com".into(),
            upload_url: "https://upload.box.com/api".into(),
            oauth2_url: "https://account.box.com/api/oauth2".into(),
        }
    }
}

impl BaseUrls {
    /// The base URL of `kind`.
    pub fn get(&self, kind: BaseUrlKind) -> &str {
        match kind {
            BaseUrlKind::Api => &self.base_url,
            BaseUrlKind::Upload => &self.upload_url,
            BaseUrlKind::OAuth2 => &self.oauth2_url,
        }
    }
}

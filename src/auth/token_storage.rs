//! Where fetched access tokens are kept, and the cache that shares one token
//! request among every caller that needs a token at the same moment.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use super::{AccessToken, BoxFuture};
use crate::errors::BoxError;

/// How long before its expiry a token is refreshed, so that no request carries a
/// token that expires on its way to Box.
const REFRESH_MARGIN: Duration = Duration::from_secs(30);

/// Keeps the access token of one authentication.
///
/// The default, [`InMemoryTokenStorage`], keeps it in the process. Implement the
/// trait to share tokens between processes, in a cache or a database.
///
/// # Example
/// ```
/// use box_sdk_gen::auth::{AccessToken, InMemoryTokenStorage, TokenStorage};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), box_sdk_gen::errors::BoxError> {
/// let storage = InMemoryTokenStorage::new();
/// storage.store(AccessToken::new("t")).await?;
/// assert!(storage.get().await?.is_some());
/// storage.clear().await?;
/// assert!(storage.get().await?.is_none());
/// # Ok(())
/// # }
/// ```
pub trait TokenStorage: fmt::Debug + Send + Sync + 'static {
    /// Keeps `token`, replacing any other.
    fn store(&self, token: AccessToken) -> BoxFuture<'_, Result<(), BoxError>>;

    /// The kept token, if any.
    fn get(&self) -> BoxFuture<'_, Result<Option<AccessToken>, BoxError>>;

    /// Forgets the kept token.
    fn clear(&self) -> BoxFuture<'_, Result<(), BoxError>>;
}

/// Keeps the token in memory; the default storage.
#[derive(Debug, Default)]
pub struct InMemoryTokenStorage {
    token: Mutex<Option<AccessToken>>,
}

impl InMemoryTokenStorage {
    /// An empty storage.
    pub fn new() -> Self {
        Self::default()
    }
}

impl TokenStorage for InMemoryTokenStorage {
    fn store(&self, token: AccessToken) -> BoxFuture<'_, Result<(), BoxError>> {
        if let Ok(mut kept) = self.token.lock() {
            *kept = Some(token);
        }
        Box::pin(async { Ok(()) })
    }

    fn get(&self) -> BoxFuture<'_, Result<Option<AccessToken>, BoxError>> {
        let token = self.token.lock().ok().and_then(|kept| kept.clone());
        Box::pin(async { Ok(token) })
    }

    fn clear(&self) -> BoxFuture<'_, Result<(), BoxError>> {
        if let Ok(mut kept) = self.token.lock() {
            *kept = None;
        }
        Box::pin(async { Ok(()) })
    }
}

/// The system time, moved by as much as tokio's clock has been moved.
///
/// Token expiries and JWT claims are wall-clock times: Box compares them with its
/// own clock, and a storage shared between processes compares them with theirs.
/// So this is the system time, read afresh each call (a clock kept as an offset
/// from an earlier reading would drift across suspends and clock steps). Under a
/// paused tokio runtime, tokio's clock runs apart from the system's: the
/// difference is added, so that tests can move token expiry with
/// `tokio::time::advance`. Anywhere else the two clocks agree and this is the
/// system time.
pub(crate) fn now() -> SystemTime {
    let wall = SystemTime::now();
    let real_now = std::time::Instant::now();
    let tokio_now = tokio::time::Instant::now().into_std();
    let moved = match tokio_now.checked_duration_since(real_now) {
        Some(ahead) => wall.checked_add(ahead),
        None => wall.checked_sub(real_now.duration_since(tokio_now)),
    };
    moved.unwrap_or(wall)
}

/// A token storage with single-flight fetching: while one caller fetches a token,
/// the others wait for it instead of fetching their own.
pub(crate) struct TokenCache {
    storage: Arc<dyn TokenStorage>,
    fetching: tokio::sync::Mutex<()>,
    /// Counts stored tokens, so that a caller who waited for a refresh can tell
    /// that another caller already did it.
    generation: AtomicU64,
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCache")
            .field("storage", &self.storage)
            .finish_non_exhaustive()
    }
}

impl TokenCache {
    pub(crate) fn new(storage: Arc<dyn TokenStorage>) -> Self {
        Self {
            storage,
            fetching: tokio::sync::Mutex::new(()),
            generation: AtomicU64::new(0),
        }
    }

    /// The stored token while it is fresh; otherwise the one `fetch` gets, which
    /// is stored. Concurrent callers share one fetch.
    pub(crate) async fn token<Fut>(
        &self,
        fetch: impl FnOnce(Option<AccessToken>) -> Fut,
    ) -> Result<AccessToken, BoxError>
    where
        Fut: Future<Output = Result<AccessToken, BoxError>>,
    {
        if let Some(token) = self.fresh().await? {
            return Ok(token);
        }
        let _fetching = self.fetching.lock().await;
        if let Some(token) = self.fresh().await? {
            return Ok(token);
        }
        let stale = self.storage.get().await?;
        self.store(fetch(stale).await?).await
    }

    /// A token from `fetch` even if the stored one looks fresh, because Box
    /// refused it. Callers that were waiting while another refreshed take that
    /// caller's token instead of fetching again.
    pub(crate) async fn refresh<Fut>(
        &self,
        fetch: impl FnOnce(Option<AccessToken>) -> Fut,
    ) -> Result<AccessToken, BoxError>
    where
        Fut: Future<Output = Result<AccessToken, BoxError>>,
    {
        let seen = self.generation.load(Ordering::SeqCst);
        let _fetching = self.fetching.lock().await;
        let stored = self.storage.get().await?;
        if self.generation.load(Ordering::SeqCst) != seen
            && let Some(token) = stored
        {
            return Ok(token);
        }
        self.store(fetch(stored).await?).await
    }

    /// The stored token, fresh or not.
    pub(crate) async fn stored(&self) -> Result<Option<AccessToken>, BoxError> {
        self.storage.get().await
    }

    /// Stores `token` as the newest.
    pub(crate) async fn store(&self, token: AccessToken) -> Result<AccessToken, BoxError> {
        self.storage.store(token.clone()).await?;
        self.generation.fetch_add(1, Ordering::SeqCst);
        Ok(token)
    }

    /// Forgets the stored token.
    pub(crate) async fn clear(&self) -> Result<(), BoxError> {
        self.storage.clear().await
    }

    async fn fresh(&self) -> Result<Option<AccessToken>, BoxError> {
        let token = self.storage.get().await?;
        let deadline = now() + REFRESH_MARGIN;
        Ok(token.filter(|t| t.expires_at().is_none_or(|expiry| deadline < expiry)))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicU32;

    use super::*;

    fn cache() -> TokenCache {
        TokenCache::new(Arc::new(InMemoryTokenStorage::new()))
    }

    #[tokio::test(start_paused = true)]
    async fn a_fresh_token_is_reused_and_an_expiring_one_is_replaced() {
        let cache = cache();
        let fetches = AtomicU32::new(0);
        let fetch = |_| {
            let n = fetches.fetch_add(1, Ordering::SeqCst) + 1;
            async move {
                Ok(AccessToken::new(format!("t{n}"))
                    .with_expires_at(now() + Duration::from_secs(3600)))
            }
        };

        cache.token(fetch).await.unwrap();
        cache.token(fetch).await.unwrap();
        tokio::time::advance(Duration::from_secs(3600 - 31)).await;
        cache.token(fetch).await.unwrap();
        tokio::time::advance(Duration::from_secs(2)).await;
        let last = cache.token(fetch).await.unwrap();

        use secrecy::ExposeSecret;
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
        assert_eq!(last.access_token().expose_secret(), "t2");
    }

    #[tokio::test(start_paused = true)]
    async fn now_is_the_system_time_moved_with_a_paused_clock() {
        let before = SystemTime::now();

        tokio::time::advance(Duration::from_secs(3600)).await;
        let moved = now().duration_since(before).unwrap();

        // Within a minute of the hour: the clocks are read one after the other,
        // and real time passes while tokio's paused clock does not.
        assert!(moved > Duration::from_secs(3600 - 60), "{moved:?}");
        assert!(moved < Duration::from_secs(3600 + 60), "{moved:?}");
    }

    #[test]
    fn now_is_the_system_time_outside_a_paused_clock() {
        let before = SystemTime::now();

        let read = now();

        let after = SystemTime::now();
        // Within a second either way: the two clocks are read one after the other.
        assert!(
            read + Duration::from_secs(1) > before,
            "{before:?} {read:?}"
        );
        assert!(read < after + Duration::from_secs(1), "{read:?} {after:?}");
    }

    #[tokio::test]
    async fn concurrent_refreshes_share_one_fetch() {
        let cache = Arc::new(cache());
        let fetches = Arc::new(AtomicU32::new(0));
        let calls: Vec<_> = (0..20)
            .map(|_| {
                let cache = cache.clone();
                let fetches = fetches.clone();
                tokio::spawn(async move {
                    cache
                        .refresh(|_| async move {
                            fetches.fetch_add(1, Ordering::SeqCst);
                            tokio::task::yield_now().await;
                            Ok(AccessToken::new("new"))
                        })
                        .await
                })
            })
            .collect();

        for call in calls {
            call.await.unwrap().unwrap();
        }

        // Every caller queued behind the first refresh and took its token.
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
    }
}

//! Response cache: finished outputs by key, with a TTL. Default: in-process moka.

use std::time::Duration;

use async_trait::async_trait;

use crate::Result;

/// A store of finished outputs (serialised bytes) by key.
#[async_trait]
pub trait Cache: Send + Sync {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>>;
    async fn put(&self, key: &str, value: Vec<u8>, ttl: Duration) -> Result<()>;
    async fn remove(&self, key: &str) -> Result<()>;
}

/// In-process cache on moka, bounded by total bytes, with a TTL per entry.
///
/// ```
/// # tokio_test_block_on(async {
/// use harvest_core::{Cache, MemoryCache};
/// let cache = MemoryCache::new(64 * 1024 * 1024);
/// cache.put("k", b"v".to_vec(), std::time::Duration::from_secs(60)).await.unwrap();
/// assert_eq!(cache.get("k").await.unwrap(), Some(b"v".to_vec()));
/// # });
/// # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
/// # }
/// ```
pub struct MemoryCache {
    inner: moka::future::Cache<String, (Vec<u8>, Duration)>,
}

struct PerEntryTtl;

impl moka::Expiry<String, (Vec<u8>, Duration)> for PerEntryTtl {
    fn expire_after_create(
        &self,
        _key: &String,
        value: &(Vec<u8>, Duration),
        _created_at: std::time::Instant,
    ) -> Option<Duration> {
        Some(value.1)
    }
}

impl MemoryCache {
    /// A cache holding at most `max_bytes` of values.
    pub fn new(max_bytes: u64) -> Self {
        let inner = moka::future::Cache::builder()
            .max_capacity(max_bytes)
            .weigher(|k: &String, v: &(Vec<u8>, Duration)| {
                (k.len() + v.0.len()).try_into().unwrap_or(u32::MAX)
            })
            .expire_after(PerEntryTtl)
            .build();
        MemoryCache { inner }
    }
}

impl Default for MemoryCache {
    fn default() -> Self {
        MemoryCache::new(256 * 1024 * 1024)
    }
}

#[async_trait]
impl Cache for MemoryCache {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>> {
        Ok(self.inner.get(key).await.map(|(v, _)| v))
    }

    async fn put(&self, key: &str, value: Vec<u8>, ttl: Duration) -> Result<()> {
        self.inner.insert(key.to_string(), (value, ttl)).await;
        Ok(())
    }

    async fn remove(&self, key: &str) -> Result<()> {
        self.inner.invalidate(key).await;
        Ok(())
    }
}

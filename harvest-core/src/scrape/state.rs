//! What harvest remembers about a URL between harvests, so a re-harvest can send a
//! conditional request and skip unchanged pages.

use std::collections::HashMap;
use std::sync::RwLock;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use url::Url;

use super::FetchOptions;
use crate::Result;

/// Per-URL state from the last harvest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UrlState {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// SHA-256 (hex) of the extracted text.
    pub content_hash: Option<String>,
    /// [`crate::compliance::simhash`] of the extracted text.
    pub simhash: Option<u64>,
}

impl UrlState {
    /// The conditional-request options this state allows.
    pub fn fetch_options(&self) -> FetchOptions {
        FetchOptions {
            etag: self.etag.clone(),
            last_modified: self.last_modified.clone(),
        }
    }
}

/// Where [`UrlState`] lives (in memory by default; integrators plug a database).
#[async_trait]
pub trait StateStore: Send + Sync {
    /// The state remembered for `url`, if any.
    async fn get(&self, url: &Url) -> Result<Option<UrlState>>;
    /// Remembers `state` for `url`, replacing what was there.
    async fn put(&self, url: &Url, state: UrlState) -> Result<()>;
}

/// An in-process [`StateStore`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> harvest_core::Result<()> {
/// use harvest_core::scrape::{MemoryStateStore, StateStore, UrlState};
/// let store = MemoryStateStore::default();
/// let url = url::Url::parse("https://example.com/a").unwrap();
/// store.put(&url, UrlState { etag: Some("\"v1\"".into()), ..Default::default() }).await?;
/// assert_eq!(store.get(&url).await?.unwrap().fetch_options().etag.as_deref(), Some("\"v1\""));
/// # Ok(()) }
/// ```
#[derive(Debug, Default)]
pub struct MemoryStateStore {
    states: RwLock<HashMap<String, UrlState>>,
}

#[async_trait]
impl StateStore for MemoryStateStore {
    async fn get(&self, url: &Url) -> Result<Option<UrlState>> {
        let states = self.states.read().unwrap_or_else(|e| e.into_inner());
        Ok(states.get(url.as_str()).cloned())
    }

    async fn put(&self, url: &Url, state: UrlState) -> Result<()> {
        let mut states = self.states.write().unwrap_or_else(|e| e.into_inner());
        states.insert(url.to_string(), state);
        Ok(())
    }
}

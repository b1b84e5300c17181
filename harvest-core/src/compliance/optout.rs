//! Opt-out lists that integrators feed: sites that must never be harvested. Checked before
//! any request is sent.

use std::sync::RwLock;

use async_trait::async_trait;
use url::Url;

use crate::Result;

/// A store of opted-out domains and URL prefixes (in memory by default; integrators plug a
/// database or a shared list).
#[async_trait]
pub trait OptOutStore: Send + Sync {
    /// The entry that opts `url` out (as it was added), or `None`.
    async fn check(&self, url: &Url) -> Result<Option<String>>;
}

/// An in-process [`OptOutStore`]: domains (with their subdomains) and URL prefixes.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> harvest_core::Result<()> {
/// use harvest_core::compliance::{MemoryOptOut, OptOutStore};
/// let list = MemoryOptOut::new().domain("example.com").prefix("https://blog.test/private/");
/// let url = |s: &str| url::Url::parse(s).unwrap();
/// assert_eq!(list.check(&url("https://news.example.com/a")).await?.as_deref(), Some("example.com"));
/// assert_eq!(list.check(&url("https://notexample.com/")).await?, None);
/// assert_eq!(list.check(&url("https://blog.test/private/x")).await?.as_deref(), Some("https://blog.test/private/"));
/// # Ok(()) }
/// ```
#[derive(Debug, Default)]
pub struct MemoryOptOut {
    domains: RwLock<Vec<String>>,
    prefixes: RwLock<Vec<String>>,
}

impl MemoryOptOut {
    /// An empty list.
    pub fn new() -> Self {
        Self::default()
    }

    /// Opts out a domain and all its subdomains (builder style).
    pub fn domain(self, domain: &str) -> Self {
        self.add_domain(domain);
        self
    }

    /// Opts out every URL starting with `prefix` (builder style).
    pub fn prefix(self, prefix: &str) -> Self {
        self.add_prefix(prefix);
        self
    }

    /// Opts out a domain and all its subdomains.
    pub fn add_domain(&self, domain: &str) {
        let d = domain.trim().trim_end_matches('.').to_ascii_lowercase();
        if !d.is_empty() {
            self.domains
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .push(d);
        }
    }

    /// Opts out every URL starting with `prefix` (compared after URL normalisation).
    pub fn add_prefix(&self, prefix: &str) {
        let p = Url::parse(prefix.trim())
            .map(|u| u.to_string())
            .unwrap_or_else(|_| prefix.trim().to_string());
        if !p.is_empty() {
            self.prefixes
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .push(p);
        }
    }
}

#[async_trait]
impl OptOutStore for MemoryOptOut {
    async fn check(&self, url: &Url) -> Result<Option<String>> {
        if let Some(host) = url.host_str() {
            let host = host.trim_end_matches('.').to_ascii_lowercase();
            let domains = self.domains.read().unwrap_or_else(|e| e.into_inner());
            if let Some(d) = domains.iter().find(|d| {
                host == **d
                    || (host.len() > d.len()
                        && host.ends_with(d.as_str())
                        && host.as_bytes()[host.len() - d.len() - 1] == b'.')
            }) {
                return Ok(Some(d.clone()));
            }
        }
        let prefixes = self.prefixes.read().unwrap_or_else(|e| e.into_inner());
        Ok(prefixes
            .iter()
            .find(|p| url.as_str().starts_with(p.as_str()))
            .cloned())
    }
}

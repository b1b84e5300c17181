//! Fetching pages: the [`Scraper`] trait and [`HttpScraper`], its polite and SSRF-safe default.

pub mod charset;
pub mod file;
pub mod http;
pub mod meta;
pub mod ratelimit;
pub mod robots;
pub mod ssrf;
pub mod state;

pub use file::read_file;
pub use http::{HttpScraper, HttpScraperBuilder};
pub use state::{MemoryStateStore, StateStore, UrlState};

use async_trait::async_trait;
use url::Url;

use crate::types::Page;
use crate::Result;

/// Options for one fetch.
#[derive(Debug, Clone, Default)]
pub struct FetchOptions {
    /// `ETag` remembered from an earlier fetch (sent as `If-None-Match`).
    pub etag: Option<String>,
    /// `Last-Modified` remembered from an earlier fetch (sent as `If-Modified-Since`).
    pub last_modified: Option<String>,
}

/// Turns a URL into a [`Page`].
#[async_trait]
pub trait Scraper: Send + Sync {
    /// Fetches `url` (robots.txt, address checks and rate limits included).
    async fn fetch(&self, url: &Url, options: &FetchOptions) -> Result<Page>;
}

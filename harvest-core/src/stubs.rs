//! TEMPORARY stand-ins for modules being written on other branches; removed at merge.
#![allow(dead_code, unused_variables)]
use std::path::Path;
use std::time::Duration;

use async_trait::async_trait;
use url::Url;

use crate::scrape::{FetchOptions, Scraper};
use crate::types::*;
use crate::Result;

pub struct HttpScraper;
pub struct HttpScraperBuilder;
impl HttpScraper {
    pub fn builder() -> HttpScraperBuilder {
        HttpScraperBuilder
    }
}
impl HttpScraperBuilder {
    pub fn user_agent(self, ua: &str) -> Self {
        self
    }
    pub fn allow_private_network(self, b: bool) -> Self {
        self
    }
    pub fn timeout(self, d: Duration) -> Self {
        self
    }
    pub fn max_body_bytes(self, n: u64) -> Self {
        self
    }
    pub fn build(self) -> Result<HttpScraper> {
        Ok(HttpScraper)
    }
}
#[async_trait]
impl Scraper for HttpScraper {
    async fn fetch(&self, url: &Url, options: &FetchOptions) -> Result<Page> {
        unimplemented!()
    }
}
pub async fn read_file(path: &Path) -> Result<Page> {
    unimplemented!()
}

//! TEMPORARY stand-ins for modules being written on other branches; removed at merge.
#![allow(dead_code, unused_variables)]
use std::path::Path;
use std::time::Duration;

use async_trait::async_trait;
use secrecy::SecretString;
use url::Url;

use crate::scrape::{FetchOptions, Scraper};
use crate::types::*;
use crate::{Provider, Result};

pub struct PriceTable;
pub struct ModelPrice;
impl PriceTable {
    pub fn bundled() -> Self {
        PriceTable
    }
    pub fn from_path(p: &Path) -> Result<Self> {
        Ok(PriceTable)
    }
    pub fn get(&self, provider: &str, model: &str) -> Option<&ModelPrice> {
        None
    }
    pub fn cost_usd(&self, provider: &str, model: &str, usage: &Usage) -> Option<f64> {
        Some(0.0)
    }
    pub fn estimate_usd(
        &self,
        provider: &str,
        model: &str,
        input: u64,
        max_out: u64,
    ) -> Option<f64> {
        Some(0.0)
    }
}
pub fn estimate_request_tokens(model: &str, req: &CompletionRequest) -> u64 {
    0
}

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

pub struct Extractive;
impl Extractive {
    pub fn new() -> Self {
        Extractive
    }
}
#[async_trait]
impl Provider for Extractive {
    fn name(&self) -> &str {
        "extractive"
    }
    fn default_model(&self) -> &str {
        "extractive-1"
    }
    fn needs_key(&self) -> bool {
        false
    }
    async fn complete(
        &self,
        r: &CompletionRequest,
        k: Option<&SecretString>,
    ) -> Result<CompletionResponse> {
        unimplemented!()
    }
}

/// Builds a built-in provider by name (`openai`, `anthropic`, `ollama`, `extractive`), with
/// an optional base URL (else the provider's environment variable, else its public default).
pub fn provider_by_name(name: &str, base_url: Option<&str>) -> Result<std::sync::Arc<dyn Provider>> {
    match name {
        "extractive" => Ok(std::sync::Arc::new(Extractive::new())),
        other => Err(crate::Error::Config(format!(
            "unknown provider `{other}` (use openai, anthropic, ollama or extractive)"
        ))),
    }
}

//! # harvest-core
//!
//! Turns web pages into AI-ready output, lawfully and cheaply:
//! comply → fetch → extract → format → gateway → [`Harvest`].
#![forbid(unsafe_code)]

pub mod cache;
pub mod compliance;
pub mod cost;
pub mod error;
pub mod extract;
pub mod format;
pub mod gateway;
pub mod harvester;
pub mod keys;
pub mod provider;
pub mod scrape;
pub mod settings;
pub mod types;

pub use cache::{Cache, MemoryCache};
pub use error::{Error, Result};
pub use format::{FormatContext, FormatOptions, Formatter, Plan};
pub use harvester::{HarvestEvent, HarvestOptions, HarvestStream, Harvester, HarvesterBuilder};
pub use keys::{ApiKey, ChainKeyStore, EnvKeyStore, KeyStore, MemoryKeyStore};
pub use provider::{provider_by_name, CompletionStream, Provider};
pub use scrape::{FetchOptions, Scraper};

pub use types::*;

/// Re-exported so integrators implement the traits with the same versions.
pub use async_trait::async_trait;
pub use {chrono, secrecy, url};

/// The version of harvest-core.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

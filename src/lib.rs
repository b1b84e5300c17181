//! `harvest`: turn web pages into AI-ready output, lawfully and cheaply.
//!
//! This facade re-exports [`harvest_core`]; see its documentation for the full API.
//!
//! ```no_run
//! # async fn run() -> harvest::Result<()> {
//! let harvester = harvest::Harvester::builder().build()?;
//! let page = harvester.harvest("https://example.com/article", "markdown").await?;
//! println!("{}\n\n{}", page.output, page.attribution.line());
//! # Ok(()) }
//! ```
pub use harvest_core::*;

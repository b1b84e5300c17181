//! Skeleton binding crate; see README.md.
pub use harvest_core::VERSION;

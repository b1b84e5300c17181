//! Compliance: what each signal says about using a page, and the decision.
//!
//! - [`evaluate`] judges a fetched page's AI-use signals under a [`Policy`];
//! - [`OptOutStore`] / [`MemoryOptOut`] hold sites that must never be harvested;
//! - [`redact`] removes personal data before content goes to a provider;
//! - [`simhash`] fingerprints text to spot near-duplicates.

pub mod optout;
pub mod policy;
pub mod redact;
pub mod signals;
pub mod simhash;
pub mod tdmrep;

pub use optout::{MemoryOptOut, OptOutStore};
pub use policy::{evaluate, evaluate_for, refusal_reasons, Mode, Policy, Purpose};
pub use redact::{redact, Redaction};
pub use simhash::{hamming, is_near_duplicate, simhash, NEAR_DUPLICATE_BITS};

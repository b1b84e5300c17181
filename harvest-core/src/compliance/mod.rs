//! Compliance: what each signal says about using a page, and the decision.
pub mod tdmrep;

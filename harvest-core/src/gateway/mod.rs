//! The AI gateway: key lookup, failover across a chain of providers, and (in later layers)
//! retries, circuit breakers and rate limits.

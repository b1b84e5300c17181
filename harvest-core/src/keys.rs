//! Provider keys, held as [`SecretString`] from the moment they enter.

use std::collections::HashMap;
use std::sync::RwLock;

use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

use crate::Result;

/// A provider key and its public fingerprint.
#[derive(Clone)]
pub struct ApiKey {
    /// Short fingerprint (`sha256:1a2b3c4d`), safe to log and show.
    pub id: String,
    pub secret: SecretString,
}

impl ApiKey {
    pub fn new(secret: SecretString) -> Self {
        ApiKey {
            id: key_id(&secret),
            secret,
        }
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiKey")
            .field("id", &self.id)
            .field("secret", &"[REDACTED]")
            .finish()
    }
}

/// The public fingerprint of a key: `sha256:` and the first 8 hex digits of its hash.
pub fn key_id(secret: &SecretString) -> String {
    let digest = Sha256::digest(secret.expose_secret().as_bytes());
    format!("sha256:{}", &hex::encode(digest)[..8])
}

/// Where provider keys come from.
#[async_trait]
pub trait KeyStore: Send + Sync {
    /// The key to use for `provider` (`openai`, `anthropic`, ...), if any.
    async fn get(&self, provider: &str) -> Result<Option<ApiKey>>;
}

/// Keys held in memory, set by the integrator.
///
/// ```
/// use harvest_core::{MemoryKeyStore};
/// let keys = MemoryKeyStore::new();
/// keys.insert("openai", "sk-test".to_string().into());
/// ```
#[derive(Default)]
pub struct MemoryKeyStore {
    keys: RwLock<HashMap<String, ApiKey>>,
}

impl MemoryKeyStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets (or replaces: rotation) the key for `provider`.
    pub fn insert(&self, provider: &str, secret: SecretString) {
        self.keys
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(provider.to_string(), ApiKey::new(secret));
    }

    pub fn remove(&self, provider: &str) {
        self.keys
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(provider);
    }
}

#[async_trait]
impl KeyStore for MemoryKeyStore {
    async fn get(&self, provider: &str) -> Result<Option<ApiKey>> {
        Ok(self
            .keys
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(provider)
            .cloned())
    }
}

/// Keys from environment variables: `OPENAI_API_KEY`, `ANTHROPIC_API_KEY`, or
/// `<PROVIDER>_API_KEY` for any other provider name.
#[derive(Debug, Default, Clone, Copy)]
pub struct EnvKeyStore;

impl EnvKeyStore {
    /// The variable read for `provider`.
    pub fn var_name(provider: &str) -> String {
        format!(
            "{}_API_KEY",
            provider.to_ascii_uppercase().replace('-', "_")
        )
    }
}

#[async_trait]
impl KeyStore for EnvKeyStore {
    async fn get(&self, provider: &str) -> Result<Option<ApiKey>> {
        Ok(std::env::var(Self::var_name(provider))
            .ok()
            .filter(|v| !v.trim().is_empty())
            .map(|v| ApiKey::new(SecretString::from(v.trim().to_string()))))
    }
}

/// Tries each store in order; the first that has a key wins.
pub struct ChainKeyStore {
    stores: Vec<std::sync::Arc<dyn KeyStore>>,
}

impl ChainKeyStore {
    pub fn new(stores: Vec<std::sync::Arc<dyn KeyStore>>) -> Self {
        ChainKeyStore { stores }
    }

    /// `store` first, then the environment (`OPENAI_API_KEY`, ...): what the bindings use
    /// when a caller passes keys.
    pub fn then_env(store: std::sync::Arc<dyn KeyStore>) -> Self {
        ChainKeyStore::new(vec![store, std::sync::Arc::new(EnvKeyStore)])
    }
}

#[async_trait]
impl KeyStore for ChainKeyStore {
    async fn get(&self, provider: &str) -> Result<Option<ApiKey>> {
        for store in &self.stores {
            if let Some(key) = store.get(provider).await? {
                return Ok(Some(key));
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_secret() {
        let key = ApiKey::new(SecretString::from("sk-very-secret".to_string()));
        let shown = format!("{key:?}");
        assert!(!shown.contains("sk-very-secret"), "{shown}");
        assert!(shown.contains("[REDACTED]"));
        assert_eq!(key.id.len(), "sha256:".len() + 8);
    }

    #[tokio::test]
    async fn memory_store_rotates() {
        let store = MemoryKeyStore::new();
        store.insert("openai", SecretString::from("a".to_string()));
        let first = store.get("openai").await.unwrap().unwrap().id;
        store.insert("openai", SecretString::from("b".to_string()));
        let second = store.get("openai").await.unwrap().unwrap().id;
        assert_ne!(first, second);
        assert_eq!(EnvKeyStore::var_name("openai"), "OPENAI_API_KEY");
    }
}

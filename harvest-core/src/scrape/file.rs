//! Local files: the one way a `file:` URL enters harvest.

use std::path::Path;

use chrono::Utc;
use url::Url;

use super::charset;
use super::http::DEFAULT_MAX_BODY_BYTES;
use crate::types::Page;
use crate::{Error, Result};

/// Reads a local HTML file into a [`Page`] with a `file://` URL (at most 10 MiB; the
/// charset comes from a BOM, a `<meta>` declaration or detection).
///
/// ```no_run
/// # async fn run() -> harvest_core::Result<()> {
/// let page = harvest_core::scrape::read_file(std::path::Path::new("article.html")).await?;
/// assert_eq!(page.final_url.scheme(), "file");
/// # Ok(()) }
/// ```
pub async fn read_file(path: &Path) -> Result<Page> {
    let io_err = |e: std::io::Error| Error::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let absolute = tokio::fs::canonicalize(path).await.map_err(io_err)?;
    let url = Url::from_file_path(&absolute).map_err(|()| Error::InvalidUrl {
        url: path.display().to_string(),
        reason: "cannot be expressed as a file:// URL".into(),
    })?;
    let meta = tokio::fs::metadata(&absolute).await.map_err(io_err)?;
    if !meta.is_file() {
        return Err(Error::Io {
            path: path.display().to_string(),
            message: "not a regular file".into(),
        });
    }
    if meta.len() > DEFAULT_MAX_BODY_BYTES {
        return Err(Error::BodyTooLarge {
            url: url.to_string(),
            limit_bytes: DEFAULT_MAX_BODY_BYTES,
        });
    }
    let bytes = tokio::fs::read(&absolute).await.map_err(io_err)?;
    // The file may have grown between metadata and read.
    if bytes.len() as u64 > DEFAULT_MAX_BODY_BYTES {
        return Err(Error::BodyTooLarge {
            url: url.to_string(),
            limit_bytes: DEFAULT_MAX_BODY_BYTES,
        });
    }
    let (html, charset) = charset::decode(&bytes, None, None);
    if charset::looks_binary(&html) {
        return Err(Error::NotHtml {
            url: url.to_string(),
            content_type: "none (a local file), but the body is binary data".into(),
        });
    }
    Ok(Page {
        requested_url: url.clone(),
        final_url: url,
        status: 200,
        headers: Vec::new(),
        html,
        charset,
        fetched_at: Utc::now(),
        signals: Vec::new(),
        not_modified: false,
    })
}

//! Runs the extractor over the extraction eval set and writes `{file: extracted}` JSON for
//! `score_extraction.py`.
//!
//! ```text
//! cargo run --release --example eval_extraction -- --out /tmp/ext.json
//! python3 ../shared/tools/score_extraction.py /tmp/ext.json
//! ```

use std::collections::BTreeMap;
use std::io::Read;
use std::path::PathBuf;
use std::time::Instant;

use clap::Parser;
use harvest::extract::extract;

#[derive(Parser)]
#[command(about = "Extract every page of the eval set and write {file: output} JSON")]
struct Args {
    /// The eval directory (holding cases.json and pages/).
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/extraction-eval"))]
    data: PathBuf,
    /// Which output to score: `text` or `markdown`.
    #[arg(long, default_value = "text")]
    field: String,
    /// Where to write the JSON.
    #[arg(long)]
    out: PathBuf,
    /// Only extract pages whose file name contains this (for studying failures).
    #[arg(long)]
    only: Option<String>,
}

#[derive(serde::Deserialize)]
struct Case {
    file: String,
}

/// Decodes a page: UTF-8 when valid, else the `<meta>`-declared charset, else windows-1252.
fn decode(bytes: &[u8]) -> String {
    if let Ok(s) = std::str::from_utf8(bytes) {
        return s.to_string();
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).to_ascii_lowercase();
    let label = head.find("charset=").map(|p| {
        head[p + 8..]
            .trim_start_matches(['"', '\''])
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect::<String>()
    });
    let enc = label
        .and_then(|l| encoding_rs::Encoding::for_label(l.as_bytes()))
        .unwrap_or(encoding_rs::WINDOWS_1252);
    enc.decode(bytes).0.into_owned()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    if args.field != "text" && args.field != "markdown" {
        return Err(format!("--field must be text or markdown, not {:?}", args.field).into());
    }
    let cases: BTreeMap<String, Case> =
        serde_json::from_slice(&std::fs::read(args.data.join("cases.json"))?)?;
    let mut pages = Vec::new();
    for (url, case) in &cases {
        if args
            .only
            .as_ref()
            .is_some_and(|o| !case.file.contains(o.as_str()))
        {
            continue;
        }
        let raw = std::fs::read(args.data.join("pages").join(&case.file))?;
        let mut bytes = Vec::new();
        flate2::read::GzDecoder::new(&raw[..]).read_to_end(&mut bytes)?;
        let base = url::Url::parse(url)?;
        pages.push((case.file.clone(), base, decode(&bytes)));
    }
    let start = Instant::now();
    let mut out = BTreeMap::new();
    for (file, base, html) in &pages {
        let doc = extract(html, base);
        let value = if args.field == "text" {
            doc.text
        } else {
            doc.markdown
        };
        out.insert(file.clone(), value);
    }
    let secs = start.elapsed().as_secs_f64();
    std::fs::write(&args.out, serde_json::to_vec(&out)?)?;
    eprintln!(
        "{} pages in {:.2}s: {:.1} pages/second ({} field) -> {}",
        pages.len(),
        secs,
        pages.len() as f64 / secs,
        args.field,
        args.out.display()
    );
    Ok(())
}

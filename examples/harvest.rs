//! The main job: harvest one page (URL or local HTML file) into a format.
//!
//! ```text
//! cargo run --release --example harvest -- <URL|FILE> [--format NAME] [--provider NAME[:MODEL]]...
//!     [--json] [--allow-private-network] [--budget USD] [--prices FILE] [--no-cache]
//! ```
//!
//! Exit status: 0 on success, 2 when the page is refused (robots.txt, AI opt-out signals,
//! opt-out list, private address), 1 for any other failure. Failures print one line on stderr.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use harvest::{cost::PriceTable, provider_by_name, Error, HarvestOptions, Harvester, Provider};

#[derive(Parser, Debug)]
#[command(
    name = "harvest",
    version,
    about = "Turn a web page into AI-ready output"
)]
struct Cli {
    /// An http(s) URL, or the path of a local HTML file.
    input: String,
    /// Output format: markdown, text, json, html, csv, summary, bullets, thread, faq.
    #[arg(long, short, default_value = "markdown")]
    format: String,
    /// Provider for generative formats, as NAME or NAME:MODEL (openai, anthropic, ollama,
    /// extractive). Repeat to form a failover chain, tried in order. Default: extractive.
    #[arg(long = "provider", short = 'p', value_name = "NAME[:MODEL]")]
    providers: Vec<String>,
    /// Print the whole result as JSON.
    #[arg(long)]
    json: bool,
    /// Allow loopback and private addresses (local pages, tests).
    #[arg(long)]
    allow_private_network: bool,
    /// Refuse the provider call when its estimated cost is above this many USD.
    #[arg(long, value_name = "USD", allow_negative_numbers = true)]
    budget: Option<f64>,
    /// A price table in LiteLLM's model_prices_and_context_window.json format.
    #[arg(long, value_name = "FILE")]
    prices: Option<PathBuf>,
    /// Do not read or write the response cache.
    #[arg(long)]
    no_cache: bool,
}

fn provider(spec: &str) -> Result<(Arc<dyn Provider>, Option<String>), Error> {
    let (name, model) = match spec.split_once(':') {
        Some((n, m)) if !m.is_empty() => (n, Some(m.to_string())),
        _ => (spec, None),
    };
    Ok((provider_by_name(name, None)?, model))
}

async fn run(cli: Cli) -> Result<(), Error> {
    let mut builder = Harvester::builder().allow_private_network(cli.allow_private_network);
    for spec in &cli.providers {
        builder = match provider(spec)? {
            (p, Some(model)) => builder.provider_with_model(p, model),
            (p, None) => builder.provider(p),
        };
    }
    if let Some(path) = &cli.prices {
        builder = builder.prices(PriceTable::from_path(path)?);
    }
    let harvester = builder.build()?;
    let mut options = HarvestOptions::new(&cli.format);
    options.budget_usd = cli.budget;
    options.use_cache = !cli.no_cache;

    let is_url = cli.input.starts_with("http://") || cli.input.starts_with("https://");
    let result = if !is_url && Path::new(&cli.input).exists() {
        harvester.harvest_file(&cli.input, &options).await?
    } else {
        harvester.harvest_with(&cli.input, &options).await?
    };
    if cli.json {
        let json = serde_json::to_string_pretty(&result)
            .map_err(|e| Error::Config(format!("cannot print the result as JSON: {e}")))?;
        println!("{json}");
    } else {
        println!("{}", result.output);
    }
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version
            print!("{e}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            let text = e.to_string();
            let line = text.lines().next().unwrap_or("invalid arguments");
            eprintln!("harvest: {}", line.trim_start_matches("error: "));
            return ExitCode::from(1);
        }
    };
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("harvest: {err}");
            ExitCode::from(if err.is_refusal() { 2 } else { 1 })
        }
    }
}

//! The main job: harvest one page (URL or local HTML file) into a format.
//!
//! ```text
//! cargo run --release --example harvest -- <URL|FILE> [--format NAME] [--provider NAME[:MODEL]]...
//!     [--json] [--allow-private-network] [--budget USD] [--prices FILE] [--no-cache] [--stream]
//! ```
//!
//! `--stream` prints the output as it arrives; with `--json`, one JSON object per line for
//! each delta (`{"event":"delta","text":"..."}`) and the whole result as the last line.
//!
//! Exit status: 0 on success, 2 when the page is refused (robots.txt, AI opt-out signals,
//! opt-out list, private address), 1 for any other failure. Failures print one line on stderr.

use std::path::PathBuf;
use std::process::ExitCode;

use std::io::Write;

use clap::Parser;
use futures::StreamExt;
use harvest::{cost::PriceTable, Error, HarvestEvent, HarvestOptions, HarvestStream, Harvester};

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
    /// Print the output as it arrives. With --json: one JSON object per line per delta,
    /// then the whole result as the last line.
    #[arg(long)]
    stream: bool,
}

/// Why the program stops: the harvest failed, or its output could not be written.
enum Failure {
    Harvest(Error),
    Output(std::io::Error),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Harvest(e)
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::Output(e)
    }
}

async fn run(cli: Cli) -> Result<(), Failure> {
    let mut builder = Harvester::builder().allow_private_network(cli.allow_private_network);
    for spec in &cli.providers {
        builder = builder.provider_spec(spec, None)?;
    }
    if let Some(path) = &cli.prices {
        builder = builder.prices(PriceTable::from_path(path)?);
    }
    let harvester = builder.build()?;
    let mut options = HarvestOptions::new(&cli.format);
    options.budget_usd = cli.budget;
    options.use_cache = !cli.no_cache;

    // Anything without a scheme is a file path (so a missing file says so).
    let is_file = !cli.input.contains("://");
    let mut stdout = std::io::stdout().lock();
    if cli.stream {
        let events = if is_file {
            harvester.harvest_file_stream(&cli.input, &options)
        } else {
            harvester.harvest_stream(&cli.input, &options)
        };
        return print_stream(events, cli.json, &mut stdout).await;
    }
    let result = if is_file {
        harvester.harvest_file(&cli.input, &options).await?
    } else {
        harvester.harvest_with(&cli.input, &options).await?
    };
    if cli.json {
        writeln!(stdout, "{}", to_json(&result, true)?)?;
    } else {
        writeln!(stdout, "{}", result.output)?;
    }
    stdout.flush()?;
    Ok(())
}

fn to_json<T: serde::Serialize>(value: &T, pretty: bool) -> Result<String, Error> {
    let json = if pretty {
        serde_json::to_string_pretty(value)
    } else {
        serde_json::to_string(value)
    };
    json.map_err(|e| Error::Config(format!("cannot print the result as JSON: {e}")))
}

/// Prints a streamed harvest: text as it arrives (then whatever the formatter added at the
/// end, such as the attribution line), or JSON lines.
async fn print_stream(
    mut events: HarvestStream,
    json: bool,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let mut streamed = String::new();
    while let Some(event) = events.next().await {
        match event? {
            HarvestEvent::Delta { text } if json => {
                writeln!(out, "{}", to_json(&HarvestEvent::Delta { text }, false)?)?;
            }
            HarvestEvent::Delta { text } => {
                write!(out, "{text}")?;
                streamed.push_str(&text);
            }
            HarvestEvent::Done { harvest } if json => {
                writeln!(out, "{}", to_json(&harvest, false)?)?;
            }
            HarvestEvent::Done { harvest } => {
                let output = harvest.output.as_str();
                let rest = output
                    .strip_prefix(streamed.as_str())
                    .or_else(|| output.strip_prefix(streamed.trim_end()))
                    .unwrap_or_default();
                writeln!(out, "{rest}")?;
            }
        }
        out.flush()?;
    }
    Ok(())
}

/// Clap's error in one line: `the following required arguments were not provided: <INPUT>`.
fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more information"))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .trim_start_matches("error: ")
        .to_string()
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
            eprintln!("harvest: {}", one_line(&e.to_string()));
            return ExitCode::from(1);
        }
    };
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        // The reader went away (`| head`): stop quietly, as other command-line tools do.
        Err(Failure::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(Failure::Output(e)) => {
            eprintln!("harvest: cannot write the output: {e}");
            ExitCode::from(1)
        }
        Err(Failure::Harvest(err)) => {
            eprintln!("harvest: {err}");
            ExitCode::from(if err.is_refusal() { 2 } else { 1 })
        }
    }
}

//! `cargo xtask`: the project's maintenance commands. See the library's docs.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use xtask::spec::{self, Files, UpdateOutcome, Upstream};

/// Maintenance commands for box-sdk-gen.
#[derive(Parser)]
#[command(name = "cargo xtask")]
struct Cli {
    /// The workspace whose `openapi/` folder to use; this one by default.
    #[arg(long, global = true)]
    root: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Work with the vendored OpenAPI fragment in `openapi/`.
    Spec {
        #[command(subcommand)]
        command: SpecCommand,
    },
}

#[derive(Subcommand)]
enum SpecCommand {
    /// Slice and normalize the operations in `openapi/operations.toml` out of an
    /// upstream spec, and write the fragment and its provenance.
    Update {
        /// The upstream spec: a local path, or an https URL where there is a network.
        #[arg(long)]
        from: String,
        /// Where the upstream spec was published, e.g. "box/box-openapi at <commit>";
        /// recorded in the provenance.
        #[arg(long)]
        origin: Option<String>,
    },
    /// Fail when the committed fragment differs from a fresh slice of the upstream spec.
    Check {
        /// The upstream spec: a local path, or an https URL where there is a network.
        #[arg(long)]
        from: String,
    },
    /// Generate and compile a client for every operation of the upstream spec, and
    /// list those that do not make it, with the reason.
    Coverage {
        /// The upstream spec: a local path, or an https URL where there is a network.
        #[arg(long)]
        from: String,
        /// Only operations with this tag; repeatable.
        #[arg(long)]
        tag: Vec<String>,
        /// Only this operation id; repeatable.
        #[arg(long = "op")]
        operation: Vec<String>,
        /// Fail when fewer operations than this generate and compile.
        #[arg(long)]
        min: Option<usize>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let files = cli.root.map_or_else(Files::of_this_workspace, Files::new);
    let result = match cli.command {
        Command::Spec { command } => match command {
            SpecCommand::Update { from, origin } => run_update(&files, &from, origin.as_deref()),
            SpecCommand::Check { from } => run_check(&files, &from),
            SpecCommand::Coverage {
                from,
                tag,
                operation,
                min,
            } => run_coverage(&files, &from, tag, operation, min),
        },
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn run_update(files: &Files, from: &str, origin: Option<&str>) -> Result<ExitCode, String> {
    let upstream = Upstream::read(from)?;
    match spec::update(files, &upstream, origin)? {
        UpdateOutcome::Changed => println!(
            "wrote {} and {} from {from}",
            spec::FRAGMENT_PATH,
            spec::OPERATIONS_PATH
        ),
        UpdateOutcome::Unchanged => {
            println!("{} is already up to date with {from}", spec::FRAGMENT_PATH)
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn run_coverage(
    files: &Files,
    from: &str,
    tags: Vec<String>,
    operation_ids: Vec<String>,
    min: Option<usize>,
) -> Result<ExitCode, String> {
    let spec = Upstream::read(from)?.json()?;
    let selection = xtask::coverage::Selection {
        tags,
        operation_ids,
    };
    let started = std::time::Instant::now();
    let report = xtask::coverage::measure(&spec, &selection, &files.scratch("spec-coverage"))?;
    print!("{}", report.render());
    println!("measured in {:.0?}", started.elapsed());
    match min {
        Some(min) if report.passed.len() < min => {
            eprintln!(
                "error: {} operations generate and compile, fewer than the {min} expected",
                report.passed.len()
            );
            Ok(ExitCode::FAILURE)
        }
        _ => Ok(ExitCode::SUCCESS),
    }
}

fn run_check(files: &Files, from: &str) -> Result<ExitCode, String> {
    let upstream = Upstream::read(from)?;
    match spec::check(files, &upstream)? {
        None => {
            println!("{} matches a fresh slice of {from}", spec::FRAGMENT_PATH);
            Ok(ExitCode::SUCCESS)
        }
        Some(report) => {
            eprintln!("{report}");
            Ok(ExitCode::FAILURE)
        }
    }
}

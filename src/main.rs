//! ondeck: error hooks → command line → logging → config → terminal → run.

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser;
use color_eyre::Result;
use color_eyre::eyre::eyre;

use ondeck::cli::{Cli, Format, RunbookCommand, SloCommand, Subcommands, WriteArgs};
use ondeck::config::{self, ConfigLocation};
use ondeck::headless;
use ondeck::headless::cli as cli_commands;
use ondeck::model::IncidentAction::{self, Acknowledge, Resolve, Unacknowledge};
use ondeck::setup::{self, Overrides};
use ondeck::sources::Clock;
use ondeck::state::RunbookState;
use ondeck::ui::symbols::{self, Symbols};

/// How long quitting waits for the runtime's threads after dropping every task.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_millis(500);

fn main() -> ExitCode {
    if let Err(error) = color_eyre::install() {
        eprintln!("ondeck: {error}");
    }
    let cli = Cli::parse();
    let _log_guard = ondeck::logging::init(config::log_path().as_deref());
    match run(cli) {
        Ok(code) => code,
        Err(report) => {
            // The terminal is already restored here: `cockpit` restores before returning.
            // Not `eprintln!`: it panics when stderr is a terminal that hung up.
            tracing::error!("{report}");
            let _ = writeln!(std::io::stderr(), "ondeck: {report:?}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    let location = config::resolve_path(cli.config.as_deref());
    if cli.version {
        print_version(&location);
        return Ok(ExitCode::SUCCESS);
    }
    // Time travel: one fixed instant for every query; the past is only looked at, never acted on.
    let clock = cli.at.map_or(Clock::System, Clock::Fixed);
    let overrides = Overrides {
        theme: cli.theme.clone(),
        readonly: cli.readonly || cli.at.is_some(),
        state_dir: config::state_dir(),
    };
    match cli.command {
        Some(Subcommands::CheckConfig { path }) => Ok(check_config(path, &location)),
        Some(Subcommands::Snapshot { format }) => snapshot(&location, &overrides, format, clock),
        Some(Subcommands::Runbook {
            command: RunbookCommand::Check { dir },
        }) => Ok(check_runbooks(&dir)),
        Some(Subcommands::Audit) => audit(),
        Some(Subcommands::Slo {
            command: SloCommand::Rules { format, source },
        }) => {
            let config = load_config(&location)?;
            let rules = ondeck::sources::prometheus::rulefile::generate(
                &config,
                source.as_deref(),
                format.into(),
            );
            print!("{}", rules.map_err(|e| eyre!("{e}"))?);
            Ok(ExitCode::SUCCESS)
        }
        Some(Subcommands::Ack(args)) => write(&location, &overrides, clock, args, Acknowledge),
        Some(Subcommands::Resolve(args)) => write(&location, &overrides, clock, args, Resolve),
        Some(Subcommands::Unack(args)) => write(&location, &overrides, clock, args, Unacknowledge),
        Some(Subcommands::Incidents { format }) => {
            let app = setup::build(&load_config(&location)?, &overrides, clock)?;
            let json = format == Format::Json;
            let (text, code) = runtime()?.block_on(cli_commands::incidents_command(app, json));
            print!("{text}");
            Ok(ExitCode::from(code))
        }
        Some(Subcommands::Outbox) => {
            let app = setup::build(&load_config(&location)?, &overrides, clock)?;
            let code = runtime()?.block_on(cli_commands::outbox_command(&app));
            Ok(ExitCode::from(code))
        }
        Some(Subcommands::Handoff { since }) => {
            let app = setup::build(&load_config(&location)?, &overrides, clock)?;
            let dir = overrides.state_dir.clone();
            let report =
                runtime()?.block_on(cli_commands::handoff_command(app, dir.as_deref(), since))?;
            print!("{report}");
            Ok(ExitCode::SUCCESS)
        }
        None => cockpit(&location, &overrides, clock, cli.ascii),
    }
}

fn print_version(location: &ConfigLocation) {
    let show =
        |p: Option<std::path::PathBuf>| p.map_or("(none)".into(), |p| p.display().to_string());
    println!("ondeck {}", env!("CARGO_PKG_VERSION"));
    println!("config: {}", location.path().display());
    println!("state:  {}", show(config::state_dir()));
    println!("log:    {}", show(config::log_path()));
}

/// Exit 2 with the error on stderr when the file is invalid.
fn check_config(path: Option<std::path::PathBuf>, default: &ConfigLocation) -> ExitCode {
    let location = path.map_or_else(|| default.clone(), ConfigLocation::Explicit);
    match config::load(&location) {
        Ok(config) => {
            println!("{}: ok", location.path().display());
            print!("{}", config.describe());
            for warning in &config.warnings {
                eprintln!("warning: {warning}");
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("{error}");
            ExitCode::from(2)
        }
    }
}

/// One line per runbook file; exit 2 when any has an error.
fn check_runbooks(dir: &std::path::Path) -> ExitCode {
    let (lines, ok) = ondeck::runbook::check_dir(dir);
    for line in lines {
        println!("{line}");
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}

/// Prints the audit log readably, oldest first.
fn audit() -> Result<ExitCode> {
    let dir = config::state_dir().ok_or_else(|| eyre!("no state directory on this system"))?;
    let path = ondeck::journal::audit_path(&dir);
    let entries = ondeck::journal::read_all(&path)?;
    if entries.is_empty() {
        println!("{}: no entries yet", path.display());
    }
    for entry in entries {
        match entry {
            Ok(entry) => println!("{}", entry.display_line()),
            Err(error) => eprintln!("{}: {error}", path.display()),
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `ack`, `resolve`, `unack`: one write through the outbox.
fn write(
    location: &ConfigLocation,
    overrides: &Overrides,
    clock: Clock,
    args: WriteArgs,
    action: IncidentAction,
) -> Result<ExitCode> {
    let config = load_config(location)?;
    let app = setup::build(&config, overrides, clock)?;
    let code = runtime()?.block_on(cli_commands::write_command(
        &app,
        &args.id,
        action,
        args.note,
        args.source.as_deref(),
        args.wait,
    ));
    Ok(ExitCode::from(code))
}

fn load_config(location: &ConfigLocation) -> Result<config::Config> {
    let config = config::load(location).map_err(|e| eyre!("{e}"))?;
    for warning in &config.warnings {
        tracing::warn!(%warning, "config");
    }
    Ok(config)
}

/// The cockpit's runtime: one thread. The loop, the pollers and the timers share it, so an
/// idle cockpit wakes once per tick instead of once per worker; the work is IO-bound and every
/// response is size-capped, so no poll holds the thread long enough to delay a key.
fn cockpit_runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

fn snapshot(
    location: &ConfigLocation,
    overrides: &Overrides,
    format: Format,
    clock: Clock,
) -> Result<ExitCode> {
    let config = load_config(location)?;
    let app = setup::build(&config, overrides, clock)?;
    let (state, generated_at) = runtime()?.block_on(headless::collect(app));
    let snapshot = headless::json::build(&state, generated_at);
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&snapshot)?),
        Format::Text => print!("{}", headless::text::render(&snapshot)),
    }
    Ok(if headless::any_failed(&state) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn cockpit(
    location: &ConfigLocation,
    overrides: &Overrides,
    clock: Clock,
    ascii_flag: bool,
) -> Result<ExitCode> {
    let config = load_config(location)?;
    let mut app = setup::build(&config, overrides, clock)?;
    let locale_utf8 = symbols::locale_is_utf8(|name| std::env::var(name).ok());
    let ascii = symbols::want_ascii(ascii_flag, config.ascii, locale_utf8);
    app.theme = app
        .theme
        .for_depth(config::depth_from_env())
        .with_symbols(Symbols::pick(ascii));
    app.state.runbook = RunbookState::configured(&config, config::state_dir());
    tracing::info!(
        config = %location.path().display(),
        sources = config.sources.len(),
        readonly = app.state.readonly,
        "cockpit starting"
    );
    let runtime = cockpit_runtime()?;
    // The panic hook `init` installs restores the terminal before the report prints.
    let mut terminal = ondeck::ui::terminal::init(config.mouse)?;
    let result = runtime.block_on(app.run(&mut terminal, config.mouse));
    ondeck::ui::terminal::restore(config.mouse);
    // Pollers and in-flight commands are dropped here rather than awaited: nothing they do is
    // lost (writes are confirmed or reported before the user can quit). Dropping, unlike
    // `shutdown_background`, happens before we exit, so a running runbook step's guard kills its
    // whole process group on quit, SIGTERM or SIGHUP alike.
    runtime.shutdown_timeout(SHUTDOWN_GRACE);
    tracing::info!(ok = result.is_ok(), "cockpit stopped");
    result.map(|()| ExitCode::SUCCESS)
}

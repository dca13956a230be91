//! ondeck: command line → logging → config → terminal → run. Whatever fails ends as one
//! line on stderr and an exit status (see [`Failure`]); everything printed goes through
//! [`output`], which ends quietly when the reader of a pipe has gone.

// Everything printed goes through `output`, which survives a closed pipe or terminal.
#![deny(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;

use clap::Parser;

use ondeck::cli::{Cli, Format, RunbookCommand, SloCommand, Subcommands, WriteArgs};
use ondeck::config::{self, ConfigLocation};
use ondeck::failure::Failure;
use ondeck::headless;
use ondeck::headless::cli as cli_commands;
use ondeck::inert;
use ondeck::model::IncidentAction::{self, Acknowledge, Resolve, Unacknowledge};
use ondeck::output::{self, out, outln};
use ondeck::setup::{self, Overrides};
use ondeck::sources::Clock;
use ondeck::state::RunbookState;
use ondeck::ui::symbols::{self, Symbols};

/// How long quitting waits for the runtime's threads after dropping every task.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_millis(500);

fn main() -> ExitCode {
    ondeck::failure::install_panic_report();
    let cli = Cli::parse();
    let _log_guard = ondeck::logging::init(config::log_path().as_deref());
    match run(cli) {
        Ok(code) => code,
        Err(failure) => {
            // The terminal is already restored here: `cockpit` restores before returning.
            tracing::error!("{failure}");
            output::err(&failure);
            ExitCode::from(failure.exit_code())
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, Failure> {
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
        Some(Subcommands::CheckConfig { path }) => Ok(check_config(path, &location, &overrides)),
        Some(Subcommands::Snapshot { format }) => snapshot(&location, &overrides, format, clock),
        Some(Subcommands::Runbook {
            command: RunbookCommand::Check { dir },
        }) => Ok(check_runbooks(&dir)),
        Some(Subcommands::Audit { verify }) => audit(verify),
        Some(Subcommands::Slo {
            command: SloCommand::Rules { format, source },
        }) => {
            let config = load_config(&location)?;
            let rules = ondeck::sources::prometheus::rulefile::generate(
                &config,
                source.as_deref(),
                format.into(),
            );
            out(&rules.map_err(|e| Failure::Run(e.to_string()))?);
            Ok(ExitCode::SUCCESS)
        }
        Some(Subcommands::Ack(args)) => write(&location, &overrides, clock, args, Acknowledge),
        Some(Subcommands::Resolve(args)) => write(&location, &overrides, clock, args, Resolve),
        Some(Subcommands::Unack(args)) => write(&location, &overrides, clock, args, Unacknowledge),
        Some(Subcommands::Incidents { format }) => {
            let app = setup::build(&load_config(&location)?, &overrides, clock)?;
            let json = format == Format::Json;
            let (text, code) = runtime()?.block_on(cli_commands::incidents_command(app, json));
            out(&text);
            Ok(ExitCode::from(code))
        }
        Some(Subcommands::Outbox { drop }) => {
            let app = setup::build(&load_config(&location)?, &overrides, clock)?;
            let code = runtime()?.block_on(cli_commands::outbox_command(&app, drop.as_deref()));
            Ok(ExitCode::from(code))
        }
        Some(Subcommands::Handoff { since }) => {
            let app = setup::build(&load_config(&location)?, &overrides, clock)?;
            let dir = overrides.state_dir.clone();
            let report = runtime()?
                .block_on(cli_commands::handoff_command(app, dir.as_deref(), since))
                .map_err(|e| Failure::run("cannot read the audit log", e))?;
            out(&report);
            Ok(ExitCode::SUCCESS)
        }
        Some(Subcommands::Init(args)) => init(&args, &location, clock),
        None => cockpit(&location, &overrides, clock, cli.ascii),
    }
}

/// Writes a config for the user's stack; exit 1 when a backend did not answer (the file is
/// written all the same, that source marked as not working).
fn init(
    args: &ondeck::cli::InitArgs,
    location: &ConfigLocation,
    clock: Clock,
) -> Result<ExitCode, Failure> {
    let path = args
        .output
        .clone()
        .unwrap_or_else(|| location.path().to_path_buf());
    // The header names the command as typed, the program as `ondeck` wherever it lives.
    let command: Vec<String> = std::iter::once("ondeck".to_string())
        .chain(std::env::args().skip(1))
        .collect();
    let written = runtime()?.block_on(ondeck::init::run(
        args,
        &path,
        clock.now(),
        &command.join(" "),
    ))?;
    out(&written.summary(&ondeck::init::token_vars(args)));
    Ok(if written.all_answered() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn print_version(location: &ConfigLocation) {
    let show =
        |p: Option<std::path::PathBuf>| p.map_or("(none)".into(), |p| p.display().to_string());
    out(&format!(
        "ondeck {}\nconfig: {}\nstate:  {}\nlog:    {}\n",
        env!("CARGO_PKG_VERSION"),
        location.path().display(),
        show(config::state_dir()),
        show(config::log_path()),
    ));
}

/// Exit 2 with the error on stderr when the file is invalid, or with one line per secret or
/// file a run would need and cannot read (never the secret itself). What it prints is what
/// a run with the same flags would use: `--theme` and `--readonly` (or `--at`) included, and
/// the demo when there is no file.
fn check_config(
    path: Option<std::path::PathBuf>,
    default: &ConfigLocation,
    overrides: &Overrides,
) -> ExitCode {
    let location = path.map_or_else(|| default.clone(), ConfigLocation::Explicit);
    let mut config = match config::load(&location) {
        Ok(config) => config,
        Err(error) => {
            output::err(Failure::from(error));
            return ExitCode::from(2);
        }
    };
    config.theme = overrides.theme.clone().or(config.theme);
    config.readonly |= overrides.readonly;
    // The theme and keys are resolved as the run resolves them, so a name the run would
    // refuse is refused here.
    if let Err(failure) = setup::resolve_look(&config, None) {
        output::err(&failure);
        return ExitCode::from(2);
    }
    let unreadable = config.check_run_needs();
    for error in &unreadable {
        output::err(error);
    }
    for warning in &config.warnings {
        output::err(format_args!("warning: {warning}"));
    }
    if !unreadable.is_empty() {
        return ExitCode::from(2);
    }
    let found = location.path().exists();
    let heading = if found {
        format!("{}: ok", location.path().display())
    } else {
        format!(
            "no config at {}: the demo (write one with `ondeck init`)",
            location.path().display()
        )
    };
    out(&format!("{heading}\n{}", config.describe()));
    ExitCode::SUCCESS
}

/// One line per runbook file; exit 2 when any has an error.
fn check_runbooks(dir: &std::path::Path) -> ExitCode {
    let (lines, ok) = ondeck::runbook::check_dir(dir);
    // One file a line: a line break in a file name or a title must not pass for another file.
    let lines: String = lines
        .iter()
        .map(|l| format!("{}\n", inert::line(l)))
        .collect();
    out(&lines);
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}

/// Prints the audit log readably, oldest first.
fn audit(verify: bool) -> Result<ExitCode, Failure> {
    let dir = config::state_dir()
        .ok_or_else(|| Failure::Run("no state directory on this system".into()))?;
    let path = ondeck::journal::audit_path(&dir);
    if verify {
        let verdict = ondeck::journal::verify(&path)
            .map_err(|e| Failure::run(&format!("cannot read {}", path.display()), e))?;
        return Ok(match verdict {
            ondeck::journal::Verdict::Intact { lines, unchained } => {
                let before = if unchained > 0 {
                    format!(" ({unchained} written before the chain began cannot be checked)")
                } else {
                    String::new()
                };
                outln(format_args!(
                    "{}: {lines} lines, chain intact{before}",
                    path.display()
                ));
                ExitCode::SUCCESS
            }
            ondeck::journal::Verdict::Broken { line, what } => {
                outln(format_args!("{}:{line}: {what}", path.display()));
                ExitCode::FAILURE
            }
        });
    }
    let entries = ondeck::journal::read_all(&path)
        .map_err(|e| Failure::run(&format!("cannot read {}", path.display()), e))?;
    if entries.is_empty() {
        outln(format_args!("{}: no entries yet", path.display()));
    }
    for entry in entries {
        match entry {
            // One entry a line: a note's line break must not pass for another entry.
            Ok(entry) => outln(inert::line(&entry.display_line())),
            Err(error) => output::err(format_args!("{}: {error}", path.display())),
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
) -> Result<ExitCode, Failure> {
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

fn load_config(location: &ConfigLocation) -> Result<config::Config, Failure> {
    let config = config::load(location)?;
    for warning in &config.warnings {
        tracing::warn!(%warning, "config");
    }
    Ok(config)
}

/// The cockpit's runtime: one thread. The loop, the pollers and the timers share it, so an
/// idle cockpit wakes once per tick instead of once per worker; the work is IO-bound and every
/// response is size-capped, so no poll holds the thread long enough to delay a key.
fn cockpit_runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::run("cannot start the runtime", e))
}

fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::run("cannot start the runtime", e))
}

fn snapshot(
    location: &ConfigLocation,
    overrides: &Overrides,
    format: Format,
    clock: Clock,
) -> Result<ExitCode, Failure> {
    let config = load_config(location)?;
    let app = setup::build(&config, overrides, clock)?;
    let (state, generated_at) = runtime()?.block_on(headless::collect(app));
    let snapshot = headless::json::build(&state, generated_at);
    match format {
        Format::Json => output::json(&snapshot)
            .map_err(|e| Failure::run("cannot write the snapshot as JSON", e))?,
        Format::Text => out(&headless::text::render(&snapshot)),
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
) -> Result<ExitCode, Failure> {
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
    let mut terminal = ondeck::ui::terminal::init(config.mouse)
        .map_err(|e| Failure::run("cannot take the terminal", e))?;
    let result = runtime.block_on(app.run(&mut terminal, config.mouse));
    ondeck::ui::terminal::restore(config.mouse);
    // Pollers and in-flight commands are dropped here rather than awaited: nothing they do is
    // lost (writes are confirmed or reported before the user can quit). Dropping, unlike
    // `shutdown_background`, happens before we exit, so a running runbook step's guard kills its
    // whole process group on quit, SIGTERM or SIGHUP alike.
    runtime.shutdown_timeout(SHUTDOWN_GRACE);
    tracing::info!(ok = result.is_ok(), "cockpit stopped");
    result.map(|()| ExitCode::SUCCESS).map_err(Failure::from)
}

//! How a command that cannot go on ends: one line on stderr and an exit status scripts can
//! tell apart — 2 when the config (or a name given on the command line) cannot work, 1 for
//! anything else. A config problem prints exactly the `file:line:col: field: message` line
//! `check-config` prints. Never a backtrace, never colour codes: the line is plain text,
//! whatever stderr is.

use std::fmt;

use crate::config::ConfigError;

/// Why a command stopped.
#[derive(Debug)]
pub enum Failure {
    /// The config file cannot be used.
    Config(ConfigError),
    /// Something the user named cannot be used (`--theme nope`, a key binding): fix the
    /// command line or the config.
    Usage(String),
    /// Anything else: a state directory that cannot be written, a terminal that cannot be
    /// taken, a runtime that cannot start.
    Run(String),
}

impl Failure {
    /// A run-time failure: what was being done, and why it failed.
    pub fn run(doing: &str, why: impl fmt::Display) -> Self {
        Failure::Run(format!("{doing}: {why}"))
    }

    /// The process exit status: 2 for the config or the command line, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Config(_) | Failure::Usage(_) => 2,
            Failure::Run(_) => 1,
        }
    }
}

/// One line: the config error as `check-config` prints it, else `ondeck: …`. Line breaks in
/// a message (an error chain, a server's text) are folded so the report stays one line.
impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            Failure::Config(error) => return write!(f, "{}", one_line(&error.to_string())),
            Failure::Usage(message) | Failure::Run(message) => message,
        };
        write!(f, "ondeck: {}", one_line(text))
    }
}

fn one_line(text: &str) -> String {
    text.trim()
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join(" / ")
}

impl From<ConfigError> for Failure {
    fn from(error: ConfigError) -> Self {
        Failure::Config(error)
    }
}

/// The cockpit's own errors (terminal, event loop) as eyre reports: their whole chain, on
/// one line.
impl From<color_eyre::eyre::Report> for Failure {
    fn from(report: color_eyre::eyre::Report) -> Self {
        Failure::Run(format!("{report:#}"))
    }
}

/// Reports a panic — a bug in ondeck — as one inert line on stderr (its message may quote
/// outside text), with where it happened; the backtrace follows only when `RUST_BACKTRACE`
/// asks for it. Installed first thing, so the cockpit's terminal-restoring hook runs before it.
pub fn install_panic_report() {
    std::panic::set_hook(Box::new(|info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "(no message)".to_string());
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        crate::output::err(format_args!(
            "ondeck: internal error{place}: {} (please report it, with the log file)",
            crate::inert::line(&message)
        ));
        if std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0") {
            crate::output::err(std::backtrace::Backtrace::force_capture());
        }
    }));
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use color_eyre::eyre::eyre;

    use super::*;

    #[test]
    fn a_config_error_reads_as_check_config_prints_it_and_exits_2() {
        let error = ConfigError {
            path: PathBuf::from("ondeck.toml"),
            line: Some(3),
            column: Some(8),
            field: Some("source[0].kind".into()),
            message: "unknown variant `prometeus`".into(),
            io: None,
        };
        let check_config_says = error.to_string();
        let failure = Failure::from(error);
        assert_eq!(failure.to_string(), check_config_says);
        assert_eq!(failure.exit_code(), 2);
    }

    #[test]
    fn other_failures_are_one_line_and_exit_1() {
        let report = eyre!("connection reset").wrap_err("cannot take the terminal");
        let failure = Failure::from(report);
        assert_eq!(
            failure.to_string(),
            "ondeck: cannot take the terminal: connection reset"
        );
        assert_eq!(failure.exit_code(), 1);
        let folded = Failure::run("cannot read the audit log", "line one\nline two\n");
        assert_eq!(
            folded.to_string(),
            "ondeck: cannot read the audit log: line one / line two"
        );
        assert_eq!(Failure::Usage("unknown theme".into()).exit_code(), 2);
    }
}

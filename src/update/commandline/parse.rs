//! What a `:` command line means: one enum of the commands the cockpit understands, parsed
//! from the typed text. A new command adds a variant and a row in [`COMMANDS`]; dispatch
//! matches the enum, so the compiler points at every place that must learn about it.
//!
//! `:promql <expr>` is an instant query at now; `:promql range <window> <expr>` (window as
//! SLOs write them: `30m`, `6h`, `7d`) a range query over that window before now.

use crate::slo::Window;

/// A command typed after `:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineCommand {
    /// `:runbook <id>`: open any runbook by id.
    Runbook {
        /// The runbook id.
        id: String,
    },
    /// `:trace <id>`: open a trace's waterfall in the debug pane.
    Trace {
        /// The trace id.
        id: String,
    },
    /// `:logs <service>`: the logs panel on any service's lines.
    Logs {
        /// The service.
        service: String,
    },
    /// `:silence MATCHER… DURATION COMMENT`: the silence dialog, filled in.
    Silence(crate::model::SilenceSpec),
    /// `:promql [range <window>] <expr>`: query the first metrics source.
    Promql {
        /// The expression.
        expr: String,
        /// `None` for an instant query.
        range: Option<Window>,
    },
}

/// Why a command line could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Nothing but spaces was typed.
    #[error("empty command")]
    Empty,
    /// The first word names no command.
    #[error("unknown command `{0}`; commands: {known}", known = known())]
    Unknown(String),
    /// `:silence` text Alertmanager would refuse.
    #[error("{0}; usage: :silence MATCHER… DURATION COMMENT")]
    Silence(String),
    /// The command needs an argument that is missing.
    #[error("usage: :{name} {usage}")]
    Usage {
        /// The command.
        name: &'static str,
        /// Its arguments, as help writes them.
        usage: &'static str,
    },
}

/// Every command: its name and its arguments as help writes them.
pub const COMMANDS: [(&str, &str); 5] = [
    ("runbook", "<id>"),
    ("trace", "<id>"),
    ("logs", "<service>"),
    ("promql", "[range <30m|6h|7d>] <expr>"),
    ("silence", "<matcher>… <30m|2h|1d> <comment>"),
];

fn usage(name: &'static str) -> ParseError {
    let usage = COMMANDS
        .iter()
        .find(|(n, _)| *n == name)
        .map_or("", |(_, u)| *u);
    ParseError::Usage { name, usage }
}

/// Exactly one word, or the command's usage.
fn one_word(name: &'static str, rest: &str) -> Result<String, ParseError> {
    let mut words = rest.split_whitespace();
    match (words.next(), words.next()) {
        (Some(word), None) => Ok(word.to_string()),
        _ => Err(usage(name)),
    }
}

fn promql(rest: &str) -> Result<LineCommand, ParseError> {
    let ranged = rest
        .strip_prefix("range")
        .filter(|after| after.is_empty() || after.starts_with(char::is_whitespace));
    let (range, expr) = match ranged {
        Some(after) => {
            let after = after.trim_start();
            let (window, expr) = after.split_once(char::is_whitespace).unwrap_or((after, ""));
            let window: Window = window.parse().map_err(|_| usage("promql"))?;
            (Some(window), expr.trim())
        }
        None => (None, rest),
    };
    if expr.is_empty() || range.is_some_and(|w| w.as_secs() == 0) {
        return Err(usage("promql"));
    }
    Ok(LineCommand::Promql {
        expr: expr.to_string(),
        range,
    })
}

fn known() -> String {
    COMMANDS
        .iter()
        .map(|(name, usage)| format!(":{name} {usage}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Parses the text after `:`; a leading `:` typed out of habit is ignored.
pub fn parse(text: &str) -> Result<LineCommand, ParseError> {
    let text = text.trim().trim_start_matches(':').trim_start();
    let (name, rest) = text
        .split_once(char::is_whitespace)
        .map_or((text, ""), |(n, r)| (n, r.trim()));
    match name {
        "" => Err(ParseError::Empty),
        "runbook" => one_word("runbook", rest).map(|id| LineCommand::Runbook { id }),
        "trace" => one_word("trace", rest).map(|id| LineCommand::Trace { id }),
        "logs" => one_word("logs", rest).map(|service| LineCommand::Logs { service }),
        "promql" => promql(rest),
        "silence" => crate::model::silence::parse_spec(rest)
            .map(LineCommand::Silence)
            .map_err(|e| ParseError::Silence(e.to_string())),
        other => Err(ParseError::Unknown(other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runbook_takes_exactly_one_id() {
        assert_eq!(
            parse("  runbook   disk-full "),
            Ok(LineCommand::Runbook {
                id: "disk-full".into()
            })
        );
        assert_eq!(
            parse(":runbook disk-full"),
            Ok(LineCommand::Runbook {
                id: "disk-full".into()
            })
        );
        let usage = parse("runbook").unwrap_err();
        assert_eq!(usage.to_string(), "usage: :runbook <id>");
        assert!(matches!(
            parse("runbook a b"),
            Err(ParseError::Usage { .. })
        ));
    }

    #[test]
    fn unknown_and_empty_lines_say_what_is_wrong() {
        assert_eq!(parse("   "), Err(ParseError::Empty));
        assert_eq!(
            parse("runbok x").unwrap_err().to_string(),
            "unknown command `runbok`; commands: :runbook <id>, :trace <id>, \
             :logs <service>, :promql [range <30m|6h|7d>] <expr>, \
             :silence <matcher>… <30m|2h|1d> <comment>"
        );
    }

    #[test]
    fn trace_takes_one_id() {
        assert_eq!(
            parse("trace 4bf92f3577b34da6a3ce929d0e0e4736"),
            Ok(LineCommand::Trace {
                id: "4bf92f3577b34da6a3ce929d0e0e4736".into()
            })
        );
        assert_eq!(
            parse("trace").unwrap_err().to_string(),
            "usage: :trace <id>"
        );
    }

    #[test]
    fn promql_is_instant_unless_a_range_comes_first() {
        assert_eq!(
            parse("promql sum by (code) (rate(http_requests_total[5m]))"),
            Ok(LineCommand::Promql {
                expr: "sum by (code) (rate(http_requests_total[5m]))".into(),
                range: None
            })
        );
        assert_eq!(
            parse(":promql range 6h  up == 0"),
            Ok(LineCommand::Promql {
                expr: "up == 0".into(),
                range: Some(Window::hours(6))
            })
        );
        // `range` not followed by a window is part of nothing: the usage says how.
        for bad in [
            "promql",
            "promql range",
            "promql range 1h",
            "promql range soon up",
        ] {
            assert_eq!(
                parse(bad).unwrap_err().to_string(),
                "usage: :promql [range <30m|6h|7d>] <expr>",
                "{bad}"
            );
        }
    }
}

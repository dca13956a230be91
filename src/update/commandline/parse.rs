//! What a `:` command line means: one enum of the commands the cockpit understands, parsed
//! from the typed text. New commands (`:promql <expr>`, `:trace <id>`) add a variant and a
//! row in [`COMMANDS`]; dispatch matches the enum, so the compiler points at every place that
//! must learn about them.

/// A command typed after `:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineCommand {
    /// `:runbook <id>`: open any runbook by id.
    Runbook {
        /// The runbook id.
        id: String,
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
pub const COMMANDS: [(&str, &str); 1] = [("runbook", "<id>")];

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
        "runbook" => {
            let mut words = rest.split_whitespace();
            match (words.next(), words.next()) {
                (Some(id), None) => Ok(LineCommand::Runbook { id: id.to_string() }),
                _ => Err(ParseError::Usage {
                    name: "runbook",
                    usage: "<id>",
                }),
            }
        }
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
            "unknown command `runbok`; commands: :runbook <id>"
        );
    }
}

//! Everything the subcommands print goes through here, so none of them can panic on a closed
//! pipe. `println!` panics when stdout's reader has gone (`ondeck check-config | head -1`)
//! and `eprintln!` when stderr is a terminal that hung up; a tool in a pipeline must instead
//! end quietly. The crate denies `print!`/`eprint!` elsewhere, so this is the one place.
//!
//! It is also where outside text reaches the terminal, so everything printed passes
//! [`inert::block`] here: an incident title or a server's error body cannot set the
//! responder's clipboard (OSC 52), clear the screen or reorder a line, whichever subcommand
//! prints it. Text laid out in columns or one item a line escapes its fields with
//! [`inert::line`] first, so widths are counted on what is shown and no field can start a
//! line of its own; JSON goes through [`json`], which escapes as JSON.

use std::fmt::Display;
use std::io::{ErrorKind, Write};

use serde::Serialize;

use crate::inert;

/// The status of a process ended by `SIGPIPE` (128 + 13), as shells report it: what `head`
/// leaves upstream tools with, and what `set -o pipefail` scripts already expect.
pub const BROKEN_PIPE_STATUS: i32 = 141;

/// What to do after a failed write to stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gone {
    /// The reader closed the pipe: nobody wants the rest, stop quietly.
    Quietly,
    /// The output cannot be written (a full disk, an I/O error): say so and fail.
    Loudly,
}

/// How a failed write to stdout ends the process.
pub fn on_error(kind: ErrorKind) -> Gone {
    if kind == ErrorKind::BrokenPipe {
        Gone::Quietly
    } else {
        Gone::Loudly
    }
}

/// Writes `text` to stdout, inert ([`inert::block`]). When the reader has gone the process
/// exits with [`BROKEN_PIPE_STATUS`] and prints nothing more; any other write error exits 1
/// with one line on stderr. Either way nothing unwinds, and everything earlier (an outbox
/// line, an audit entry) is already on disk.
pub fn out(text: &str) {
    write_stdout(&inert::block(text));
}

/// `value` as indented JSON and a newline on stdout, every control and bidirectional
/// character in a string escaped as JSON (`\u001b`, `\u202e`): a script reads the text as
/// received, a terminal sees nothing it could act on.
pub fn json<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<()> {
    let mut text = inert::json::to_string_pretty(value)?;
    text.push('\n');
    write_stdout(&text);
    Ok(())
}

fn write_stdout(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let written = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
    if let Err(error) = written {
        match on_error(error.kind()) {
            Gone::Quietly => std::process::exit(BROKEN_PIPE_STATUS),
            Gone::Loudly => {
                err(format_args!("ondeck: cannot write the output: {error}"));
                std::process::exit(1);
            }
        }
    }
}

/// [`out`] with a newline.
pub fn outln(text: impl Display) {
    out(&format!("{text}\n"));
}

/// One message on stderr, inert ([`inert::block`]): errors quote what servers and files
/// said. Never fails: with stderr gone there is nobody left to tell.
pub fn err(text: impl Display) {
    let text = text.to_string();
    let _ = writeln!(std::io::stderr().lock(), "{}", inert::block(&text));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_closed_pipe_ends_quietly() {
        assert_eq!(on_error(ErrorKind::BrokenPipe), Gone::Quietly);
        assert_eq!(on_error(ErrorKind::StorageFull), Gone::Loudly);
        assert_eq!(on_error(ErrorKind::PermissionDenied), Gone::Loudly);
    }
}

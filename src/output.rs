//! Everything the subcommands print goes through here, so none of them can panic on a closed
//! pipe. `println!` panics when stdout's reader has gone (`ondeck check-config | head -1`)
//! and `eprintln!` when stderr is a terminal that hung up; a tool in a pipeline must instead
//! end quietly. The crate denies `print!`/`eprint!` elsewhere, so this is the one place.

use std::fmt::Display;
use std::io::{ErrorKind, Write};

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

/// Writes `text` to stdout as it is. When the reader has gone the process exits with
/// [`BROKEN_PIPE_STATUS`] and prints nothing more; any other write error exits 1 with one
/// line on stderr. Either way nothing unwinds, and everything earlier (an outbox line, an
/// audit entry) is already on disk.
pub fn out(text: &str) {
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

/// One line on stderr. Never fails: with stderr gone there is nobody left to tell.
pub fn err(text: impl Display) {
    let _ = writeln!(std::io::stderr().lock(), "{text}");
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

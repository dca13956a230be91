//! Logs go to a file in the state dir, never to the terminal while the UI is up.

use std::path::Path;

use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::EnvFilter;

/// Lines the log may hold in memory before the writer thread takes them. tracing-appender's
/// default (128,000) allocates and touches a 4 MB queue at start — a third of the cockpit's
/// resident memory — for a log that writes a few lines a minute. Beyond this many waiting
/// lines, new ones are dropped rather than stalling the UI.
const LOG_QUEUE_LINES: usize = 1024;

/// Starts logging to `path` (filter from `ONDECK_LOG`, default `info`). Returns the guard that
/// flushes the log on drop, or `None` when the file cannot be opened — the cockpit then runs
/// without a log rather than not at all.
pub fn init(path: Option<&Path>) -> Option<WorkerGuard> {
    let path = path?;
    let dir = path.parent()?;
    std::fs::create_dir_all(dir).ok()?;
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .ok()?;
    let (writer, guard) = NonBlockingBuilder::default()
        .buffered_lines_limit(LOG_QUEUE_LINES)
        .thread_name("ondeck-log")
        .finish(Masked(file));
    let filter = EnvFilter::try_from_env("ONDECK_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .ok()?;
    Some(guard)
}

/// The log file, with every secret this process has read masked in each line written: a
/// token in an error message a backend echoed never reaches the file. Each event is also made
/// inert on one line ([`crate::inert::line`]): the log is read with `tail -f` on a terminal,
/// and a line break in a backend's text must not forge a log line of its own.
struct Masked<W>(W);

/// One formatted event as it is written: masked, inert, one line.
fn log_line(event: &str) -> String {
    let masked = crate::secrets::mask(event);
    let body = masked.strip_suffix('\n').unwrap_or(&masked);
    format!("{}\n", crate::inert::line(body))
}

impl<W: std::io::Write> std::io::Write for Masked<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // The writer thread gets each event formatted whole, in one write.
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(log_line(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::log_line;

    #[test]
    fn an_event_is_one_inert_line() {
        assert_eq!(
            log_line("WARN poll failed: \u{1b}]52;c;eA==\u{7}\nINFO forged\n"),
            "WARN poll failed: \\e]52;c;eA==\\a INFO forged\n"
        );
    }
}

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
/// token in an error message a backend echoed never reaches the file.
struct Masked<W>(W);

impl<W: std::io::Write> std::io::Write for Masked<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // The writer thread gets each event formatted whole, in one write.
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(crate::secrets::mask(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

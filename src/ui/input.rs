//! Terminal input: one long-lived thread that waits in crossterm's blocking `read` for keys,
//! mouse events and resizes (crossterm waits on the terminal and on its own SIGWINCH pipe at
//! once). crossterm's `EventStream` instead started a new thread every time it waited — one
//! per key press.
//!
//! The thread, not the loop, calls crossterm, because crossterm's reader spins on a terminal
//! that has hung up (a read of 0 bytes is neither data nor "would block"). Only this thread
//! then spins, until the loop, woken by the SIGHUP that comes with a hang-up, ends the
//! process; a read that fails outright tells the loop the terminal is gone.

use tokio::sync::mpsc;

use crate::event::Event;

/// The reader's stack: it holds crossterm's 1 KiB buffer and little else.
const STACK_BYTES: usize = 256 * 1024;

/// Starts the reader: input goes to `tx` as [`Event::Input`], then [`Event::TerminalGone`]
/// once the terminal cannot be read.
pub fn spawn(tx: mpsc::Sender<Event>) {
    let reader = std::thread::Builder::new()
        .name("ondeck-input".into())
        .stack_size(STACK_BYTES)
        .spawn(move || {
            loop {
                match crossterm::event::read() {
                    Ok(event) => {
                        if tx.blocking_send(Event::Input(event)).is_err() {
                            return;
                        }
                    }
                    Err(error) => {
                        tracing::warn!(%error, "terminal input failed");
                        let _ = tx.blocking_send(Event::TerminalGone);
                        return;
                    }
                }
            }
        });
    if let Err(error) = reader {
        tracing::error!(%error, "cannot start the terminal input reader");
    }
}

//! Terminal input, read on the loop's own thread. crossterm's `EventStream` starts a thread
//! each time it waits (one per key press), and that thread then wakes the loop: two context
//! switches and a thread's stack per key. Here the runtime watches the terminal itself and
//! crossterm only parses what is already there; a resize arrives as SIGWINCH, which crossterm
//! turns into its resize event on the next read.

use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::fs::OpenOptionsExt;
use std::time::Duration;

use tokio::io::Interest;
use tokio::io::unix::AsyncFd;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;

use crate::event::Event;

/// A descriptor of the terminal crossterm reads keys from, to watch for input: the controlling
/// terminal opened anew (its own open file, so making it non-blocking changes nothing for
/// the shell), else a duplicate of standard input. It is only ever polled, never read: the
/// bytes stay for crossterm, whichever descriptor it reads them from.
fn terminal_input() -> io::Result<OwnedFd> {
    match std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open("/dev/tty")
    {
        Ok(tty) => Ok(tty.into()),
        Err(_) => io::stdin().as_fd().try_clone_to_owned(),
    }
}

/// Starts reading keys, mouse events and resizes into `tx` until the loop stops listening.
pub fn spawn(tx: mpsc::Sender<Event>) {
    tokio::spawn(async move {
        if let Err(error) = read(&tx).await {
            // The cockpit cannot be driven without keys; say so rather than hang silently.
            tracing::error!(%error, "terminal input stopped");
        }
    });
}

async fn read(tx: &mpsc::Sender<Event>) -> io::Result<()> {
    // SAFETY: the descriptor is owned by the `AsyncFd` for its whole life and never changes.
    let tty = unsafe { AsyncFd::register_with_interest(terminal_input()?, Interest::READABLE) }?;
    let mut resized = signal(SignalKind::window_change())?;
    loop {
        tokio::select! {
            ready = tty.readable() => {
                let mut guard = ready?;
                let open = forward(tx).await?;
                guard.clear_ready();
                if !open {
                    return Ok(());
                }
            }
            Some(()) = resized.recv() => {
                if !forward(tx).await? {
                    return Ok(());
                }
            }
        }
    }
}

/// Sends every event crossterm can parse from what has arrived; false once the loop is gone.
async fn forward(tx: &mpsc::Sender<Event>) -> io::Result<bool> {
    while crossterm::event::poll(Duration::ZERO)? {
        let event = crossterm::event::read()?;
        if tx.send(Event::Input(event)).await.is_err() {
            return Ok(false);
        }
    }
    Ok(true)
}

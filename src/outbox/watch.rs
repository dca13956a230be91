//! Noticing that the outbox changed: this process's own appends say so directly; another
//! process's (a second cockpit, `ondeck ack` from a script) are seen through inotify on the
//! state directory, so an idle cockpit costs no wake-ups for it. Where inotify is missing the
//! log's size and modification time are checked every couple of seconds instead.

use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::sync::watch;

/// How often the log is checked where inotify is not available.
const POLL: Duration = Duration::from_secs(2);

/// Subscribers learn that the log may have changed; they read it themselves.
#[derive(Clone)]
pub struct Changes {
    tx: watch::Sender<u64>,
}

impl Changes {
    /// Starts watching `log`. Must be called inside a runtime.
    pub fn watch(log: &Path) -> Self {
        let (tx, _) = watch::channel(0u64);
        let changes = Self { tx };
        let notify = changes.clone();
        let log = log.to_path_buf();
        tokio::spawn(async move { watch_log(log, notify).await });
        changes
    }

    /// Changes that only this process makes (tests, one-shot commands): nothing is watched.
    pub fn local() -> Self {
        let (tx, _) = watch::channel(0u64);
        Self { tx }
    }

    /// Says the log changed.
    pub fn bump(&self) {
        self.tx.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// A receiver that wakes on the next change.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.tx.subscribe()
    }
}

async fn watch_log(log: PathBuf, changes: Changes) {
    #[cfg(target_os = "linux")]
    match inotify::Watch::new(&log) {
        Ok(mut watch) => {
            while watch.next().await {
                changes.bump();
            }
            return;
        }
        Err(error) => {
            tracing::debug!(%error, "no inotify; checking the outbox every {POLL:?}");
        }
    }
    let stamp = |path: &Path| {
        std::fs::metadata(path)
            .ok()
            .map(|m| (m.len(), m.modified().ok()))
    };
    let mut last = stamp(&log);
    loop {
        tokio::time::sleep(POLL).await;
        let now = stamp(&log);
        if now != last {
            last = now;
            changes.bump();
        }
    }
}

#[cfg(target_os = "linux")]
mod inotify {
    //! A minimal inotify watch on one file's directory, filtered to that file's name, on the
    //! runtime's reactor. The `notify` crate would bring a thread and a dozen dependencies for
    //! this one use.

    use std::ffi::CString;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::os::unix::ffi::OsStrExt;
    use std::path::Path;

    use tokio::io::Interest;
    use tokio::io::unix::AsyncFd;

    /// Size of `struct inotify_event` without its name.
    const HEADER: usize = 16;

    pub struct Watch {
        fd: AsyncFd<OwnedFd>,
        name: Vec<u8>,
    }

    impl Watch {
        /// Watches `file`'s directory for writes, renames and creations of `file`.
        pub fn new(file: &Path) -> std::io::Result<Self> {
            let dir = file.parent().unwrap_or(Path::new("."));
            let name = file
                .file_name()
                .map(|n| n.as_bytes().to_vec())
                .unwrap_or_default();
            let dir = CString::new(dir.as_os_str().as_bytes()).map_err(std::io::Error::other)?;
            // SAFETY: plain system call; the descriptor is checked before it is owned.
            let raw = unsafe { libc::inotify_init1(libc::IN_NONBLOCK | libc::IN_CLOEXEC) };
            if raw < 0 {
                return Err(std::io::Error::last_os_error());
            }
            // SAFETY: `raw` is a fresh descriptor nothing else owns.
            let fd = unsafe { OwnedFd::from_raw_fd(raw) };
            let mask = libc::IN_MODIFY | libc::IN_CLOSE_WRITE | libc::IN_MOVED_TO | libc::IN_CREATE;
            // SAFETY: `dir` is a valid NUL-terminated path for the duration of the call.
            let watch = unsafe { libc::inotify_add_watch(fd.as_raw_fd(), dir.as_ptr(), mask) };
            if watch < 0 {
                return Err(std::io::Error::last_os_error());
            }
            // SAFETY: `fd` is an inotify descriptor this function created and now hands over;
            // nothing else reads or closes it.
            let fd = unsafe { AsyncFd::register_with_interest(fd, Interest::READABLE) }
                .map_err(|e| e.into_parts().1)?;
            Ok(Self { fd, name })
        }

        /// Waits until the file changed; false when the watch cannot go on.
        pub async fn next(&mut self) -> bool {
            let mut buffer = [0u8; 4096];
            loop {
                let Ok(mut guard) = self.fd.readable().await else {
                    return false;
                };
                let raw = guard.get_inner().as_raw_fd();
                // SAFETY: reading into a buffer we own, at most its length.
                let read = unsafe { libc::read(raw, buffer.as_mut_ptr().cast(), buffer.len()) };
                if read < 0 {
                    let error = std::io::Error::last_os_error();
                    if error.kind() == std::io::ErrorKind::WouldBlock {
                        guard.clear_ready();
                        continue;
                    }
                    return false;
                }
                let events = &buffer[..read as usize];
                if names(events).any(|name| name == self.name.as_slice()) {
                    return true;
                }
            }
        }
    }

    /// The names in a buffer of `inotify_event`s (each a header, then `len` bytes of
    /// NUL-padded name).
    fn names(mut events: &[u8]) -> impl Iterator<Item = &[u8]> {
        std::iter::from_fn(move || {
            if events.len() < HEADER {
                return None;
            }
            let len = u32::from_ne_bytes([events[12], events[13], events[14], events[15]]);
            let end = (HEADER + len as usize).min(events.len());
            let name = &events[HEADER..end];
            events = &events[end..];
            let name = name.split(|&b| b == 0).next().unwrap_or_default();
            Some(name)
        })
    }

    #[cfg(test)]
    mod tests {
        use super::names;

        #[test]
        fn names_are_read_from_a_buffer_of_events() {
            let mut buffer = Vec::new();
            for name in [&b"ondeck.log"[..], b"outbox.jsonl"] {
                let padded = name.len().div_ceil(16) * 16;
                buffer.extend_from_slice(&1i32.to_ne_bytes());
                buffer.extend_from_slice(&2u32.to_ne_bytes());
                buffer.extend_from_slice(&0u32.to_ne_bytes());
                buffer.extend_from_slice(&(padded as u32).to_ne_bytes());
                buffer.extend_from_slice(name);
                buffer.resize(buffer.len() + padded - name.len(), 0);
            }
            let seen: Vec<&[u8]> = names(&buffer).collect();
            assert_eq!(seen, [&b"ondeck.log"[..], b"outbox.jsonl"]);
        }
    }
}

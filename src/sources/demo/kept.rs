//! The responder's actions on the demo, kept in the state dir (`demo-actions.json`) so every
//! ondeck process on that dir agrees: `ondeck ack DEMO-1039` in one shell, then `ondeck
//! incidents` or the cockpit in another, shows it acknowledged — as a real backend would.
//!
//! Each process's demo world starts when the process does, but incident numbers follow the
//! same schedule, so an action is kept by incident number. The file is small and rewritten
//! whole (a temporary file renamed over it); it is read again on every list, so a second
//! process's action shows on the next refresh.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::incidents::Override;

/// The file's name in the state dir.
pub const FILE: &str = "demo-actions.json";

/// Where a demo's actions are kept.
#[derive(Debug, Clone)]
pub struct Kept {
    path: PathBuf,
}

impl Kept {
    /// Actions kept in `dir`.
    pub fn in_dir(dir: &Path) -> Self {
        Self {
            path: dir.join(FILE),
        }
    }

    /// The actions on disk; none when there is no file yet. A file that cannot be read is
    /// logged and read as none: the demo goes on.
    pub fn load(&self) -> HashMap<u32, Override> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return HashMap::new(),
            Err(error) => {
                tracing::warn!(path = %self.path.display(), %error, "demo actions unreadable");
                return HashMap::new();
            }
        };
        serde_json::from_str(&text).unwrap_or_else(|error| {
            tracing::warn!(path = %self.path.display(), %error, "demo actions unreadable");
            HashMap::new()
        })
    }

    /// Writes `actions` whole.
    pub fn save(&self, actions: &HashMap<u32, Override>) -> std::io::Result<()> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let text = serde_json::to_string(actions).map_err(std::io::Error::other)?;
        let partial = self
            .path
            .with_extension(format!("partial-{}", std::process::id()));
        std::fs::write(&partial, text)?;
        std::fs::rename(&partial, &self.path)
    }
}

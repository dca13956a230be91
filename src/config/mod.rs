//! Load and validate the config file, the keymap and the theme.
//!
//! The app calls [`resolve_path`] and [`load`] once at start-up, then [`select_theme`] and
//! [`Keymap::merge_table`] with what the config holds. Every config error names the file, line,
//! column and field; nothing here panics on any input.

pub mod backend;
pub mod changes;
mod describe;
pub mod duration;
mod error;
mod file;
mod group_by;
pub mod http;
pub mod keymap;
mod load;
pub mod logs;
mod model;
mod needs;
mod overrides;
mod runbook_trust;
pub mod secret;
mod slo_expr;
mod slo_files;
mod slo_source;
mod spans;
mod style;
pub mod theme;
mod validate;

pub use error::{ConfigError, Place};
pub use http::{BasicAuth, HttpOptions};
pub use keymap::{Binding, CONTEXTS, Key, Keymap};
pub use load::{ConfigLocation, load, log_path, parse, resolve_path, resolve_path_from, state_dir};
pub use logs::LogOptions;
pub use model::{
    Config, DEFAULT_SILENCE, IncidentOptions, RecordingRules, SloConfig, SloSliConfig,
    SourceConfig, SourceKind, WINDOW_PLACEHOLDER,
};
pub use needs::{Needed, RunNeed};
pub use secret::{Secret, SecretError, SecretRef};
pub use theme::{ColorDepth, Theme, ThemeError, depth, depth_from_env, select_theme};

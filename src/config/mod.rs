//! Load and validate the config file, the keymap and the theme.

pub mod keymap;
pub mod theme;

pub use keymap::{Binding, Key, Keymap};
pub use theme::Theme;

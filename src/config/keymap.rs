//! Key bindings are data: defaults embedded from TOML, a user file merged over them.
//! Help and the key-hint bar are generated from the live keymap.

use std::fmt;
use std::str::FromStr;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::action::Action;

/// A key with modifiers, as written in keymap files: `q`, `ctrl-c`, `tab`, `shift-tab`, `enter`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    /// The key.
    pub code: KeyCode,
    /// Ctrl, Alt (Shift only for non-character keys; `G` is written as `G`).
    pub modifiers: KeyModifiers,
}

/// A key bound to an action.
#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    /// The key.
    pub key: Key,
    /// What it does.
    pub action: Action,
}

/// Bindings per context. Contexts: `global`, `executive`, `oncall`, `debug`, `confirm`,
/// `help`, `detail`, `runbook`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Keymap {
    contexts: Vec<(String, Vec<Binding>)>,
}

impl Keymap {
    /// Bindings of one context, in the order they were first bound (within one TOML file that
    /// is key order: `toml::Table` sorts its keys). Help groups and orders them itself.
    pub fn bindings(&self, context: &str) -> &[Binding] {
        self.contexts
            .iter()
            .find(|(name, _)| name == context)
            .map(|(_, b)| b.as_slice())
            .unwrap_or(&[])
    }

    /// Every context with its bindings, in order.
    pub fn contexts(&self) -> impl Iterator<Item = (&str, &[Binding])> {
        self.contexts
            .iter()
            .map(|(n, b)| (n.as_str(), b.as_slice()))
    }

    /// The action for a key, trying contexts in order (most specific first).
    pub fn lookup(&self, contexts: &[&str], event: &KeyEvent) -> Option<Action> {
        let pressed = Key::from_event(event);
        contexts.iter().find_map(|context| {
            self.bindings(context)
                .iter()
                .find(|b| b.key == pressed)
                .map(|b| b.action.clone())
        })
    }

    /// Binds `key` to `action` in `context`, replacing an earlier binding of the same key.
    pub fn bind(&mut self, context: &str, key: Key, action: Action) {
        let index = match self.contexts.iter().position(|(n, _)| n == context) {
            Some(i) => i,
            None => {
                self.contexts.push((context.to_string(), Vec::new()));
                self.contexts.len() - 1
            }
        };
        let bindings = &mut self.contexts[index].1;
        match bindings.iter_mut().find(|b| b.key == key) {
            Some(existing) => existing.action = action,
            None => bindings.push(Binding { key, action }),
        }
    }
}

impl Key {
    /// The key of a terminal event, normalised so `G` and `shift-g` compare equal.
    pub fn from_event(event: &KeyEvent) -> Self {
        let mut modifiers =
            event.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match event.code {
            KeyCode::Char(c) => {
                modifiers.remove(KeyModifiers::SHIFT);
                KeyCode::Char(c)
            }
            KeyCode::BackTab => {
                modifiers.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            other => other,
        };
        Self { code, modifiers }
    }
}

/// Why a key could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a key: write a character or a name like enter, esc, tab, up, f5, with ctrl-/alt-/shift- in front"
)]
pub struct KeyParseError(pub String);

impl FromStr for Key {
    type Err = KeyParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || KeyParseError(text.to_string());
        let mut modifiers = KeyModifiers::NONE;
        let mut rest = text;
        loop {
            let lower = rest.to_ascii_lowercase();
            if rest.chars().count() > 1 && lower.starts_with("ctrl-") {
                modifiers |= KeyModifiers::CONTROL;
                rest = &rest[5..];
            } else if rest.chars().count() > 1 && lower.starts_with("alt-") {
                modifiers |= KeyModifiers::ALT;
                rest = &rest[4..];
            } else if rest.chars().count() > 1 && lower.starts_with("shift-") {
                modifiers |= KeyModifiers::SHIFT;
                rest = &rest[6..];
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            // A terminal never sends a control or bidirectional character as a key press
            // (ESC arrives as `esc`): such a binding could never fire.
            (Some(c), None) if crate::inert::is_hostile(c) => return Err(bad()),
            (Some(c), None) => KeyCode::Char(c),
            (None, _) => return Err(bad()),
            _ => match rest.to_ascii_lowercase().as_str() {
                "enter" => KeyCode::Enter,
                "esc" => KeyCode::Esc,
                "tab" if modifiers.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
                "tab" => KeyCode::Tab,
                "backtab" => KeyCode::BackTab,
                "space" => KeyCode::Char(' '),
                "backspace" => KeyCode::Backspace,
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                "pageup" => KeyCode::PageUp,
                "pagedown" => KeyCode::PageDown,
                "delete" => KeyCode::Delete,
                f if f.starts_with('f') => {
                    let n: u8 = f[1..].parse().map_err(|_| bad())?;
                    if !(1..=12).contains(&n) {
                        return Err(bad());
                    }
                    KeyCode::F(n)
                }
                _ => return Err(bad()),
            },
        };
        let mut key = Key { code, modifiers };
        if matches!(key.code, KeyCode::Char(_) | KeyCode::BackTab) {
            key.modifiers.remove(KeyModifiers::SHIFT);
        }
        Ok(key)
    }
}

impl fmt::Display for Key {
    /// The form keymap files use, so help shows what a user would write.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            f.write_str("ctrl-")?;
        }
        if self.modifiers.contains(KeyModifiers::ALT) {
            f.write_str("alt-")?;
        }
        if self.modifiers.contains(KeyModifiers::SHIFT) {
            f.write_str("shift-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("enter"),
            KeyCode::Esc => f.write_str("esc"),
            KeyCode::Tab => f.write_str("tab"),
            KeyCode::BackTab => f.write_str("shift-tab"),
            KeyCode::Backspace => f.write_str("backspace"),
            KeyCode::Up => f.write_str("up"),
            KeyCode::Down => f.write_str("down"),
            KeyCode::Left => f.write_str("left"),
            KeyCode::Right => f.write_str("right"),
            KeyCode::Home => f.write_str("home"),
            KeyCode::End => f.write_str("end"),
            KeyCode::PageUp => f.write_str("pageup"),
            KeyCode::PageDown => f.write_str("pagedown"),
            KeyCode::Delete => f.write_str("delete"),
            KeyCode::F(n) => write!(f, "f{n}"),
            _ => f.write_str("?"),
        }
    }
}

/// The bindings shipped with ondeck.
const DEFAULT_KEYMAP: &str = include_str!("default_keymap.toml");

/// Why a keymap file could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeymapError {
    /// Not TOML, or not a table of tables of strings.
    #[error("{0}")]
    Syntax(String),
    /// A key or action name that does not exist.
    #[error("[{context}] {key:?}: {message}")]
    Binding {
        /// Context table.
        context: String,
        /// Key as written.
        key: String,
        /// What is wrong.
        message: String,
    },
}

/// Contexts a keymap may bind in.
pub const CONTEXTS: [&str; 8] = [
    "global",
    "executive",
    "oncall",
    "debug",
    "confirm",
    "help",
    "detail",
    "runbook",
];

impl Keymap {
    /// The default bindings.
    pub fn defaults() -> Self {
        let mut keymap = Keymap::default();
        // The embedded file is checked by a unit test; an error here would be a build defect.
        if let Err(error) = keymap.merge_toml(DEFAULT_KEYMAP) {
            tracing::error!(%error, "default keymap is invalid");
        }
        keymap
    }

    /// Merges bindings written as TOML (`[context]` tables of `"key" = "action"`) over these.
    pub fn merge_toml(&mut self, text: &str) -> Result<(), KeymapError> {
        let table: toml::Table =
            toml::from_str(text).map_err(|e| KeymapError::Syntax(e.to_string()))?;
        self.merge_table(&table)
    }

    /// Merges an already parsed table (the config's `[keys]`) over these bindings.
    pub fn merge_table(&mut self, table: &toml::Table) -> Result<(), KeymapError> {
        for (context, bindings) in table {
            if !CONTEXTS.contains(&context.as_str()) {
                return Err(KeymapError::Syntax(format!(
                    "unknown context [{context}]; contexts are {}",
                    CONTEXTS.join(", ")
                )));
            }
            let toml::Value::Table(bindings) = bindings else {
                return Err(KeymapError::Syntax(format!(
                    "[{context}] must be a table of \"key\" = \"action\""
                )));
            };
            // Make sure empty tables still create their context, so help lists it.
            self.ensure_context(context);
            for (key_text, action_value) in bindings {
                let fail = |message: String| KeymapError::Binding {
                    context: context.clone(),
                    key: key_text.clone(),
                    message,
                };
                let key: Key = key_text
                    .parse()
                    .map_err(|e: KeyParseError| fail(e.to_string()))?;
                let action: Action = action_value
                    .clone()
                    .try_into()
                    .map_err(|_| fail(format!("unknown action {action_value}")))?;
                self.bind(context, key, action);
            }
        }
        Ok(())
    }

    fn ensure_context(&mut self, context: &str) {
        if !self.contexts.iter().any(|(n, _)| n == context) {
            self.contexts.push((context.to_string(), Vec::new()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn defaults_parse_and_bind_the_documented_keys() {
        let mut check = Keymap::default();
        check.merge_toml(DEFAULT_KEYMAP).unwrap();
        let keymap = Keymap::defaults();
        assert_eq!(check, keymap);
        let normal = ["oncall", "global"];
        assert_eq!(
            keymap.lookup(&normal, &press(KeyCode::Char('a'), KeyModifiers::NONE)),
            Some(Action::Acknowledge)
        );
        assert_eq!(
            keymap.lookup(&normal, &press(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Action::Quit)
        );
        assert_eq!(
            keymap.lookup(&normal, &press(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Action::Bottom)
        );
        assert_eq!(
            keymap.lookup(&normal, &press(KeyCode::BackTab, KeyModifiers::SHIFT)),
            Some(Action::PrevPane)
        );
        assert_eq!(
            keymap.lookup(
                &["executive", "global"],
                &press(KeyCode::Char('a'), KeyModifiers::NONE)
            ),
            None
        );
    }

    #[test]
    fn user_bindings_replace_and_add() {
        let mut keymap = Keymap::defaults();
        keymap
            .merge_toml("[global]\nq = \"toggle_help\"\nx = \"quit\"\n")
            .unwrap();
        let global = ["global"];
        assert_eq!(
            keymap.lookup(&global, &press(KeyCode::Char('q'), KeyModifiers::NONE)),
            Some(Action::ToggleHelp)
        );
        assert_eq!(
            keymap.lookup(&global, &press(KeyCode::Char('x'), KeyModifiers::NONE)),
            Some(Action::Quit)
        );
    }

    #[test]
    fn internal_actions_cannot_be_bound() {
        let mut keymap = Keymap::defaults();
        let err = keymap.merge_toml("[global]\nx = \"tick\"\n").unwrap_err();
        assert_eq!(err.to_string(), "[global] \"x\": unknown action \"tick\"");
        let err = keymap
            .merge_toml("[global]\n\"ctrl-\" = \"quit\"\n")
            .unwrap_err();
        assert!(err.to_string().contains("is not a key"), "{err}");
        let err = keymap.merge_toml("[nowhere]\nx = \"quit\"\n").unwrap_err();
        assert!(
            err.to_string().contains("unknown context [nowhere]"),
            "{err}"
        );
    }

    #[test]
    fn a_control_or_bidi_character_is_not_a_key() {
        for text in ["\u{1b}", "ctrl-\u{7}", "\u{9b}", "\u{202e}"] {
            let err = text.parse::<Key>().unwrap_err();
            assert_eq!(err.0, text);
        }
        let mut keymap = Keymap::defaults();
        let err = keymap
            .merge_toml("[global]\n\"\\u001b\" = \"quit\"\n")
            .unwrap_err();
        assert!(err.to_string().contains("is not a key"), "{err}");
    }

    #[test]
    fn keys_print_as_they_are_written() {
        for text in [
            "q",
            "ctrl-c",
            "shift-tab",
            "enter",
            "G",
            "f5",
            "pagedown",
            "?",
        ] {
            assert_eq!(text.parse::<Key>().unwrap().to_string(), text);
        }
    }
}

//! Themes name meanings, not widgets. UI code asks for `theme.sev_critical`, never for red.
//! The built-in themes are TOML files in `themes/`, embedded at build time; a user may
//! restyle single roles with `[theme_overrides]`.

use ratatui::style::{Modifier, Style};

use super::style::parse_style;
use crate::ui::symbols::{self, Symbols};

mod depth;

pub use depth::{ColorDepth, depth, depth_from_env, nearest_16, nearest_256};

/// Styles by meaning.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    /// Theme name.
    pub name: String,
    /// Ordinary text.
    pub text: Style,
    /// Secondary text: labels, units, ages.
    pub text_muted: Style,
    /// Titles of panels.
    pub title: Style,
    /// Borders of unfocused panels.
    pub border: Style,
    /// Border of the focused panel.
    pub border_focused: Style,
    /// The selected row.
    pub selection: Style,
    /// The active tab.
    pub tab_active: Style,
    /// Other tabs.
    pub tab_inactive: Style,
    /// Keys in hints and help.
    pub key: Style,
    /// Page-level severity, high urgency, errors.
    pub sev_critical: Style,
    /// Ticket-level severity, low urgency, warnings.
    pub sev_warning: Style,
    /// Healthy, acknowledged, resolved.
    pub sev_ok: Style,
    /// Neutral information.
    pub sev_info: Style,
    /// Budget gauge while plenty is left.
    pub budget_ok: Style,
    /// Budget gauge when running low.
    pub budget_warning: Style,
    /// Budget gauge when exhausted.
    pub budget_exhausted: Style,
    /// A fresh source.
    pub source_fresh: Style,
    /// A stale source or stale data.
    pub stale: Style,
    /// A failed source.
    pub source_failed: Style,
    /// Sparklines and charts.
    pub chart: Style,
    /// Span bars in the waterfall.
    pub span: Style,
    /// Failed span bars.
    pub span_error: Style,
    /// Dialogs and overlays (help, details): their text, and their background if one is set.
    pub overlay: Style,
    /// The glyphs to draw with: Unicode, or ASCII for `--ascii` and non-UTF-8 locales.
    pub symbols: &'static Symbols,
}

impl Theme {
    /// A theme with no colour at all, for `NO_COLOR`: meaning carried by bold, reverse, underline.
    pub fn monochrome() -> Self {
        let plain = Style::default();
        let bold = plain.add_modifier(Modifier::BOLD);
        Self {
            name: "monochrome".to_string(),
            text: plain,
            text_muted: plain.add_modifier(Modifier::DIM),
            title: bold,
            border: plain,
            border_focused: bold,
            selection: plain.add_modifier(Modifier::REVERSED),
            tab_active: bold.add_modifier(Modifier::REVERSED),
            tab_inactive: plain,
            key: bold,
            sev_critical: bold.add_modifier(Modifier::UNDERLINED),
            sev_warning: bold,
            sev_ok: plain,
            sev_info: plain,
            budget_ok: plain,
            budget_warning: bold,
            budget_exhausted: bold.add_modifier(Modifier::UNDERLINED),
            source_fresh: plain,
            stale: plain.add_modifier(Modifier::DIM),
            source_failed: bold.add_modifier(Modifier::UNDERLINED),
            chart: plain,
            span: plain,
            span_error: bold,
            overlay: plain,
            symbols: &symbols::UNICODE,
        }
    }

    /// This theme drawing with `symbols` (see [`Symbols::pick`]).
    pub fn with_symbols(self, symbols: &'static Symbols) -> Self {
        Self { symbols, ..self }
    }
}

/// Defines the role list and the by-name accessors from one list, so they cannot drift apart.
macro_rules! roles {
    ($($role:ident),* $(,)?) => {
        /// Every role of [`Theme`], as theme files name them.
        pub const ROLES: &[&str] = &[$(stringify!($role)),*];

        impl Theme {
            /// The style of a role by its name in theme files.
            pub fn role(&self, role: &str) -> Option<Style> {
                match role {
                    $(stringify!($role) => Some(self.$role),)*
                    _ => None,
                }
            }

            fn role_mut(&mut self, role: &str) -> Option<&mut Style> {
                match role {
                    $(stringify!($role) => Some(&mut self.$role),)*
                    _ => None,
                }
            }
        }
    };
}

roles!(
    text,
    text_muted,
    title,
    border,
    border_focused,
    selection,
    tab_active,
    tab_inactive,
    key,
    sev_critical,
    sev_warning,
    sev_ok,
    sev_info,
    budget_ok,
    budget_warning,
    budget_exhausted,
    source_fresh,
    stale,
    source_failed,
    chart,
    span,
    span_error,
    overlay,
);

/// The built-in themes, the default first.
const BUILTIN: [(&str, &str); 3] = [
    ("dark", include_str!("../../../themes/dark.toml")),
    ("light", include_str!("../../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../../themes/high-contrast.toml"),
    ),
];

const BUILTIN_NAMES: [&str; 3] = [BUILTIN[0].0, BUILTIN[1].0, BUILTIN[2].0];

/// Why a theme could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ThemeError {
    /// No built-in theme has this name.
    #[error("unknown theme `{0}`: built-in themes are {names}", names = BUILTIN_NAMES.join(", "))]
    UnknownTheme(String),
    /// The theme text is not TOML.
    #[error("theme `{theme}`: {message}")]
    Syntax {
        /// Theme name.
        theme: String,
        /// What the TOML parser said.
        message: String,
    },
    /// A key that is not a role.
    #[error("unknown theme role `{role}`: roles are {roles}", roles = ROLES.join(", "))]
    UnknownRole {
        /// The key as written.
        role: String,
    },
    /// A role whose style cannot be read.
    #[error("{role}: {message}")]
    BadStyle {
        /// The role.
        role: String,
        /// What is wrong with its style.
        message: String,
    },
}

impl Theme {
    /// The default dark theme (`themes/dark.toml`).
    pub fn dark() -> Self {
        Self::embedded(BUILTIN[0].0, BUILTIN[0].1)
    }

    /// A built-in theme by name: `dark`, `light` or `high-contrast`.
    pub fn builtin(name: &str) -> Option<Theme> {
        BUILTIN
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(n, text)| Self::embedded(n, text))
    }

    /// Names of the built-in themes, the default first.
    pub fn builtin_names() -> &'static [&'static str] {
        &BUILTIN_NAMES
    }

    fn embedded(name: &str, text: &str) -> Self {
        // The embedded files are checked by unit tests; failing here would be a build defect,
        // and a colourless cockpit is better than none.
        Self::from_toml(name, text).unwrap_or_else(|error| {
            tracing::error!(%error, "built-in theme is invalid");
            Self {
                name: name.to_string(),
                ..Self::monochrome()
            }
        })
    }

    /// A theme from TOML text with one `role = style` per role. Roles the text leaves out
    /// keep their monochrome style.
    pub fn from_toml(name: &str, text: &str) -> Result<Theme, ThemeError> {
        let table: toml::Table = toml::from_str(text).map_err(|e| ThemeError::Syntax {
            theme: name.to_string(),
            message: e.message().to_string(),
        })?;
        let base = Self {
            name: name.to_string(),
            ..Self::monochrome()
        };
        base.with_overrides(&table)
    }

    /// This theme with some roles restyled. Each style replaces the role's whole style.
    pub fn with_overrides(mut self, overrides: &toml::Table) -> Result<Theme, ThemeError> {
        for (role, value) in overrides {
            let slot = self
                .role_mut(role)
                .ok_or_else(|| ThemeError::UnknownRole { role: role.clone() })?;
            *slot = parse_style(value).map_err(|message| ThemeError::BadStyle {
                role: role.clone(),
                message,
            })?;
        }
        Ok(self)
    }
}

/// The theme the app uses: monochrome when `NO_COLOR` is set (`no_color`), else the named
/// built-in (`dark` when `None`) with the user's overrides applied.
pub fn select_theme(
    name: Option<&str>,
    overrides: Option<&toml::Table>,
    no_color: bool,
) -> Result<Theme, ThemeError> {
    if no_color {
        return Ok(Theme::monochrome());
    }
    let name = name.unwrap_or(BUILTIN[0].0);
    let theme = Theme::builtin(name).ok_or_else(|| ThemeError::UnknownTheme(name.to_string()))?;
    match overrides {
        Some(overrides) => theme.with_overrides(overrides),
        None => Ok(theme),
    }
}

#[cfg(test)]
mod tests;

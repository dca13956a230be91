//! Built-in themes: every role styled, readable on their backgrounds, and the dark theme
//! unchanged since it moved to a file.

use ratatui::style::Color;

use super::*;

fn fg(c: Color) -> Style {
    Style::default().fg(c)
}

/// The palette `Theme::dark()` had before it moved to `themes/dark.toml`, so screen
/// snapshots do not shift.
fn original_dark() -> Theme {
    Theme {
        name: "dark".to_string(),
        text: fg(Color::Gray),
        text_muted: fg(Color::DarkGray),
        title: fg(Color::White).add_modifier(Modifier::BOLD),
        border: fg(Color::DarkGray),
        border_focused: fg(Color::Cyan),
        selection: Style::default().bg(Color::Rgb(40, 50, 70)).fg(Color::White),
        tab_active: fg(Color::Black)
            .bg(Color::Cyan)
            .add_modifier(Modifier::BOLD),
        tab_inactive: fg(Color::Gray),
        key: fg(Color::Cyan).add_modifier(Modifier::BOLD),
        sev_critical: fg(Color::LightRed).add_modifier(Modifier::BOLD),
        sev_warning: fg(Color::Yellow),
        sev_ok: fg(Color::Green),
        sev_info: fg(Color::Blue),
        budget_ok: fg(Color::Green),
        budget_warning: fg(Color::Yellow),
        budget_exhausted: fg(Color::Red),
        source_fresh: fg(Color::Green),
        stale: fg(Color::Yellow),
        source_failed: fg(Color::Red).add_modifier(Modifier::BOLD),
        chart: fg(Color::Cyan),
        span: fg(Color::Blue),
        span_error: fg(Color::Red),
        overlay: fg(Color::Gray),
        symbols: &crate::ui::symbols::UNICODE,
    }
}

#[test]
fn dark_toml_is_the_original_dark_palette() {
    assert_eq!(Theme::dark(), original_dark());
    assert_eq!(Theme::builtin("dark"), Some(original_dark()));
}

#[test]
fn every_builtin_theme_parses_and_styles_every_role() {
    for (name, text) in BUILTIN {
        let table: toml::Table = toml::from_str(text).unwrap();
        for role in ROLES {
            assert!(table.contains_key(*role), "{name} lacks {role}");
        }
        let theme = Theme::from_toml(name, text).unwrap();
        assert_eq!(theme.name, name);
        for role in ROLES {
            assert_ne!(
                theme.role(role),
                Some(Style::default()),
                "{name}.{role} is unstyled"
            );
        }
    }
    assert_eq!(
        ROLES.len(),
        23,
        "a new Theme field needs a role in roles!()"
    );
}

#[test]
fn light_theme_avoids_colours_that_vanish_on_white() {
    let light = Theme::builtin("light").unwrap();
    let faint = [
        Color::White,
        Color::Gray,
        Color::Yellow,
        Color::LightYellow,
        Color::LightGreen,
        Color::LightCyan,
        Color::LightRed,
        Color::LightBlue,
        Color::LightMagenta,
    ];
    for role in ROLES {
        let style = light.role(role).unwrap();
        if style.bg.is_none() {
            let fg = style.fg.unwrap();
            assert!(
                !faint.contains(&fg),
                "light.{role} uses {fg:?} on the white background"
            );
        }
    }
    assert_eq!(light.text.fg, Some(Color::Black));
}

#[test]
fn high_contrast_uses_bold_pure_colours() {
    let theme = Theme::builtin("high-contrast").unwrap();
    for role in ROLES {
        let style = theme.role(role).unwrap();
        for colour in [style.fg, style.bg].into_iter().flatten() {
            assert!(
                !matches!(colour, Color::Rgb(..) | Color::Indexed(_) | Color::DarkGray),
                "{role}: {colour:?}"
            );
        }
        assert!(!style.add_modifier.contains(Modifier::DIM), "{role} is dim");
    }
    for role in [
        "sev_critical",
        "sev_warning",
        "source_failed",
        "budget_exhausted",
        "key",
        "border_focused",
    ] {
        assert!(
            theme
                .role(role)
                .unwrap()
                .add_modifier
                .contains(Modifier::BOLD),
            "{role} is not bold"
        );
    }
}

#[test]
fn overrides_replace_single_roles_and_reject_unknown_ones() {
    let overrides: toml::Table =
        toml::from_str("sev_critical = { fg = \"#ff0000\", reversed = true }").unwrap();
    let theme = select_theme(Some("light"), Some(&overrides), false).unwrap();
    assert_eq!(
        theme.sev_critical,
        fg(Color::Rgb(255, 0, 0)).add_modifier(Modifier::REVERSED)
    );
    assert_eq!(theme.text, Theme::builtin("light").unwrap().text);

    let typo: toml::Table = toml::from_str("sev_critcal = \"red\"").unwrap();
    let err = Theme::dark().with_overrides(&typo).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("unknown theme role `sev_critcal`: roles are text, text_muted,"),
        "{err}"
    );
}

#[test]
fn no_color_wins_and_unknown_names_list_the_builtins() {
    let overrides: toml::Table = toml::from_str("text = \"red\"").unwrap();
    assert_eq!(
        select_theme(Some("light"), Some(&overrides), true),
        Ok(Theme::monochrome())
    );
    assert_eq!(select_theme(None, None, false), Ok(Theme::dark()));
    let err = select_theme(Some("solarized"), None, false).unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown theme `solarized`: built-in themes are dark, light, high-contrast"
    );
}

#[test]
fn theme_files_with_bad_toml_are_errors_not_panics() {
    let err = Theme::from_toml("mine", "text = ").unwrap_err();
    assert!(matches!(err, ThemeError::Syntax { .. }), "{err}");
}

//! Reads one theme role's style from TOML: a colour (`"#rrggbb"`, an ANSI name, a 0–255
//! index) or a table `{ fg, bg, bold, dim, italic, reversed, underlined }`.

use ratatui::style::{Color, Modifier, Style};

const STYLE_HELP: &str = "a style is a colour (\"#rrggbb\", a name like \"red\", or 0-255) or a table like { fg = \"red\", bold = true }";

const COLOR_NAMES: [(&str, Color); 17] = [
    ("black", Color::Black),
    ("red", Color::Red),
    ("green", Color::Green),
    ("yellow", Color::Yellow),
    ("blue", Color::Blue),
    ("magenta", Color::Magenta),
    ("cyan", Color::Cyan),
    ("gray", Color::Gray),
    ("dark_gray", Color::DarkGray),
    ("light_red", Color::LightRed),
    ("light_green", Color::LightGreen),
    ("light_yellow", Color::LightYellow),
    ("light_blue", Color::LightBlue),
    ("light_magenta", Color::LightMagenta),
    ("light_cyan", Color::LightCyan),
    ("white", Color::White),
    ("reset", Color::Reset),
];

fn color_from_str(text: &str) -> Option<Color> {
    if let Some(hex) = text.strip_prefix('#') {
        if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
        return Some(Color::Rgb(byte(0)?, byte(2)?, byte(4)?));
    }
    if let Ok(index) = text.parse::<u8>() {
        return Some(Color::Indexed(index));
    }
    let name = text
        .trim()
        .to_ascii_lowercase()
        .replace(['-', ' '], "_")
        .replace("grey", "gray");
    COLOR_NAMES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, c)| *c)
}

/// A colour from a TOML string or integer.
pub(crate) fn parse_color(value: &toml::Value) -> Result<Color, String> {
    let bad = || {
        let names: Vec<&str> = COLOR_NAMES.iter().map(|(n, _)| *n).collect();
        format!(
            "{value} is not a colour: use \"#rrggbb\", 0-255, or one of {}",
            names.join(", ")
        )
    };
    match value {
        toml::Value::Integer(i) => u8::try_from(*i).map(Color::Indexed).map_err(|_| bad()),
        toml::Value::String(s) => color_from_str(s).ok_or_else(bad),
        _ => Err(bad()),
    }
}

/// A style from a colour (the foreground) or a style table.
pub(crate) fn parse_style(value: &toml::Value) -> Result<Style, String> {
    let table = match value {
        toml::Value::String(_) | toml::Value::Integer(_) => {
            return Ok(Style::default().fg(parse_color(value)?));
        }
        toml::Value::Table(table) => table,
        _ => return Err(STYLE_HELP.to_string()),
    };
    let mut style = Style::default();
    for (key, value) in table {
        let flag = match key.as_str() {
            "fg" => {
                style = style.fg(parse_color(value)?);
                continue;
            }
            "bg" => {
                style = style.bg(parse_color(value)?);
                continue;
            }
            "bold" => Modifier::BOLD,
            "dim" => Modifier::DIM,
            "italic" => Modifier::ITALIC,
            "reversed" => Modifier::REVERSED,
            "underlined" => Modifier::UNDERLINED,
            other => {
                return Err(format!(
                    "unknown style key `{other}`: use fg, bg, bold, dim, italic, reversed, underlined"
                ));
            }
        };
        match value {
            toml::Value::Boolean(true) => style = style.add_modifier(flag),
            toml::Value::Boolean(false) => {}
            _ => return Err(format!("{key} must be true or false")),
        }
    }
    Ok(style)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn style(text: &str) -> Result<Style, String> {
        let table: toml::Table = toml::from_str(&format!("v = {text}")).unwrap();
        parse_style(&table["v"])
    }

    #[test]
    fn colours_in_every_documented_form() {
        assert_eq!(
            style("\"#283246\""),
            Ok(Style::default().fg(Color::Rgb(40, 50, 70)))
        );
        assert_eq!(
            style("\"dark_gray\""),
            Ok(Style::default().fg(Color::DarkGray))
        );
        assert_eq!(
            style("\"Light-Red\""),
            Ok(Style::default().fg(Color::LightRed))
        );
        assert_eq!(style("244"), Ok(Style::default().fg(Color::Indexed(244))));
        assert_eq!(
            style("{ fg = \"black\", bg = \"cyan\", bold = true, underlined = false }"),
            Ok(Style::default()
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(Modifier::BOLD))
        );
    }

    #[test]
    fn bad_styles_say_what_is_allowed() {
        assert!(style("256").unwrap_err().contains("is not a colour"));
        assert!(style("\"#12345\"").unwrap_err().contains("is not a colour"));
        assert!(style("\"purple\"").unwrap_err().contains("light_magenta"));
        assert!(
            style("{ colour = \"red\" }")
                .unwrap_err()
                .starts_with("unknown style key `colour`")
        );
        assert_eq!(
            style("{ bold = 1 }").unwrap_err(),
            "bold must be true or false"
        );
        assert_eq!(style("true").unwrap_err(), STYLE_HELP);
    }
}

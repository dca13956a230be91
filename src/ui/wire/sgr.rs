//! SGR parameters: the short forms of colours and attributes.

use std::fmt::Write as _;

use ratatui::style::{Color, Modifier};

/// SGR codes that switch each modifier on, in a fixed order.
pub const MODIFIER_CODES: [(Modifier, u8); 8] = [
    (Modifier::BOLD, 1),
    (Modifier::DIM, 2),
    (Modifier::ITALIC, 3),
    (Modifier::UNDERLINED, 4),
    (Modifier::SLOW_BLINK, 5),
    (Modifier::REVERSED, 7),
    (Modifier::HIDDEN, 8),
    (Modifier::CROSSED_OUT, 9),
];

/// Appends `code` to the parameter list, `;`-separated.
pub fn push_code(params: &mut String, code: impl std::fmt::Display) {
    let sep = if params.is_empty() { "" } else { ";" };
    let _ = write!(params, "{sep}{code}");
}

/// Appends the SGR parameters selecting `color` as foreground (`base` 30) or background (40).
pub fn push_color(params: &mut String, color: Color, base: u8) {
    let bright = base + 60;
    match color {
        Color::Reset => push_code(params, base + 9),
        Color::Black => push_code(params, base),
        Color::Red => push_code(params, base + 1),
        Color::Green => push_code(params, base + 2),
        Color::Yellow => push_code(params, base + 3),
        Color::Blue => push_code(params, base + 4),
        Color::Magenta => push_code(params, base + 5),
        Color::Cyan => push_code(params, base + 6),
        Color::Gray => push_code(params, base + 7),
        Color::DarkGray => push_code(params, bright),
        Color::LightRed => push_code(params, bright + 1),
        Color::LightGreen => push_code(params, bright + 2),
        Color::LightYellow => push_code(params, bright + 3),
        Color::LightBlue => push_code(params, bright + 4),
        Color::LightMagenta => push_code(params, bright + 5),
        Color::LightCyan => push_code(params, bright + 6),
        Color::White => push_code(params, bright + 7),
        // Palette entries 0–15 are the 16 colours: the short codes say the same thing.
        Color::Indexed(n) if n < 8 => push_code(params, base + n),
        Color::Indexed(n) if n < 16 => push_code(params, bright + n - 8),
        Color::Indexed(n) => push_code(params, format_args!("{};5;{n}", base + 8)),
        Color::Rgb(r, g, b) => push_code(params, format_args!("{};2;{r};{g};{b}", base + 8)),
    }
}

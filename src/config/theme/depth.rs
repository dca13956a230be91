//! Colour depth: how many colours the terminal shows, read from `NO_COLOR`, `COLORTERM` and
//! `TERM`, and the mapping of a theme's colours down to that depth — RGB to the nearest
//! xterm-256 index, anything to the nearest of the 16 ANSI colours — so a theme written with
//! `#rrggbb` stays readable over SSH on a 16-colour console.

use ratatui::style::{Color, Style};

use super::Theme;

/// The colours a terminal can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorDepth {
    /// 24-bit RGB (`COLORTERM=truecolor` or `24bit`).
    TrueColor,
    /// The xterm 256-colour palette (`TERM=*256color*`).
    Ansi256,
    /// The 16 ANSI colours (`xterm`, `screen`, `linux`, unknown terminals).
    Ansi16,
    /// No colour at all (`NO_COLOR`).
    Mono,
}

/// The depth the environment asks for: `NO_COLOR` (set, not empty) → mono; `COLORTERM`
/// truecolor/24bit → RGB; a `TERM` naming 256 colours → 256; anything else → 16.
pub fn depth(env: impl Fn(&str) -> Option<String>) -> ColorDepth {
    if env("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        return ColorDepth::Mono;
    }
    let colorterm = env("COLORTERM").unwrap_or_default().to_ascii_lowercase();
    if colorterm == "truecolor" || colorterm == "24bit" {
        return ColorDepth::TrueColor;
    }
    let term = env("TERM").unwrap_or_default().to_ascii_lowercase();
    if term.contains("256color") {
        ColorDepth::Ansi256
    } else {
        ColorDepth::Ansi16
    }
}

/// [`depth`] of this process's environment.
pub fn depth_from_env() -> ColorDepth {
    depth(|name| std::env::var(name).ok())
}

impl Theme {
    /// This theme with every colour mapped to what `depth` can show. Truecolor keeps the
    /// theme as written; mono is [`Theme::monochrome`] under this theme's name and glyphs.
    pub fn for_depth(self, depth: ColorDepth) -> Theme {
        let map: fn(Color) -> Color = match depth {
            ColorDepth::TrueColor => return self,
            ColorDepth::Mono => {
                return Theme {
                    name: self.name,
                    symbols: self.symbols,
                    ..Theme::monochrome()
                };
            }
            ColorDepth::Ansi256 => to_256,
            ColorDepth::Ansi16 => nearest_16,
        };
        let mut theme = self;
        for role in super::ROLES {
            if let Some(slot) = theme.role_mut(role) {
                *slot = map_style(*slot, map);
            }
        }
        theme
    }
}

fn map_style(style: Style, map: fn(Color) -> Color) -> Style {
    Style {
        fg: style.fg.map(map),
        bg: style.bg.map(map),
        underline_color: style.underline_color.map(map),
        ..style
    }
}

fn to_256(color: Color) -> Color {
    match color {
        Color::Rgb(r, g, b) => Color::Indexed(nearest_256(r, g, b)),
        other => other,
    }
}

/// The 16 ANSI colours with the RGB values xterm gives them by default, in index order.
const ANSI: [(Color, [u8; 3]); 16] = [
    (Color::Black, [0, 0, 0]),
    (Color::Red, [205, 0, 0]),
    (Color::Green, [0, 205, 0]),
    (Color::Yellow, [205, 205, 0]),
    (Color::Blue, [0, 0, 238]),
    (Color::Magenta, [205, 0, 205]),
    (Color::Cyan, [0, 205, 205]),
    (Color::Gray, [229, 229, 229]),
    (Color::DarkGray, [127, 127, 127]),
    (Color::LightRed, [255, 0, 0]),
    (Color::LightGreen, [0, 255, 0]),
    (Color::LightYellow, [255, 255, 0]),
    (Color::LightBlue, [92, 92, 255]),
    (Color::LightMagenta, [255, 0, 255]),
    (Color::LightCyan, [0, 255, 255]),
    (Color::White, [255, 255, 255]),
];

/// The six levels of each axis of the xterm 6×6×6 colour cube (indexes 16–231).
const CUBE: [u8; 6] = [0, 95, 135, 175, 215, 255];

fn distance(a: [u8; 3], b: [u8; 3]) -> u32 {
    a.iter()
        .zip(b)
        .map(|(&x, y)| {
            let d = i32::from(x) - i32::from(y);
            d.unsigned_abs() * d.unsigned_abs()
        })
        .sum()
}

/// The RGB value xterm shows for a 256-colour index.
fn rgb_of_index(index: u8) -> [u8; 3] {
    match index {
        0..=15 => ANSI[usize::from(index)].1,
        16..=231 => {
            let i = usize::from(index - 16);
            [CUBE[i / 36], CUBE[(i / 6) % 6], CUBE[i % 6]]
        }
        _ => {
            let level = 8 + 10 * (index - 232);
            [level; 3]
        }
    }
}

/// The xterm-256 index nearest to an RGB colour, from the colour cube or the grey ramp (the
/// 16 ANSI slots are left out: terminals restyle them, so they are not a fixed colour).
pub fn nearest_256(r: u8, g: u8, b: u8) -> u8 {
    let target = [r, g, b];
    (16..=255u8)
        .min_by_key(|&i| distance(rgb_of_index(i), target))
        .unwrap_or(16)
}

/// The ANSI colour nearest to `color`; named colours and `Reset` stay as they are.
pub fn nearest_16(color: Color) -> Color {
    let rgb = match color {
        Color::Rgb(r, g, b) => [r, g, b],
        Color::Indexed(i) => rgb_of_index(i),
        other => return other,
    };
    ANSI.iter()
        .min_by_key(|(_, candidate)| distance(*candidate, rgb))
        .map_or(Color::Reset, |(named, _)| *named)
}

#[cfg(test)]
mod tests {
    use ratatui::style::Modifier;

    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_string())
        }
    }

    #[test]
    fn the_environment_picks_the_depth() {
        use ColorDepth::*;
        let cases: [(&[(&str, &str)], ColorDepth); 8] = [
            (&[("COLORTERM", "truecolor"), ("TERM", "xterm")], TrueColor),
            (&[("COLORTERM", "24bit")], TrueColor),
            (&[("TERM", "xterm-256color")], Ansi256),
            (&[("TERM", "tmux-256color")], Ansi256),
            (&[("TERM", "xterm")], Ansi16),
            (&[("TERM", "screen")], Ansi16),
            (&[("TERM", "linux")], Ansi16),
            (&[("NO_COLOR", "1"), ("COLORTERM", "truecolor")], Mono),
        ];
        for (vars, want) in cases {
            assert_eq!(depth(env(vars)), want, "{vars:?}");
        }
        assert_eq!(depth(env(&[])), Ansi16, "no TERM at all");
        assert_eq!(
            depth(env(&[("NO_COLOR", ""), ("TERM", "xterm-256color")])),
            Ansi256,
            "an empty NO_COLOR does not count"
        );
    }

    #[test]
    fn rgb_maps_to_the_nearest_palette_entry() {
        // #ff5555: the cube's #ff5f5f (203) in 256 colours, light red in 16.
        assert_eq!(nearest_256(0xff, 0x55, 0x55), 203);
        assert_eq!(nearest_16(Color::Rgb(0xff, 0x55, 0x55)), Color::LightRed);
        // The dark theme's selection background, a dark slate: the grey ramp's #3a3a3a.
        assert_eq!(nearest_256(40, 50, 70), 237);
        assert_eq!(nearest_16(Color::Rgb(40, 50, 70)), Color::Black);
        // Greys go to the ramp, exact cube colours to themselves.
        assert_eq!(nearest_256(128, 128, 128), 244);
        assert_eq!(nearest_256(0, 0, 0), 16);
        assert_eq!(nearest_256(255, 255, 255), 231);
        // 256-colour indexes fall to 16 colours too: 130 (dark orange, #af5f00) to red.
        assert_eq!(nearest_16(Color::Indexed(130)), Color::Red);
        assert_eq!(nearest_16(Color::Indexed(9)), Color::LightRed);
        assert_eq!(nearest_16(Color::Cyan), Color::Cyan);
    }

    #[test]
    fn no_colour_outside_the_depth_survives() {
        for name in Theme::builtin_names() {
            let Some(theme) = Theme::builtin(name) else {
                panic!("{name} missing");
            };
            let t256 = theme.clone().for_depth(ColorDepth::Ansi256);
            let t16 = theme.clone().for_depth(ColorDepth::Ansi16);
            for role in super::super::ROLES {
                let colours = |t: &Theme| {
                    let s = t.role(role).unwrap_or_default();
                    [s.fg, s.bg].into_iter().flatten().collect::<Vec<_>>()
                };
                for c in colours(&t256) {
                    assert!(!matches!(c, Color::Rgb(..)), "{name}.{role} {c:?}");
                }
                for c in colours(&t16) {
                    assert!(
                        !matches!(c, Color::Rgb(..) | Color::Indexed(_)),
                        "{name}.{role} {c:?}"
                    );
                }
            }
            assert_eq!(theme.clone().for_depth(ColorDepth::TrueColor), theme);
            let mono = theme.clone().for_depth(ColorDepth::Mono);
            assert_eq!(mono.name, theme.name);
            assert_eq!(mono.text.fg, None);
        }
    }

    /// The terminal background a built-in theme is written for.
    fn background(name: &str) -> Color {
        if name == "light" {
            Color::White
        } else {
            Color::Black
        }
    }

    #[test]
    fn every_builtin_theme_stays_readable_at_every_depth() {
        for name in Theme::builtin_names() {
            for depth in [
                ColorDepth::TrueColor,
                ColorDepth::Ansi256,
                ColorDepth::Ansi16,
            ] {
                let Some(theme) = Theme::builtin(name) else {
                    panic!("{name} missing");
                };
                let theme = theme.for_depth(depth);
                for role in super::super::ROLES {
                    let style = theme.role(role).unwrap_or_default();
                    if style.add_modifier.contains(Modifier::REVERSED) {
                        continue;
                    }
                    let fg = style.fg.unwrap_or(Color::Reset);
                    let bg = style.bg.unwrap_or_else(|| background(name));
                    assert_ne!(
                        nearest_16(fg),
                        nearest_16(bg),
                        "{name}.{role} at {depth:?}: {fg:?} on {bg:?}"
                    );
                }
            }
        }
    }
}

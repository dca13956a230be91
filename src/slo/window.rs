//! Time windows as the SRE workbook writes them: `5m`, `1h`, `3d`, `30d`.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A span of time measured back from the evaluation instant, in whole seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Window(u64);

/// The burn-rate windows ondeck computes for every SLO, shortest first.
pub const STANDARD_WINDOWS: [Window; 7] = [
    Window::minutes(5),
    Window::minutes(30),
    Window::hours(1),
    Window::hours(2),
    Window::hours(6),
    Window::days(1),
    Window::days(3),
];

impl Window {
    /// A window of `n` seconds.
    pub const fn seconds(n: u64) -> Self {
        Self(n)
    }
    /// A window of `n` minutes.
    pub const fn minutes(n: u64) -> Self {
        Self(n * 60)
    }
    /// A window of `n` hours.
    pub const fn hours(n: u64) -> Self {
        Self(n * 3600)
    }
    /// A window of `n` days.
    pub const fn days(n: u64) -> Self {
        Self(n * 86_400)
    }
    /// Length in seconds.
    pub const fn as_secs(self) -> u64 {
        self.0
    }
    /// Length as a `Duration`.
    pub const fn as_duration(self) -> Duration {
        Duration::from_secs(self.0)
    }
    /// Length in seconds as a float, for ratios between windows.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64
    }
}

/// Why a window string could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a window: write a whole number and a unit, like 5m, 1h, 3d or 30d")]
pub struct WindowParseError(pub String);

impl FromStr for Window {
    type Err = WindowParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        // Windows are whole seconds and never empty: `500ms` and `0h` are not windows.
        crate::config::duration::parse_amount(text)
            .filter(|d| d.subsec_millis() == 0 && !d.is_zero())
            .map(|d| Window(d.as_secs()))
            .ok_or_else(|| WindowParseError(text.to_string()))
    }
}

impl fmt::Display for Window {
    /// The largest unit that divides the window exactly, so `86400` prints as `1d`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0;
        if s != 0 && s.is_multiple_of(86_400) {
            write!(f, "{}d", s / 86_400)
        } else if s != 0 && s.is_multiple_of(3600) {
            write!(f, "{}h", s / 3600)
        } else if s != 0 && s.is_multiple_of(60) {
            write!(f, "{}m", s / 60)
        } else {
            write!(f, "{s}s")
        }
    }
}

impl Serialize for Window {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Window {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_the_workbook_windows() {
        for (text, secs) in [
            ("5m", 300),
            ("1h", 3600),
            ("3d", 259_200),
            ("30d", 2_592_000),
        ] {
            let w: Window = text.parse().unwrap();
            assert_eq!(w.as_secs(), secs);
            assert_eq!(w.to_string(), text);
        }
        assert_eq!(Window::minutes(90).to_string(), "90m");
        assert_eq!(Window::hours(48).to_string(), "2d");
    }

    #[test]
    fn rejects_what_is_not_a_window() {
        for text in [
            "",
            "5",
            "m",
            "0m",
            "5x",
            "-5m",
            "1.5h",
            "99999999999999999999d",
        ] {
            assert!(text.parse::<Window>().is_err(), "{text} should not parse");
        }
    }
}

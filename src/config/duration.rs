//! Poll intervals and timeouts as people write them: `500ms`, `5s`, `1m`, `2h`.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Deserializer};

/// A duration read from the config file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct HumanDuration(pub Duration);

/// Why a duration string could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a duration: write a whole number and a unit (ms, s, m, h, d, w), like 500ms, 5s, 1m, 2h or 1d"
)]
pub struct DurationParseError(pub String);

/// A whole number and a unit — `ms`, `s`, `m`, `h`, `d` or `w` — as every duration in the
/// config, on the command line and in SLO windows is written. `None` when it is not one.
pub fn parse_amount(text: &str) -> Option<Duration> {
    let trimmed = text.trim();
    let unit_at = trimmed.find(|c: char| !c.is_ascii_digit())?;
    let (digits, unit) = trimmed.split_at(unit_at);
    let n: u64 = digits.parse().ok()?;
    let millis_per_unit: u64 = match unit {
        "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        "w" => 7 * 86_400_000,
        _ => return None,
    };
    n.checked_mul(millis_per_unit).map(Duration::from_millis)
}

impl FromStr for HumanDuration {
    type Err = DurationParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse_amount(text)
            .map(HumanDuration)
            .ok_or_else(|| DurationParseError(text.to_string()))
    }
}

impl fmt::Display for HumanDuration {
    /// The largest unit that divides the duration exactly, so 60 000 ms prints as `1m`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", format_duration(self.0))
    }
}

/// Prints a duration the way the config file writes it: `5s`, `1m`, `250ms`.
pub fn format_duration(duration: Duration) -> String {
    let ms = duration.as_millis();
    if ms == 0 {
        "0s".to_string()
    } else if ms.is_multiple_of(3_600_000) {
        format!("{}h", ms / 3_600_000)
    } else if ms.is_multiple_of(60_000) {
        format!("{}m", ms / 60_000)
    } else if ms.is_multiple_of(1_000) {
        format!("{}s", ms / 1_000)
    } else {
        format!("{ms}ms")
    }
}

impl<'de> Deserialize<'de> for HumanDuration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_prints_the_units_people_write() {
        for (text, ms) in [
            ("500ms", 500),
            ("5s", 5_000),
            ("1m", 60_000),
            ("2h", 7_200_000),
        ] {
            let parsed: HumanDuration = text.parse().unwrap();
            assert_eq!(parsed.0, Duration::from_millis(ms));
            assert_eq!(parsed.to_string(), text);
        }
        assert_eq!(format_duration(Duration::from_secs(90)), "90s");
    }

    #[test]
    fn rejects_what_is_not_a_duration() {
        for text in [
            "",
            "5",
            "s",
            "5x",
            "-5s",
            "1.5s",
            "5 d",
            "99999999999999999999h",
        ] {
            assert!(
                text.parse::<HumanDuration>().is_err(),
                "{text} should not parse"
            );
        }
    }
}

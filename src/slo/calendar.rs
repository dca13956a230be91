//! Periods whose bounds depend on the date: calendar-aligned periods (OpenSLO `calendar`:
//! every month from the 1st at noon in New York) and rolling periods counted in months,
//! quarters or years (`1M` is the last calendar month's worth of time, 28 to 31 days).
//!
//! Pure: the bounds of the period that holds an instant. A calendar period's SLI and budget
//! are measured from its start to the evaluation instant (the budget of a month resets on
//! the 1st); its length, which the alert tiers' factors use, is the length of that period.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Duration, LocalResult, Months, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::window::Window;

/// OpenSLO's duration shorthand: a positive whole number and one of `m h d w M Q Y`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// How many units.
    pub count: u32,
    /// Which unit.
    pub unit: Unit,
}

/// The units of [`Span`]: fixed lengths, or lengths that depend on the calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// `m`
    Minute,
    /// `h`
    Hour,
    /// `d`: a calendar day (23 to 25 hours across a daylight-saving change in a time zone).
    Day,
    /// `w`: seven calendar days.
    Week,
    /// `M`
    Month,
    /// `Q`: three months.
    Quarter,
    /// `Y`: twelve months.
    Year,
}

/// Why a duration could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a duration: write a whole number and one of m, h, d, w, M, Q, Y (e.g. 30d, 4w, 1M, 1Q)"
)]
pub struct SpanError(pub String);

impl FromStr for Span {
    type Err = SpanError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || SpanError(text.to_string());
        let trimmed = text.trim();
        let split = trimmed
            .find(|c: char| !c.is_ascii_digit())
            .ok_or_else(bad)?;
        let (digits, unit) = trimmed.split_at(split);
        let count: u32 = digits.parse().map_err(|_| bad())?;
        let unit = match unit {
            "m" => Unit::Minute,
            "h" => Unit::Hour,
            "d" => Unit::Day,
            "w" => Unit::Week,
            "M" => Unit::Month,
            "Q" => Unit::Quarter,
            "Y" => Unit::Year,
            _ => return Err(bad()),
        };
        if count == 0 {
            return Err(bad());
        }
        Ok(Self { count, unit })
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match self.unit {
            Unit::Minute => "m",
            Unit::Hour => "h",
            Unit::Day => "d",
            Unit::Week => "w",
            Unit::Month => "M",
            Unit::Quarter => "Q",
            Unit::Year => "Y",
        };
        write!(f, "{}{unit}", self.count)
    }
}

impl Span {
    /// Its length when the calendar does not matter (minutes to weeks), else `None`.
    pub fn fixed(&self) -> Option<Window> {
        let n = u64::from(self.count);
        match self.unit {
            Unit::Minute => Some(Window::minutes(n)),
            Unit::Hour => Some(Window::hours(n)),
            Unit::Day => Some(Window::days(n)),
            Unit::Week => Some(Window::days(7 * n)),
            Unit::Month | Unit::Quarter | Unit::Year => None,
        }
    }

    /// The shortest it can be: what checks against the alert tiers' windows use (a month
    /// is at least 28 days).
    pub fn shortest(&self) -> Window {
        let n = u64::from(self.count);
        self.fixed().unwrap_or(match self.unit {
            Unit::Month => Window::days(28 * n),
            Unit::Quarter => Window::days(89 * n),
            _ => Window::days(365 * n),
        })
    }

    fn months(&self) -> Option<u32> {
        match self.unit {
            Unit::Month => Some(self.count),
            Unit::Quarter => Some(3 * self.count),
            Unit::Year => Some(12 * self.count),
            _ => None,
        }
    }
}

/// A period whose bounds depend on the date.
#[derive(Debug, Clone, PartialEq)]
pub enum Period {
    /// The last `span` before the evaluation instant, `span` in months, quarters or years
    /// (counted in UTC).
    Rolling(Span),
    /// Calendar-aligned: periods of `span` one after another from `start`, a local time in
    /// `zone`; the one holding the evaluation instant counts.
    Calendar {
        /// The length of each period.
        span: Span,
        /// When the first period starts, local time.
        start: NaiveDateTime,
        /// The time zone `start` and the calendar are in.
        zone: Tz,
    },
}

impl fmt::Display for Period {
    /// `rolling 1M`, or `calendar 1M from 2022-01-01 12:00:00 America/New_York`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Rolling(span) => write!(f, "rolling {span}"),
            Period::Calendar { span, start, zone } => {
                write!(f, "calendar {span} from {start} {zone}")
            }
        }
    }
}

/// The period holding an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    /// When it started.
    pub start: DateTime<Utc>,
    /// When it ends (the evaluation instant, for a rolling period).
    pub end: DateTime<Utc>,
}

impl Bounds {
    /// Its whole length, at least one second.
    pub fn length(&self) -> Window {
        Window::seconds((self.end - self.start).num_seconds().max(1) as u64)
    }

    /// From its start to `at`, at least one second: the window its SLI and budget cover.
    pub fn to(&self, at: DateTime<Utc>) -> Window {
        Window::seconds((at - self.start).num_seconds().max(1) as u64)
    }
}

impl Period {
    /// The bounds of the period holding `at`.
    pub fn bounds(&self, at: DateTime<Utc>) -> Bounds {
        match self {
            Period::Rolling(span) => {
                let start = match span.months() {
                    Some(months) => at.checked_sub_months(Months::new(months)).unwrap_or(at),
                    None => {
                        at - span
                            .fixed()
                            .map_or(Duration::zero(), |w| Duration::seconds(w.as_secs() as i64))
                    }
                };
                Bounds { start, end: at }
            }
            Period::Calendar { span, start, zone } => calendar_bounds(*span, *start, *zone, at),
        }
    }
}

/// The `k`-th boundary after `start`: `start + k × span`, in local time for calendar units.
fn boundary(span: Span, start: NaiveDateTime, zone: Tz, k: i64) -> DateTime<Utc> {
    let local = match span.months() {
        Some(months) => {
            let total = i64::from(months) * k;
            let shifted = if total >= 0 {
                start.checked_add_months(Months::new(total as u32))
            } else {
                start.checked_sub_months(Months::new((-total) as u32))
            };
            shifted.unwrap_or(start)
        }
        None => match span.unit {
            Unit::Day | Unit::Week => {
                let days = i64::from(span.count) * if span.unit == Unit::Week { 7 } else { 1 };
                start + Duration::days(days * k)
            }
            _ => {
                // Minutes and hours are fixed lengths: count them in UTC.
                let first = resolve(zone, start);
                let secs = span.fixed().map_or(0, |w| w.as_secs() as i64);
                return first + Duration::seconds(secs * k);
            }
        },
    };
    resolve(zone, local)
}

/// A local time as an instant: the earlier of two in a fall-back hour, the first valid
/// instant after a spring-forward gap.
fn resolve(zone: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
        LocalResult::None => {
            let later = local + Duration::hours(1);
            zone.from_local_datetime(&later)
                .earliest()
                .map_or_else(|| Utc.from_utc_datetime(&local), |t| t.with_timezone(&Utc))
        }
    }
}

fn calendar_bounds(span: Span, start: NaiveDateTime, zone: Tz, at: DateTime<Utc>) -> Bounds {
    // A first guess of how many periods lie between start and `at`, corrected both ways.
    let first = resolve(zone, start);
    let approx = span.shortest().as_secs().max(60) as i64;
    let mut k = (at - first).num_seconds().div_euclid(approx);
    if let Some(months) = span.months() {
        let local = at.with_timezone(&zone).naive_local();
        let elapsed =
            (local.year() - start.year()) * 12 + local.month() as i32 - start.month() as i32;
        k = i64::from(elapsed).div_euclid(i64::from(months));
    }
    while boundary(span, start, zone, k) > at {
        k -= 1;
    }
    while boundary(span, start, zone, k + 1) <= at {
        k += 1;
    }
    Bounds {
        start: boundary(span, start, zone, k),
        end: boundary(span, start, zone, k + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn calendar(span: &str, start: &str, zone: &str) -> Period {
        Period::Calendar {
            span: span.parse().unwrap(),
            start: NaiveDateTime::parse_from_str(start, "%Y-%m-%d %H:%M:%S").unwrap(),
            zone: zone.parse().unwrap(),
        }
    }

    #[test]
    fn every_openslo_unit_parses() {
        for (text, fixed) in [
            ("5m", Some(300)),
            ("12h", Some(43_200)),
            ("30d", Some(2_592_000)),
            ("2w", Some(1_209_600)),
            ("1M", None),
            ("1Q", None),
            ("1Y", None),
        ] {
            let span: Span = text.parse().unwrap();
            assert_eq!(span.fixed().map(|w| w.as_secs()), fixed, "{text}");
            assert_eq!(span.to_string(), text);
        }
        for bad in ["", "1", "0d", "1y", "1.5h", "-1d", "1s"] {
            assert!(bad.parse::<Span>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_calendar_month_starts_on_its_day_in_its_time_zone() {
        let month = calendar("1M", "2022-01-01 12:00:00", "America/New_York");
        // 2025-03-10T15:00Z is 11:00 in New York (EDT since 9 March): the March period
        // started on 1 March at noon EST (17:00Z) and ends on 1 April at noon EDT (16:00Z).
        let b = month.bounds(utc("2025-03-10T15:00:00Z"));
        assert_eq!(b.start, utc("2025-03-01T17:00:00Z"));
        assert_eq!(b.end, utc("2025-04-01T16:00:00Z"));
        assert_eq!(b.length(), Window::seconds(31 * 86_400 - 3600));
        assert_eq!(
            b.to(utc("2025-03-10T15:00:00Z")),
            Window::seconds(9 * 86_400 - 7200)
        );
        // Before noon on the 1st, the previous month still counts.
        let feb = month.bounds(utc("2025-03-01T16:59:59Z"));
        assert_eq!(feb.start, utc("2025-02-01T17:00:00Z"));
        assert_eq!(feb.end, utc("2025-03-01T17:00:00Z"));
    }

    #[test]
    fn weeks_quarters_and_minutes_align_on_the_start() {
        // 2022-01-01 was a Saturday: weeks run Saturday noon to Saturday noon.
        let week = calendar("1w", "2022-01-01 12:00:00", "America/New_York");
        let b = week.bounds(utc("2025-01-01T00:00:00Z"));
        assert_eq!(b.start, utc("2024-12-28T17:00:00Z"));
        assert_eq!(b.end, utc("2025-01-04T17:00:00Z"));
        let quarter = calendar("1Q", "2024-01-01 00:00:00", "UTC");
        let b = quarter.bounds(utc("2025-05-20T08:00:00Z"));
        assert_eq!(b.start, utc("2025-04-01T00:00:00Z"));
        assert_eq!(b.end, utc("2025-07-01T00:00:00Z"));
        let hours = calendar("6h", "2024-01-01 00:00:00", "Europe/Berlin");
        let b = hours.bounds(utc("2025-01-01T05:30:00Z"));
        // Midnight in Berlin is 23:00Z in winter; six-hour periods count from there.
        assert_eq!(b.start, utc("2025-01-01T05:00:00Z"));
        assert_eq!(b.end, utc("2025-01-01T11:00:00Z"));
    }

    #[test]
    fn a_rolling_month_is_the_last_calendar_month_of_time() {
        let rolling = Period::Rolling("1M".parse().unwrap());
        let at = utc("2025-03-15T00:00:00Z");
        let b = rolling.bounds(at);
        assert_eq!(b.start, utc("2025-02-15T00:00:00Z"));
        assert_eq!(b.length(), Window::days(28));
        assert_eq!(b.to(at), Window::days(28));
    }
}

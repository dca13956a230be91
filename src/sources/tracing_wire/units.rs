//! Units at the wire: Go-style durations (`500ms`, `1.2s`) that Jaeger's `minDuration` and
//! TraceQL both parse, and epoch microseconds to wall-clock time.

use chrono::{DateTime, Utc};

/// A duration in microseconds written the way Go's `time.ParseDuration` reads it: whole
/// or fractional seconds from one second up (`1.2s`, `2s`), else milliseconds (`500ms`),
/// else microseconds (`250us`).
pub fn go_duration(us: u64) -> String {
    if us >= 1_000_000 && us.is_multiple_of(1_000) {
        let whole = us / 1_000_000;
        let millis = us % 1_000_000 / 1_000;
        if millis == 0 {
            return format!("{whole}s");
        }
        let fraction = format!("{millis:03}");
        return format!("{whole}.{}s", fraction.trim_end_matches('0'));
    }
    if us.is_multiple_of(1_000) {
        return format!("{}ms", us / 1_000);
    }
    format!("{us}us")
}

/// Epoch microseconds as a time; `None` past the year 262143 or so (hostile input).
pub fn micros_to_time(us: u64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_micros(i64::try_from(us).ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_a_human_wrote_them() {
        assert_eq!(go_duration(500_000), "500ms");
        assert_eq!(go_duration(1_200_000), "1.2s");
        assert_eq!(go_duration(2_000_000), "2s");
        assert_eq!(go_duration(1_050_000), "1.05s");
        assert_eq!(go_duration(1_500), "1500us");
        assert_eq!(go_duration(0), "0ms");
    }

    #[test]
    fn times_out_of_range_are_none() {
        assert!(micros_to_time(u64::MAX).is_none());
        assert_eq!(
            micros_to_time(1_700_000_000_000_000).map(|t| t.timestamp()),
            Some(1_700_000_000)
        );
    }
}

//! Number formatting for the screen: percentages, durations, ages, burn rates, objectives.
//! Pure string functions; a missing number is always "—" (no data), never 0.

use chrono::Duration;

use crate::slo::Exhaustion;

/// What the screen shows for a number that is not known.
pub const NO_DATA: &str = "—";

/// A ratio as a percentage with `digits` decimals: `0.42` → "42%" (digits 0), `None` → "—".
pub fn percent(ratio: Option<f64>, digits: usize) -> String {
    match ratio {
        Some(r) if r.is_finite() => format!("{:.*}%", digits, r * 100.0),
        _ => NO_DATA.to_string(),
    }
}

/// An SLO objective with as many decimals as it needs: 0.999 → "99.9%", 0.99 → "99%".
pub fn objective(objective: f64) -> String {
    let text = format!("{:.4}", objective * 100.0);
    let trimmed = text.trim_end_matches('0').trim_end_matches('.');
    format!("{trimmed}%")
}

/// A length of time at two units of precision: "42s", "4m12s", "2h05m", "3d04h".
pub fn duration_secs(secs: i64) -> String {
    let s = secs.max(0);
    match s {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m{:02}s", s / 60, s % 60),
        s if s < 86_400 => format!("{}h{:02}m", s / 3600, s % 3600 / 60),
        s => format!("{}d{:02}h", s / 86_400, s % 86_400 / 3600),
    }
}

/// A chrono duration as [`duration_secs`] writes it; `None` is "—".
pub fn duration(d: Option<Duration>) -> String {
    d.map_or_else(|| NO_DATA.to_string(), |d| duration_secs(d.num_seconds()))
}

/// How long ago something happened, coarser than [`duration_secs`]: "42s", "12m", "2h05m", "3d04h".
pub fn age_secs(secs: i64) -> String {
    let s = secs.max(0);
    if (60..3600).contains(&s) {
        format!("{}m", s / 60)
    } else {
        duration_secs(s)
    }
}

/// A burn rate as a multiple of the sustainable rate: "14.4×", "120×"; `None` is "—".
pub fn burn_rate(rate: Option<f64>) -> String {
    match rate {
        Some(r) if r.is_finite() && r >= 100.0 => format!("{r:.0}×"),
        Some(r) if r.is_finite() => format!("{r:.1}×"),
        _ => NO_DATA.to_string(),
    }
}

/// A tier threshold without needless decimals: 14.4 → "14.4", 6.0 → "6", 0.9333 → "0.93".
pub fn factor(value: f64) -> String {
    let text = format!("{value:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Time until the error budget runs out: "2d03h", "never", "exhausted", or "—" without data.
pub fn exhaustion(value: Exhaustion) -> String {
    match value {
        Exhaustion::In(secs) if secs.is_finite() => duration_secs(secs as i64),
        Exhaustion::In(_) | Exhaustion::Never => "never".to_string(),
        Exhaustion::Exhausted => "exhausted".to_string(),
        Exhaustion::NoData => NO_DATA.to_string(),
    }
}

/// A latency given in microseconds: "850µs", "230ms", "1.82s", "2m05s".
pub fn micros(us: u64) -> String {
    match us {
        u if u < 1_000 => format!("{u}µs"),
        u if u < 10_000 => format!("{:.1}ms", u as f64 / 1_000.0),
        u if u < 1_000_000 => format!("{}ms", u / 1_000),
        u if u < 60_000_000 => format!("{:.2}s", u as f64 / 1_000_000.0),
        u => duration_secs((u / 1_000_000) as i64),
    }
}

/// A latency given in seconds, as [`micros`] writes it; `None` is "—".
pub fn latency(seconds: Option<f64>) -> String {
    match seconds {
        Some(s) if s.is_finite() => micros((s.max(0.0) * 1_000_000.0).round() as u64),
        _ => NO_DATA.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_keep_the_precision_asked_for_and_no_data_is_a_dash() {
        assert_eq!(percent(Some(0.42), 0), "42%");
        assert_eq!(percent(Some(0.99871), 3), "99.871%");
        assert_eq!(percent(Some(-1.2), 0), "-120%");
        assert_eq!(percent(None, 1), "—");
        assert_eq!(percent(Some(f64::NAN), 1), "—");
    }

    #[test]
    fn objectives_show_only_the_nines_they_have() {
        assert_eq!(objective(0.999), "99.9%");
        assert_eq!(objective(0.9999), "99.99%");
        assert_eq!(objective(0.99), "99%");
        assert_eq!(objective(0.995), "99.5%");
    }

    #[test]
    fn durations_use_two_units() {
        assert_eq!(duration_secs(42), "42s");
        assert_eq!(duration_secs(252), "4m12s");
        assert_eq!(duration_secs(2 * 3600 + 5 * 60 + 59), "2h05m");
        assert_eq!(duration_secs(3 * 86_400 + 4 * 3600), "3d04h");
        assert_eq!(duration_secs(-5), "0s");
        assert_eq!(duration(None), "—");
        assert_eq!(duration(Some(Duration::seconds(3900))), "1h05m");
    }

    #[test]
    fn ages_drop_seconds_once_past_a_minute() {
        assert_eq!(age_secs(3), "3s");
        assert_eq!(age_secs(12 * 60 + 30), "12m");
        assert_eq!(age_secs(2 * 3600 + 300), "2h05m");
    }

    #[test]
    fn burn_rates_and_factors() {
        assert_eq!(burn_rate(Some(14.4)), "14.4×");
        assert_eq!(burn_rate(Some(0.04)), "0.0×");
        assert_eq!(burn_rate(Some(250.4)), "250×");
        assert_eq!(burn_rate(None), "—");
        assert_eq!(factor(14.4), "14.4");
        assert_eq!(factor(6.0), "6");
        assert_eq!(factor(0.933_333), "0.93");
    }

    #[test]
    fn exhaustion_reads_as_a_responder_says_it() {
        assert_eq!(exhaustion(Exhaustion::In(183_600.0)), "2d03h");
        assert_eq!(exhaustion(Exhaustion::Never), "never");
        assert_eq!(exhaustion(Exhaustion::Exhausted), "exhausted");
        assert_eq!(exhaustion(Exhaustion::NoData), "—");
    }

    #[test]
    fn latencies_pick_a_readable_unit() {
        assert_eq!(micros(850), "850µs");
        assert_eq!(micros(2_340), "2.3ms");
        assert_eq!(micros(230_000), "230ms");
        assert_eq!(micros(1_820_000), "1.82s");
        assert_eq!(micros(125_000_000), "2m05s");
        assert_eq!(latency(Some(1.82)), "1.82s");
        assert_eq!(latency(None), "—");
    }
}

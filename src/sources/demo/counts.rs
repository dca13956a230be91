//! Window counts by integrating the fleet model: cumulative event counts from a fixed origin,
//! so any window is one subtraction.
//!
//! Hourly prefix sums cover the last month; hours near the present also get per-minute prefix
//! sums (cached for the hours recently asked about), and the current partial minute is split
//! by its 10-second slot weights. Because every window is `C(end) - C(start)` of one
//! non-decreasing function `C`, wider windows never count fewer events than narrower ones.

use std::collections::HashMap;

use super::fleet::Fleet;
use crate::slo::Counts;

const MINUTE: f64 = 60.0;
const HOUR: f64 = 3600.0;
/// How far before the start the history begins: the 30-day period plus room to look back.
const HISTORY_HOURS: i64 = 33 * 24;
/// How far before the start minute detail is modelled; older hours are one value each.
const FINE_HOURS: i64 = 5 * 24;
/// Hours of minute detail kept between fetches (a day of trend plus window edges).
const DETAIL_CACHE_HOURS: usize = 40;

/// Per-minute prefix sums of one hour, for every SLO.
struct HourDetail {
    /// `total[s][k]` is the total events of SLO `s` in the hour's first `k` minutes.
    total: Vec<[f64; 61]>,
    /// Same for bad events.
    bad: Vec<[f64; 61]>,
    /// The fetch that last used this hour, for eviction.
    used: u64,
}

/// Cumulative counts of every SLO, extended as time moves on.
pub(super) struct Counter {
    origin_hour: i64,
    fine_from_hour: i64,
    slos: usize,
    /// `total[k * slos + s]`: events of SLO `s` from the origin to the start of hour
    /// `origin_hour + k`.
    total: Vec<f64>,
    bad: Vec<f64>,
    details: HashMap<i64, HourDetail>,
    generation: u64,
}

impl Counter {
    /// Prefix sums from a month before the fleet's start up to the start's hour.
    pub fn new(fleet: &Fleet) -> Self {
        let start_hour = (fleet.start / HOUR).floor() as i64;
        let slos = fleet.slos.len();
        let mut counter = Self {
            origin_hour: start_hour - HISTORY_HOURS,
            fine_from_hour: start_hour - FINE_HOURS,
            slos,
            total: vec![0.0; slos],
            bad: vec![0.0; slos],
            details: HashMap::new(),
            generation: 0,
        };
        counter.extend_to(fleet, start_hour + 1);
        counter
    }

    /// Marks the start of a fetch and forgets minute detail no recent fetch needed.
    pub fn begin_fetch(&mut self) {
        self.generation += 1;
        if self.details.len() > DETAIL_CACHE_HOURS {
            let keep_from = self.generation.saturating_sub(1);
            self.details.retain(|_, d| d.used >= keep_from);
        }
    }

    /// Hours covered by the hourly prefix sums.
    fn hours(&self) -> i64 {
        (self.total.len() / self.slos.max(1)) as i64 - 1
    }

    /// Grows the hourly prefix sums until they reach the start of hour `end_hour`.
    fn extend_to(&mut self, fleet: &Fleet, end_hour: i64) {
        while self.origin_hour + self.hours() < end_hour {
            let hour = self.origin_hour + self.hours();
            let base = self.total.len() - self.slos;
            let detail = (hour >= self.fine_from_hour).then(|| detail(fleet, hour, 0));
            for s in 0..self.slos {
                let (total, bad) = match &detail {
                    Some(d) => (d.total[s][60], d.bad[s][60]),
                    None => fleet.coarse_hour_value(s, hour),
                };
                self.total.push(self.total[base + s] + total);
                self.bad.push(self.bad[base + s] + bad);
            }
        }
    }

    /// Total and bad events of SLO `s` from the origin up to `t` (epoch seconds).
    pub fn cumulative(&mut self, fleet: &Fleet, s: usize, t: f64) -> (f64, f64) {
        let hour = (t / HOUR).floor() as i64;
        if hour < self.origin_hour || s >= self.slos {
            return (0.0, 0.0);
        }
        self.extend_to(fleet, hour + 1);
        let k = (hour - self.origin_hour) as usize;
        let (lo, hi) = (k * self.slos + s, (k + 1) * self.slos + s);
        let (t0, b0, t1, b1) = (self.total[lo], self.bad[lo], self.total[hi], self.bad[hi]);
        let into_hour = t - hour as f64 * HOUR;
        // Within an hour, `base + within` never passes the next hour's prefix: `within` is
        // clamped to the hour's own sum, and adding to `base` is monotone.
        if hour < self.fine_from_hour {
            let share = into_hour / HOUR;
            let total = (t0 + (t1 - t0) * share).min(t1);
            let bad = (b0 + (b1 - b0) * share).min(b1);
            return (total, bad);
        }
        let generation = self.generation;
        let d = self
            .details
            .entry(hour)
            .or_insert_with(|| detail(fleet, hour, generation));
        d.used = generation;
        let minute_in_hour = ((into_hour / MINUTE).floor() as usize).min(59);
        let minute = hour * 60 + minute_in_hour as i64;
        let secs = into_hour - minute_in_hour as f64 * MINUTE;
        let (ft, fb) = fleet.minute_fraction(s, minute, secs);
        let (pt, pb) = (&d.total[s], &d.bad[s]);
        let within_total = (pt[minute_in_hour]
            + (pt[minute_in_hour + 1] - pt[minute_in_hour]) * ft)
            .min(pt[minute_in_hour + 1]);
        let within_bad = (pb[minute_in_hour] + (pb[minute_in_hour + 1] - pb[minute_in_hour]) * fb)
            .min(pb[minute_in_hour + 1]);
        ((t0 + within_total).min(t1), (b0 + within_bad).min(b1))
    }

    /// Bad and total events of SLO `s` over `[from, to]`.
    pub fn between(&mut self, fleet: &Fleet, s: usize, from: f64, to: f64) -> Counts {
        let (t_hi, b_hi) = self.cumulative(fleet, s, to);
        let (t_lo, b_lo) = self.cumulative(fleet, s, from);
        Counts {
            bad: (b_hi - b_lo).max(0.0),
            total: (t_hi - t_lo).max(0.0),
        }
    }
}

/// Per-minute prefix sums of `hour` for every SLO.
fn detail(fleet: &Fleet, hour: i64, generation: u64) -> HourDetail {
    let slos = fleet.slos.len();
    let mut total = vec![[0.0; 61]; slos];
    let mut bad = vec![[0.0; 61]; slos];
    let mut values = Vec::with_capacity(slos);
    for m in 0..60 {
        fleet.minute_values(hour * 60 + m as i64, &mut values);
        for (s, (t, b)) in values.iter().enumerate() {
            total[s][m + 1] = total[s][m] + t;
            bad[s][m + 1] = bad[s][m] + b;
        }
    }
    HourDetail {
        total,
        bad,
        used: generation,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const START: f64 = 1_795_000_000.0;

    #[test]
    fn cached_counts_agree_with_direct_integration() {
        let fleet = Fleet::new(9, START);
        let mut counter = Counter::new(&fleet);
        for (from, to) in [
            (START - 300.0, START),
            (START - 3600.0 + 17.3, START + 42.9),
            (START - 86_400.0 * 2.0 - 7.0, START + 3.0 * 3600.0 + 0.5),
        ] {
            for s in [0, 2, 7] {
                let cached = counter.between(&fleet, s, from, to);
                let (total, bad) = fleet.integrate(s, from, to);
                assert!(
                    (cached.total - total).abs() <= 1e-6 * total,
                    "{s} {cached:?} {total}"
                );
                assert!(
                    (cached.bad - bad).abs() <= 1e-6 * bad.max(1.0),
                    "{s} {cached:?} {bad}"
                );
            }
        }
    }

    #[test]
    fn cumulative_never_decreases() {
        let fleet = Fleet::new(2, START);
        let mut counter = Counter::new(&fleet);
        let mut last = (0.0, 0.0);
        // Across coarse and fine history, minute edges, and a ten-second slot boundary.
        let mut t = START - FINE_HOURS as f64 * HOUR - 7200.0;
        while t < START + 7200.0 {
            let c = counter.cumulative(&fleet, 2, t);
            assert!(c.0 >= last.0 && c.1 >= last.1, "decreased at {t}");
            last = c;
            t += 997.3;
        }
        let mut t = START - 5.0;
        last = counter.cumulative(&fleet, 2, t);
        while t < START + 125.0 {
            let c = counter.cumulative(&fleet, 2, t);
            assert!(c.0 >= last.0 && c.1 >= last.1, "decreased at {t}");
            last = c;
            t += 0.7;
        }
    }
}

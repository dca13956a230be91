//! The traffic and error model behind every count the demo reports, built from the roster of
//! services and SLOs.
//!
//! Traffic is a per-service request rate with a daily cycle and per-minute noise. Each SLO has
//! a baseline burn rate with per-minute noise, rare one-minute spikes, and scripted episodes
//! (past incidents that spent budget, a slow burn, and the checkout burn that pages shortly
//! after the demo starts). Every value is a pure function of the seed, the start instant and
//! the minute asked for, so history is recomputed on demand instead of stored.

use std::f64::consts::TAU;

use super::rng::{Series, hash, unit_at};
use super::roster::{
    BURN_END, BURN_FADE, BURN_RATE, CHECKOUT_AVAILABILITY, PAGE_CROSSING, SERVICES, SLOS,
};
use crate::slo::{SliKind, SloSpec, Window, default_tiers};

const MINUTE: f64 = 60.0;
const HOUR: f64 = 3600.0;
const DAY: f64 = 86_400.0;
/// Every demo SLO is measured over 30 days.
const PERIOD: Window = Window::days(30);

/// A period of elevated errors: ramps up over `rise`, holds `burn` from `start` to `end`, then
/// fades out over `fade`. Times are seconds since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Episode {
    /// When full strength is reached.
    pub start: f64,
    /// Seconds of linear ramp before `start`.
    pub rise: f64,
    /// When full strength ends.
    pub end: f64,
    /// Seconds of linear fade after `end`.
    pub fade: f64,
    /// Extra burn rate (multiples of the error budget) at full strength.
    pub burn: f64,
}

impl Episode {
    /// The episode's strength at `t`, 0 to 1.
    pub fn level(&self, t: f64) -> f64 {
        if t <= self.start - self.rise || t >= self.end + self.fade {
            0.0
        } else if t < self.start {
            1.0 - (self.start - t) / self.rise
        } else if t <= self.end {
            1.0
        } else {
            1.0 - (t - self.end) / self.fade
        }
    }

    /// The integral of `level` from the beginning of time to `t`.
    fn area_until(&self, t: f64) -> f64 {
        let up = self.start - self.rise;
        if t <= up {
            0.0
        } else if t < self.start {
            let x = t - up;
            x * x / (2.0 * self.rise)
        } else if t <= self.end {
            self.rise / 2.0 + (t - self.start)
        } else {
            let x = (t - self.end).min(self.fade);
            let fading = if self.fade > 0.0 {
                x - x * x / (2.0 * self.fade)
            } else {
                0.0
            };
            self.rise / 2.0 + (self.end - self.start) + fading
        }
    }

    /// The mean strength over `[a, b]`.
    pub fn mean(&self, a: f64, b: f64) -> f64 {
        if b <= a {
            return self.level(a);
        }
        (self.area_until(b) - self.area_until(a)) / (b - a)
    }
}

/// Coordinates mixed into hashes so every noise series is independent.
mod tag {
    pub const TRAFFIC: u64 = 1;
    pub const ERRORS: u64 = 2;
    pub const SPIKE: u64 = 3;
    pub const EPISODE: u64 = 4;
    pub const SLOT_TOTAL: u64 = 5;
    pub const SLOT_BAD: u64 = 6;
    pub const COARSE: u64 = 7;
    /// The highest tag above.
    pub const LAST: u64 = COARSE;
}

/// One SLO of the fleet with its error model.
#[derive(Debug, Clone)]
pub(super) struct SloModel {
    /// The SLO as the cockpit sees it.
    pub spec: SloSpec,
    /// Index into [`SERVICES`].
    pub service: usize,
    baseline: f64,
    budget: f64,
    episodes: Vec<Episode>,
}

/// Noise series per tag, for every SLO or service index.
type NoiseTable = Vec<[Series; SLOS.len()]>;

/// The whole fleet's model. Immutable once built.
#[derive(Debug, Clone)]
pub(super) struct Fleet {
    seed: u64,
    /// `noise[tag][id]`: the series of (seed, tag, id), hashed once rather than every minute.
    noise: NoiseTable,
    /// The demo's start, seconds since the epoch.
    pub start: f64,
    /// Every SLO, in display order.
    pub slos: Vec<SloModel>,
}

impl Fleet {
    /// The fleet for `seed`, with the checkout burn timed against `start` (epoch seconds).
    pub fn new(seed: u64, start: f64) -> Self {
        let slos = SLOS
            .iter()
            .map(|def| {
                let sli = match def.latency_threshold {
                    Some(threshold_seconds) => SliKind::Latency { threshold_seconds },
                    None => SliKind::Availability,
                };
                let service = SERVICES[def.service].name;
                SloModel {
                    spec: SloSpec::new(service, def.name, def.objective, PERIOD, sli),
                    service: def.service,
                    baseline: def.baseline,
                    budget: 1.0 - def.objective,
                    episodes: def
                        .episodes
                        .iter()
                        .map(|&(from, to, burn)| {
                            let ramp = (0.1 * (to - from)).min(15.0 * MINUTE);
                            Episode {
                                start: start + from,
                                rise: ramp,
                                end: start + to,
                                fade: ramp,
                                burn,
                            }
                        })
                        .collect(),
                }
            })
            .collect();
        let noise = (0..=tag::LAST)
            .map(|tag| std::array::from_fn(|id| Series::new(&[seed, tag, id as u64])))
            .collect();
        let mut fleet = Self {
            seed,
            noise,
            start,
            slos,
        };
        fleet.calibrate_checkout_burn();
        fleet
    }

    /// The checkout burst: started some minutes before the start, timed so the page tier's
    /// 1h window crosses its threshold [`PAGE_CROSSING`] seconds after the start.
    pub fn checkout_burst(&self) -> Option<Episode> {
        self.slos
            .get(CHECKOUT_AVAILABILITY)
            .and_then(|slo| slo.episodes.last().copied())
    }

    /// Picks how long before the start the checkout burst began by bisection on the real
    /// counts, so noise and the daily cycle cannot move the page across the start instant.
    fn calibrate_checkout_burn(&mut self) {
        let burst = |lead: f64, start: f64| Episode {
            start: start - lead,
            rise: 0.0,
            end: start + BURN_END,
            fade: BURN_FADE,
            burn: BURN_RATE,
        };
        let target = self.start + PAGE_CROSSING;
        let page_factor = default_tiers()
            .first()
            .map_or(14.4, |tier| tier.factor(PERIOD));
        let (mut lo, mut hi) = (5.0 * MINUTE, 58.0 * MINUTE);
        let start = self.start;
        let Some(slo) = self.slos.get_mut(CHECKOUT_AVAILABILITY) else {
            return;
        };
        slo.episodes.push(burst(lo, start));
        for _ in 0..48 {
            let mid = (lo + hi) / 2.0;
            if let Some(last) = self.slos[CHECKOUT_AVAILABILITY].episodes.last_mut() {
                *last = burst(mid, start);
            }
            let (total, bad) = self.integrate(CHECKOUT_AVAILABILITY, target - HOUR, target);
            let burn = bad / total / self.slos[CHECKOUT_AVAILABILITY].budget;
            if burn < page_factor {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        if let Some(last) = self.slos[CHECKOUT_AVAILABILITY].episodes.last_mut() {
            *last = burst(hi, start);
        }
    }

    /// The noise series of (seed, `tag`, `id`).
    fn series(&self, tag: u64, id: usize) -> Series {
        self.noise[tag as usize][id]
    }

    /// Requests per second of `service` around `t`, with noise keyed by `key`. `t` is in whole
    /// epoch seconds: the remainder below is then exact in integers, the same value as a float
    /// remainder without libm's `fmod`, which was a tenth of the demo's start-up.
    fn traffic(&self, service: usize, t: i64, key: u64, noise_tag: u64, spread: f64) -> f64 {
        let hour_of_day = t.rem_euclid(DAY as i64) as f64 / HOUR;
        // Busiest mid-afternoon UTC, quietest in the small hours.
        let daily = 1.0 + 0.45 * (TAU * (hour_of_day - 15.0) / 24.0).cos();
        let noise = self.series(noise_tag, service).unit(&[key]);
        SERVICES[service].rps * daily * (1.0 + spread * (2.0 * noise - 1.0))
    }

    /// The error ratio of SLO `s` over `[a, b]`.
    fn ratio(&self, s: usize, a: f64, b: f64, key: u64, coarse: bool) -> f64 {
        let slo = &self.slos[s];
        let coord = |tag: u64| self.series(tag, s).unit(&[key]);
        let noise = if coarse {
            0.85 + 0.3 * coord(tag::COARSE)
        } else {
            0.6 + 0.8 * coord(tag::ERRORS)
        };
        let spike = if !coarse && coord(tag::SPIKE) < 0.015 {
            3.0
        } else {
            0.0
        };
        let episodes: f64 = slo.episodes.iter().map(|e| e.burn * e.mean(a, b)).sum();
        let episode_noise = 0.92 + 0.16 * coord(tag::EPISODE);
        let burn = slo.baseline * noise + spike + episodes * episode_noise;
        (burn * slo.budget).min(1.0)
    }

    /// Total events of `service` in minute `minute` (minutes since the epoch).
    fn minute_total(&self, service: usize, minute: i64) -> f64 {
        self.traffic(service, minute * 60 + 30, minute as u64, tag::TRAFFIC, 0.08) * MINUTE
    }

    /// The share of SLO `s`'s events in minute `minute` that are bad.
    fn minute_ratio(&self, s: usize, minute: i64) -> f64 {
        let t0 = minute as f64 * MINUTE;
        self.ratio(s, t0, t0 + MINUTE, minute as u64, false)
    }

    /// Total and bad events of SLO `s` in minute `minute` (minutes since the epoch).
    pub fn minute_value(&self, s: usize, minute: i64) -> (f64, f64) {
        let total = self.minute_total(self.slos[s].service, minute);
        (total, total * self.minute_ratio(s, minute))
    }

    /// [`Fleet::minute_value`] of every SLO, in SLO order, into `out`. Each service's traffic is
    /// computed once, however many SLOs it has: this is the demo's start-up loop.
    pub fn minute_values(&self, minute: i64, out: &mut Vec<(f64, f64)>) {
        let mut totals = [None; SERVICES.len()];
        out.clear();
        out.extend(self.slos.iter().enumerate().map(|(s, slo)| {
            let total =
                *totals[slo.service].get_or_insert_with(|| self.minute_total(slo.service, minute));
            (total, total * self.minute_ratio(s, minute))
        }));
    }

    /// Total and bad events of SLO `s` in hour `hour` (hours since the epoch), for history
    /// far enough back that minute detail is never asked for.
    pub fn coarse_hour_value(&self, s: usize, hour: i64) -> (f64, f64) {
        let t0 = hour as f64 * HOUR;
        let service = self.slos[s].service;
        let total =
            self.traffic(service, hour * 3600 + 1800, hour as u64, tag::COARSE, 0.03) * HOUR;
        let ratio = self.ratio(s, t0, t0 + HOUR, hour as u64, true);
        (total, total * ratio)
    }

    /// The share of minute `minute`'s (total, bad) events of SLO `s` that happened in its
    /// first `secs` seconds. Each 10-second slot gets its own weight, so counts move in steps
    /// every few seconds rather than in a straight line.
    pub fn minute_fraction(&self, s: usize, minute: i64, secs: f64) -> (f64, f64) {
        if secs <= 0.0 {
            return (0.0, 0.0);
        }
        if secs >= MINUTE {
            return (1.0, 1.0);
        }
        let service = self.slos[s].service;
        let series = |tag: u64, id: usize| {
            let series = self.series(tag, id);
            let weights: [f64; 6] =
                std::array::from_fn(|slot| 0.7 + 0.6 * series.unit(&[minute as u64, slot as u64]));
            let whole = (secs / 10.0).floor() as usize;
            let done: f64 = weights.iter().take(whole).sum();
            let current = weights
                .get(whole)
                .map_or(0.0, |w| w * (secs - 10.0 * whole as f64) / 10.0);
            ((done + current) / weights.iter().sum::<f64>()).clamp(0.0, 1.0)
        };
        (series(tag::SLOT_TOTAL, service), series(tag::SLOT_BAD, s))
    }

    /// Total and bad events of SLO `s` between `from` and `to` (epoch seconds), summed minute
    /// by minute. Used to time the burn; the cached path in `counts` gives the same numbers.
    pub fn integrate(&self, s: usize, from: f64, to: f64) -> (f64, f64) {
        let (mut total, mut bad) = (0.0, 0.0);
        let first = (from / MINUTE).floor() as i64;
        let last = (to / MINUTE).floor() as i64;
        for minute in first..=last {
            let t0 = minute as f64 * MINUTE;
            let (t, b) = self.minute_value(s, minute);
            let (t_hi, b_hi) = self.minute_fraction(s, minute, to - t0);
            let (t_lo, b_lo) = self.minute_fraction(s, minute, from - t0);
            total += t * (t_hi - t_lo);
            bad += b * (b_hi - b_lo);
        }
        (total, bad)
    }

    /// A hash of the seed and coordinates, for other modules that need noise of their own.
    pub fn noise(&self, parts: &[u64]) -> f64 {
        unit_at(&[self.seed, hash(parts)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn episode_mean_matches_its_shape() {
        let e = Episode {
            start: 100.0,
            rise: 20.0,
            end: 200.0,
            fade: 40.0,
            burn: 1.0,
        };
        assert_eq!(e.mean(120.0, 180.0), 1.0);
        assert_eq!(e.mean(0.0, 50.0), 0.0);
        // The ramp up averages one half, as does the fade out.
        assert!((e.mean(80.0, 100.0) - 0.5).abs() < 1e-12);
        assert!((e.mean(200.0, 240.0) - 0.5).abs() < 1e-12);
        assert!((e.level(220.0) - 0.5).abs() < 1e-12);
        assert_eq!(e.level(300.0), 0.0);
    }

    #[test]
    fn minute_fractions_grow_to_one() {
        let fleet = Fleet::new(1, 1_800_000_000.0);
        let mut last = (0.0, 0.0);
        for secs in 0..=60 {
            let f = fleet.minute_fraction(3, 29_000_000, f64::from(secs));
            assert!(f.0 >= last.0 && f.1 >= last.1);
            last = f;
        }
        assert_eq!(last, (1.0, 1.0));
    }

    #[test]
    fn all_slos_at_once_are_each_slo_alone() {
        let fleet = Fleet::new(5, 1_800_000_000.0);
        let mut values = Vec::new();
        for minute in [29_999_000, 30_000_017, 30_001_439] {
            fleet.minute_values(minute, &mut values);
            let alone: Vec<_> = (0..fleet.slos.len())
                .map(|s| fleet.minute_value(s, minute))
                .collect();
            assert_eq!(values, alone);
        }
    }

    #[test]
    fn bad_never_exceeds_total() {
        let fleet = Fleet::new(5, 1_800_000_000.0);
        for s in 0..fleet.slos.len() {
            for minute in 29_999_000..29_999_200 {
                let (total, bad) = fleet.minute_value(s, minute);
                assert!(total > 0.0 && bad >= 0.0 && bad <= total);
            }
        }
    }
}

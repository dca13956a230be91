//! Deterministic randomness for the demo: the splitmix64 mixer, stateless hashing of
//! coordinates (seed, series, minute, …) and a small sequential generator.
//!
//! Everything the demo shows is a pure function of the seed and of time, so the same seed and
//! instants always give the same fleet. Stateless hashing lets any minute of the past be
//! recomputed on demand without replaying the whole history.

/// The golden-ratio increment splitmix64 advances by.
const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// The splitmix64 finaliser: a bijective, well-mixing function of 64 bits.
pub(super) const fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(GOLDEN);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Hashes a list of coordinates into 64 well-mixed bits. Order matters.
pub(super) fn hash(parts: &[u64]) -> u64 {
    parts
        .iter()
        .fold(0x243F_6A88_85A3_08D3, |acc, &part| mix(acc ^ part))
}

/// Maps 64 random bits to a float uniform in `[0, 1)`.
pub(super) fn unit(bits: u64) -> f64 {
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

/// A uniform float in `[0, 1)` for a list of coordinates.
pub(super) fn unit_at(parts: &[u64]) -> f64 {
    unit(hash(parts))
}

/// A noise series: the hash of its fixed coordinates, to which the varying ones are added.
/// `Series::new(&[a, b]).unit(&[c])` is `unit_at(&[a, b, c])`, at a quarter of the cost when
/// the series is reused for every minute of a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Series(u64);

impl Series {
    /// The series whose coordinates start with `parts`.
    pub(super) fn new(parts: &[u64]) -> Self {
        Self(hash(parts))
    }

    /// A uniform float in `[0, 1)` for the series' coordinates followed by `parts`.
    pub(super) fn unit(self, parts: &[u64]) -> f64 {
        unit(parts.iter().fold(self.0, |acc, &part| mix(acc ^ part)))
    }
}

/// A sequential generator (splitmix64) for building one object, such as a trace or an
/// incident, from a single hashed seed.
#[derive(Debug, Clone)]
pub(super) struct Rng(u64);

impl Rng {
    /// A generator whose sequence is fully determined by `seed`.
    pub(super) fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub(super) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN);
        mix(self.0)
    }

    /// A float uniform in `[0, 1)`.
    pub(super) fn unit(&mut self) -> f64 {
        unit(self.next_u64())
    }

    /// A float uniform in `[lo, hi)`.
    pub(super) fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// An integer uniform in `lo..=hi` (`lo` when the range is empty).
    pub(super) fn int(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            return lo;
        }
        lo + self.next_u64() % (hi - lo + 1)
    }

    /// True with probability `p`.
    pub(super) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_series_continues_the_hash_of_its_coordinates() {
        let series = Series::new(&[42, 7, 3]);
        assert_eq!(series.unit(&[1_000_017]), unit_at(&[42, 7, 3, 1_000_017]));
        assert_eq!(series.unit(&[9, 5]), unit_at(&[42, 7, 3, 9, 5]));
    }

    #[test]
    fn same_seed_same_sequence_different_seed_different_sequence() {
        let sequence = |seed| {
            let mut rng = Rng::new(seed);
            (0..8).map(|_| rng.next_u64()).collect::<Vec<_>>()
        };
        let (a, b, c) = (sequence(7), sequence(7), sequence(8));
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn units_stay_in_range_and_spread() {
        let mut rng = Rng::new(42);
        let draws: Vec<f64> = (0..10_000).map(|_| rng.unit()).collect();
        assert!(draws.iter().all(|u| (0.0..1.0).contains(u)));
        let mean = draws.iter().sum::<f64>() / draws.len() as f64;
        assert!((mean - 0.5).abs() < 0.02, "{mean}");
        assert!(draws.iter().any(|&u| u < 0.01) && draws.iter().any(|&u| u > 0.99));
    }

    #[test]
    fn hashing_depends_on_every_coordinate_and_its_order() {
        assert_ne!(hash(&[1, 2]), hash(&[2, 1]));
        assert_ne!(hash(&[1, 2]), hash(&[1, 3]));
        assert_eq!(hash(&[1, 2]), hash(&[1, 2]));
    }

    #[test]
    fn int_covers_its_range() {
        let mut rng = Rng::new(3);
        let mut seen = [false; 4];
        for _ in 0..200 {
            let v = rng.int(2, 5);
            assert!((2..=5).contains(&v));
            seen[(v - 2) as usize] = true;
        }
        assert!(seen.iter().all(|&s| s));
        assert_eq!(rng.int(9, 9), 9);
    }
}

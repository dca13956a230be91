//! SLO model and burn-rate math. Pure: no IO, no clocks; everything here is unit-tested
//! against worked examples.

pub mod calendar;
pub mod math;
pub mod report;
pub mod spec;
pub mod tiers;
pub mod window;

pub use calendar::{Period, Span};
pub use math::{Counts, Exhaustion};
pub use report::{CURRENT_BURN_WINDOW, SloReport, evaluate};
pub use spec::{SliKind, SloSpec};
pub use tiers::{Severity, TierSpec, TierState, default_tiers, tiers_for};
pub use window::{STANDARD_WINDOWS, Window};

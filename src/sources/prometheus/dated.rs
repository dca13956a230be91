//! Periods that depend on the date, resolved at the evaluation instant: a calendar period's
//! SLI and budget cover its start to now (`rate(x[<seconds since the start>s])`), and its
//! tiers' factors use the current period's length; a rolling period in months covers the
//! last that many calendar months. The plan is built once; each refresh with such SLOs
//! works on a copy of it with their windows added.

use chrono::{DateTime, Utc};

use super::plan::QueryPlan;
use crate::slo::Period;

impl QueryPlan {
    /// Whether some SLO's period depends on the date.
    pub fn has_dated(&self) -> bool {
        self.slos.iter().any(|s| s.period.is_some())
    }

    /// The plan at `at`: each dated SLO's spec carries its current period's length (and,
    /// for a calendar period, the elapsed part its budget covers), and its window is queried.
    pub fn at(&self, at: DateTime<Utc>) -> QueryPlan {
        let mut plan = self.clone();
        for slo in &mut plan.slos {
            let Some(period) = &slo.period else {
                continue;
            };
            let bounds = period.bounds(at);
            let budget = bounds.to(at);
            slo.spec.period = bounds.length();
            slo.spec.to_date = matches!(period, Period::Calendar { .. }).then_some(budget);
            if !slo.windows.contains(&budget) {
                slo.windows.push(budget);
                slo.windows.sort();
            }
            for side in [&slo.num, &slo.total].into_iter().flatten() {
                plan.shapes[side.shape].windows.insert(budget);
            }
        }
        plan
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDateTime, TimeZone};

    use super::*;
    use crate::config::{SloConfig, SloSliConfig};
    use crate::slo::Window;

    #[test]
    fn a_calendar_month_queries_from_its_start_and_keeps_its_length() {
        let slo = SloConfig {
            name: "availability".into(),
            service: "checkout".into(),
            objective: 0.999,
            window: Window::days(28),
            period: Some(Period::Calendar {
                span: "1M".parse().unwrap(),
                start: NaiveDateTime::parse_from_str("2024-01-01 00:00:00", "%Y-%m-%d %H:%M:%S")
                    .unwrap(),
                zone: chrono_tz::UTC,
            }),
            source: None,
            sli: SloSliConfig::BadRatio {
                bad: r#"http_requests_total{service="checkout",code=~"5.."}"#.into(),
                total: r#"http_requests_total{service="checkout"}"#.into(),
            },
        };
        let plan = QueryPlan::build(&[slo], &[]);
        assert!(plan.has_dated());
        assert!(!plan.slos[0].windows.contains(&Window::days(28)));
        let at = Utc.with_ymd_and_hms(2025, 2, 10, 6, 0, 0).unwrap();
        let dated = plan.at(at);
        let spec = &dated.slos[0].spec;
        assert_eq!(spec.period, Window::days(28), "February 2025");
        let elapsed = Window::seconds(9 * 86_400 + 6 * 3600);
        assert_eq!(spec.to_date, Some(elapsed));
        assert_eq!(spec.budget_window(), elapsed);
        let hour = dated
            .queries()
            .into_iter()
            .filter(|q| q.window == elapsed)
            .map(|q| q.promql)
            .collect::<Vec<_>>();
        assert_eq!(
            hour,
            [
                r#"sum by (service) (rate(http_requests_total{code=~"5..",service="checkout"}[222h]))"#,
                r#"sum by (service) (rate(http_requests_total{service="checkout"}[222h]))"#,
            ]
        );
    }
}

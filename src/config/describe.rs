//! `Config::describe`: what `ondeck check-config` prints — everything ondeck will use, with
//! where secrets come from but never their values.

use std::fmt::Write;

use crate::inert::line;

use super::duration::format_duration;
use super::model::{Config, SloSliConfig, SourceKind};
use crate::slo::Window;

/// The period the tier factors are shown for, the most common SLO period.
const FACTOR_PERIOD: Window = Window::days(30);

impl Config {
    /// A human summary of the config: sources (kind, refresh, timeout, secret origin), SLOs,
    /// alert tiers with their 30-day burn factors, theme and read-only mode.
    pub fn describe(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail; the results are ignored on purpose.
        let _ = self.write_to(&mut out);
        out
    }

    fn write_to(&self, out: &mut String) -> std::fmt::Result {
        writeln!(
            out,
            "theme:    {}",
            self.theme.as_deref().unwrap_or("dark (default)")
        )?;
        writeln!(out, "user:     {}", line(&self.user))?;
        let readonly = if self.readonly {
            "yes: acknowledge and resolve are disabled"
        } else {
            "no"
        };
        writeln!(out, "readonly: {readonly}")?;
        if self.sources.is_empty() {
            writeln!(out, "sources:  none configured; the built-in demo runs")?;
        } else {
            writeln!(out, "sources:")?;
        }
        for source in &self.sources {
            write!(
                out,
                "  {:<16} {:<12} refresh {}, timeout {}",
                line(&source.name),
                source.kind.as_str(),
                format_duration(source.refresh),
                format_duration(source.timeout),
            )?;
            if source.kind == SourceKind::Demo {
                write!(out, ", seed {}", source.seed)?;
            }
            if let Some(url) = &source.url {
                write!(out, ", url {}", line(url))?;
            }
            if let Some(token) = &source.token {
                write!(out, ", token from {}", token.describe())?;
            }
            if let Some(basic) = &source.http.basic_auth {
                let from = basic.password.describe();
                write!(
                    out,
                    ", basic auth as {} (password from {from})",
                    line(&basic.username)
                )?;
            }
            if !source.http.headers.is_empty() {
                // Names only: a header value may be a credential.
                let names: Vec<&str> = source
                    .http
                    .headers
                    .iter()
                    .map(|(n, _)| n.as_str())
                    .collect();
                write!(out, ", headers {}", line(&names.join(", ")))?;
            }
            if let Some(ca) = &source.http.ca_file {
                write!(out, ", CA {}", line(&ca.display().to_string()))?;
            }
            writeln!(out)?;
        }
        let demo = self.sources.iter().any(|s| s.kind == SourceKind::Demo);
        if self.slos.is_empty() && demo {
            writeln!(out, "slos:     the demo fleet's own")?;
        } else if self.slos.is_empty() {
            writeln!(out, "slos:     none configured")?;
        } else {
            writeln!(out, "slos:")?;
        }
        for slo in &self.slos {
            let (sli, group_by) = slo.sli.ungrouped();
            let mut measure = match sli {
                SloSliConfig::GoodRatio { .. } => "ratio good/total".to_string(),
                SloSliConfig::BadRatio { .. } => "ratio bad/total".to_string(),
                SloSliConfig::ErrorEvents { .. } => "events errors/total".to_string(),
                SloSliConfig::ErrorRatio { .. } => "error ratio query".to_string(),
                SloSliConfig::BoolGauge { metric } => format!("bool gauge {}", line(metric)),
                SloSliConfig::Latency { metric, threshold } => {
                    format!("latency {} < {threshold}s", line(metric))
                }
                SloSliConfig::Grouped { .. } => "grouped".to_string(),
            };
            if !group_by.is_empty() {
                measure.push_str(&format!(", one SLO per {}", line(&group_by.join(", "))));
            }
            let percent = (slo.objective * 1e12).round() / 1e10;
            let period = slo
                .period
                .as_ref()
                .map_or_else(|| slo.window.to_string(), ToString::to_string);
            write!(
                out,
                "  {:<32} {percent}% over {period}, {measure}",
                format!("{}/{}", line(&slo.service), line(&slo.name)),
            )?;
            if let Some(source) = &slo.source {
                write!(out, ", from {}", line(source))?;
            }
            writeln!(out)?;
        }
        writeln!(out, "alert tiers (burn factor for a {FACTOR_PERIOD} SLO):")?;
        for tier in &self.tiers {
            let severity = match tier.severity {
                crate::slo::Severity::Page => "page",
                crate::slo::Severity::Ticket => "ticket",
            };
            let share = (tier.budget_share * 1e8).round() / 1e6;
            let factor = (tier.factor(FACTOR_PERIOD) * 1000.0).round() / 1000.0;
            writeln!(
                out,
                "  {severity:<6} {share}% of budget in {} (confirmed over {}): factor {factor}",
                tier.long_window, tier.short_window,
            )?;
        }
        for (period, tiers) in &self.period_tiers {
            writeln!(out, "alert tiers of {period} SLOs (from AlertWindows):")?;
            for tier in tiers {
                let severity = match tier.severity {
                    crate::slo::Severity::Page => "page",
                    crate::slo::Severity::Ticket => "ticket",
                };
                let share = (tier.budget_share * 1e8).round() / 1e6;
                let factor = (tier.factor(*period) * 1000.0).round() / 1000.0;
                writeln!(
                    out,
                    "  {severity:<6} {share}% of budget in {} (confirmed over {}): factor {factor}",
                    tier.long_window, tier.short_window,
                )?;
            }
        }
        if let Some(keys) = &self.keys {
            let count: usize = keys
                .values()
                .filter_map(|v| v.as_table())
                .map(|t| t.len())
                .sum();
            writeln!(out, "keys:     {count} user binding(s)")?;
        }
        if let Some(overrides) = &self.theme_overrides {
            let roles: Vec<&str> = overrides.keys().map(String::as_str).collect();
            writeln!(out, "theme overrides: {}", roles.join(", "))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::model::SourceConfig;
    use crate::config::secret::SecretRef;

    #[test]
    fn describes_the_demo_with_the_workbook_factors() {
        let text = Config::demo().describe();
        assert!(
            text.contains("  demo             demo         refresh 5s, timeout 10s, seed 42\n"),
            "{text}"
        );
        for line in [
            "page   2% of budget in 1h (confirmed over 5m): factor 14.4",
            "page   5% of budget in 6h (confirmed over 30m): factor 6",
            "ticket 10% of budget in 1d (confirmed over 2h): factor 3",
            "ticket 10% of budget in 3d (confirmed over 6h): factor 1",
        ] {
            assert!(text.contains(line), "missing {line:?} in\n{text}");
        }
    }

    #[test]
    fn names_where_a_token_comes_from_never_the_token() {
        let mut config = Config::demo();
        let mut prom = SourceConfig::demo("prom");
        prom.kind = SourceKind::Prometheus;
        prom.token = Some(SecretRef::Env("PROM_TOKEN".into()));
        config.sources.push(prom);
        let text = config.describe();
        assert!(text.contains("prometheus"), "{text}");
        assert!(text.contains("token from env PROM_TOKEN"), "{text}");
    }
}

//! The config `ondeck init` writes: commented TOML a new user can read top to bottom — what
//! each source is and how it answered, each SLO with why it was proposed and what it measured
//! when checked, the ones that did not work commented out with the reason. Secrets appear
//! only as the names of the variables that hold them.

use std::fmt::Write as _;

use super::discover::{Measure, Proposal};
use super::probe::Probe;

/// A TOML string: quoted and escaped as TOML wants.
fn string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// A TOML literal string for PromQL (no escapes to read), or a basic string when the text
/// holds a `'`.
fn promql(text: &str) -> String {
    if text.contains('\'') || text.contains('\n') {
        string(text)
    } else {
        format!("'{text}'")
    }
}

/// One `[[source]]` as written.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceBlock {
    /// Its name.
    pub name: String,
    /// `prometheus`, `alertmanager`, `pagerduty`.
    pub kind: &'static str,
    /// Its URL.
    pub url: String,
    /// The variable holding its token.
    pub token_env: Option<String>,
    /// PagerDuty's acting user.
    pub from_email: Option<String>,
}

impl SourceBlock {
    /// The block, with `probe`'s finding above it.
    pub fn toml(&self, probe: Option<&Probe>) -> String {
        let mut out = String::new();
        if let Some(probe) = probe {
            let said = if probe.ok { "checked" } else { "NOT working" };
            let _ = writeln!(out, "# {said}: {}", crate::inert::line(&probe.detail));
        }
        let _ = writeln!(out, "[[source]]");
        let _ = writeln!(out, "name = {}", string(&self.name));
        let _ = writeln!(out, "kind = {}", string(self.kind));
        let _ = writeln!(out, "url = {}", string(&self.url));
        if let Some(env) = &self.token_env {
            let _ = writeln!(
                out,
                "# The token is read from this variable when ondeck starts; export it first.\ntoken_env = {}",
                string(env)
            );
        }
        if let Some(email) = &self.from_email {
            let _ = writeln!(out, "from_email = {}", string(email));
        }
        out
    }
}

/// One `[[slo]]` as written, measured by `source`; `outcome` is what checking it found: the
/// numbers it gave, or why it does not work (then the block is commented out).
pub fn slo_toml(proposal: &Proposal, source: &str, outcome: &Result<String, String>) -> String {
    let mut block = String::new();
    let _ = writeln!(block, "[[slo]]");
    let _ = writeln!(block, "service = {}", string(&proposal.service));
    let _ = writeln!(block, "name = {}", string(&proposal.name));
    let _ = writeln!(
        block,
        "objective = {}   # percent of good requests: a starting point to edit",
        proposal.objective
    );
    let _ = writeln!(block, "source = {}", string(source));
    match &proposal.measure {
        Measure::Availability {
            metric,
            service_label,
            status_label,
            errors,
        } => {
            let service = crate::sources::prometheus::selector::quote(&proposal.service);
            let _ = writeln!(
                block,
                "bad = {}",
                promql(&format!(
                    "{metric}{{{service_label}={service},{status_label}{}\"{}\"}}",
                    errors.0, errors.1
                ))
            );
            let _ = writeln!(
                block,
                "total = {}",
                promql(&format!("{metric}{{{service_label}={service}}}"))
            );
        }
        Measure::Latency {
            metric,
            service_label,
            threshold,
        } => {
            let service = crate::sources::prometheus::selector::quote(&proposal.service);
            let _ = writeln!(
                block,
                "metric = {}",
                promql(&format!("{metric}{{{service_label}={service}}}"))
            );
            let _ = writeln!(block, "threshold = {threshold}");
        }
    }
    let mut out = format!("# {}\n", crate::inert::line(&proposal.why));
    match outcome {
        Ok(numbers) => {
            let _ = writeln!(out, "# checked: {}", crate::inert::line(numbers));
            out.push_str(&block);
        }
        Err(why) => {
            let _ = writeln!(
                out,
                "# NOT working, so left out: {}",
                crate::inert::line(why)
            );
            for line in block.lines() {
                let _ = writeln!(out, "#{line}");
            }
        }
    }
    out
}

/// The file's opening comment.
pub fn header(command: &str) -> String {
    format!(
        "# ondeck config written by `{}`.\n\
         # Every option, with its default, is explained in config.example.toml; check this file\n\
         # with `ondeck check-config` after editing it. Objectives below are starting points.\n",
        crate::inert::line(command)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proposal() -> Proposal {
        Proposal {
            service: "checkout".into(),
            name: "latency".into(),
            measure: Measure::Latency {
                metric: "http_request_duration_seconds".into(),
                service_label: "service".into(),
                threshold: 0.25,
            },
            objective: 99.0,
            why: "a histogram".into(),
        }
    }

    /// An SLO that did not measure is written commented out with the reason, so the file
    /// still loads and the user sees what to fix.
    #[test]
    fn an_slo_that_did_not_measure_is_commented_out_with_its_reason() {
        let source =
            "[[source]]\nname = \"prom\"\nkind = \"prometheus\"\nurl = \"http://127.0.0.1:9\"\n";
        let failed = slo_toml(&proposal(), "prom", &Err("no data\nover 30d".into()));
        assert!(failed.contains("# NOT working, so left out: no data"));
        assert!(failed.lines().all(|l| l.starts_with('#')), "{failed}");
        let config =
            crate::config::parse(&format!("{source}\n{failed}"), "x.toml".as_ref()).unwrap();
        assert!(config.slos.is_empty());

        let working = slo_toml(&proposal(), "prom", &Ok("SLI 99.9%".into()));
        let config =
            crate::config::parse(&format!("{source}\n{working}"), "x.toml".as_ref()).unwrap();
        assert_eq!(config.slos.len(), 1);
    }
}

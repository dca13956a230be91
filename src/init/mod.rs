//! `ondeck init`: from the demo to the user's own stack. Probe each backend the user names,
//! find the SLIs their Prometheus already has, check every proposed SLO by measuring it once
//! through the same path the cockpit uses, and write a commented config that parses — with
//! the SLOs that did not measure commented out and the reason beside them.

mod discover;
mod probe;
mod render;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::cli::InitArgs;
use crate::config::{self, Config};
use crate::failure::Failure;
use crate::setup::{self, Overrides};
use crate::sources::Clock;

use discover::{Found, Proposal};
use probe::Probe;
use render::SourceBlock;

/// The name `init` gives the Prometheus source (SLOs name it).
const PROMETHEUS: &str = "prom";

/// What `init` wrote and found, for the summary it prints.
#[derive(Debug)]
pub struct Written {
    /// The file written.
    pub path: PathBuf,
    /// The config's text.
    pub text: String,
    /// One line per backend: how it answered.
    pub probes: Vec<Probe>,
    /// SLOs that measured, and those left out (commented) with why.
    pub working: usize,
    /// SLOs left out, with why.
    pub left_out: Vec<(String, String)>,
    /// Recording rules and other findings worth the user's attention.
    pub notes: Vec<String>,
}

impl Written {
    /// Whether every backend answered.
    pub fn all_answered(&self) -> bool {
        self.probes.iter().all(|p| p.ok)
    }

    /// What the terminal shows after writing: what was found, and what to do next.
    pub fn summary(&self, token_vars: &[String]) -> String {
        let mut out = format!("wrote {}\n", self.path.display());
        for probe in &self.probes {
            let said = if probe.ok { "ok" } else { "NOT working" };
            out.push_str(&format!(
                "  {}: {said}: {}\n",
                crate::inert::line(&probe.source),
                crate::inert::line(&probe.detail)
            ));
        }
        out.push_str(&format!("  {} SLOs measured and written\n", self.working));
        for (id, why) in &self.left_out {
            out.push_str(&format!(
                "  {} left out (commented): {}\n",
                crate::inert::line(id),
                crate::inert::line(why)
            ));
        }
        for note in &self.notes {
            out.push_str(&format!("  note: {}\n", crate::inert::line(note)));
        }
        out.push_str("next:\n");
        for var in token_vars {
            out.push_str(&format!("  export {var}=…   (read when ondeck starts)\n"));
        }
        out.push_str(&format!(
            "  ondeck --config {} check-config\n  ondeck --config {}\n",
            self.path.display(),
            self.path.display()
        ));
        out
    }
}

/// The sources the arguments name, in the order they are written.
fn source_blocks(args: &InitArgs) -> Result<Vec<SourceBlock>, Failure> {
    let mut blocks = Vec::new();
    if let Some(url) = &args.prometheus {
        blocks.push(SourceBlock {
            name: PROMETHEUS.into(),
            kind: "prometheus",
            url: url.clone(),
            token_env: args.prometheus_token_env.clone(),
            from_email: None,
        });
    }
    if let Some(url) = &args.alertmanager {
        blocks.push(SourceBlock {
            name: "alertmanager".into(),
            kind: "alertmanager",
            url: url.clone(),
            token_env: None,
            from_email: None,
        });
    }
    if let Some(env) = &args.pagerduty_token_env {
        let Some(from) = &args.pagerduty_from else {
            return Err(Failure::Usage(
                "--pagerduty-token-env needs --pagerduty-from EMAIL: PagerDuty records \
                 acknowledgements under that user's email"
                    .into(),
            ));
        };
        blocks.push(SourceBlock {
            name: "pagerduty".into(),
            kind: "pagerduty",
            url: args.pagerduty_url.clone(),
            token_env: Some(env.clone()),
            from_email: Some(from.clone()),
        });
    }
    if blocks.is_empty() {
        return Err(Failure::Usage(
            "name at least one backend: ondeck init --prometheus URL [--alertmanager URL] \
             [--pagerduty-token-env NAME --pagerduty-from EMAIL]"
                .into(),
        ));
    }
    Ok(blocks)
}

/// The whole file: header, sources (with what probing found), SLOs (with what measuring
/// found), and the findings that need a person.
fn compose(
    command: &str,
    blocks: &[SourceBlock],
    probes: &[Probe],
    slos: &[(Proposal, Result<String, String>)],
    found: &Found,
) -> String {
    let mut text = render::header(command);
    for block in blocks {
        text.push('\n');
        let probe = probes.iter().find(|p| p.source == block.name);
        text.push_str(&block.toml(probe));
    }
    for note in found.rules.iter().chain(&found.notes) {
        text.push_str(&format!("\n# found: {}", crate::inert::line(note)));
    }
    if !found.rules.is_empty() || !found.notes.is_empty() {
        text.push('\n');
    }
    for (proposal, outcome) in slos {
        text.push('\n');
        text.push_str(&render::slo_toml(proposal, PROMETHEUS, outcome));
    }
    text
}

/// Parses `text` as the config it will be; an error here is ondeck's own mistake.
fn parse(text: &str, path: &Path) -> Result<Config, String> {
    config::parse(text, path).map_err(|e| e.to_string())
}

/// Measures each proposal once, the way the cockpit would: one config holding all of them,
/// polled once at `at`. A proposal the config refuses is measured as that refusal.
async fn measure(
    command: &str,
    blocks: &[SourceBlock],
    proposals: Vec<Proposal>,
    path: &Path,
    at: DateTime<Utc>,
) -> Vec<(Proposal, Result<Measured, String>)> {
    let placeholder = || Ok(String::new());
    let mut accepted = Vec::new();
    let mut results: Vec<(Proposal, Result<Measured, String>)> = Vec::new();
    for proposal in proposals {
        let alone = compose(
            command,
            blocks,
            &[],
            &[(proposal.clone(), placeholder())],
            &Found::default(),
        );
        match parse(&alone, path) {
            Ok(_) => accepted.push((proposal, placeholder())),
            Err(why) => results.push((proposal, Err(why))),
        }
    }
    if accepted.is_empty() {
        return results;
    }
    let text = compose(command, blocks, &[], &accepted, &Found::default());
    let measured = match parse(&text, path) {
        Ok(config) => measure_config(&config, at).await,
        Err(why) => Err(why),
    };
    for (proposal, _) in accepted {
        let id = format!("{}/{}", proposal.service, proposal.name);
        let outcome = match &measured {
            Ok(rows) => rows
                .iter()
                .find(|(row_id, _)| *row_id == id)
                .map(|(_, outcome)| outcome.clone())
                .unwrap_or_else(|| Err("the config dropped it; see check-config".into())),
            Err(why) => Err(why.clone()),
        };
        results.push((proposal, outcome));
    }
    results
}

/// What measuring an SLO once found.
#[derive(Debug, Clone, PartialEq)]
struct Measured {
    /// The SLI over its period (a share, 0–1).
    sli: f64,
    /// The period, as the config writes it.
    period: String,
}

/// Objectives people write, strictest first.
const USUAL_OBJECTIVES: [f64; 8] = [99.99, 99.95, 99.9, 99.5, 99.0, 98.0, 95.0, 90.0];

/// The strictest usual objective the measured SLI meets, so the new cockpit does not open
/// on a budget already spent; the comment says so, and the user tightens it deliberately.
fn objective_met_by(sli: f64) -> Option<f64> {
    USUAL_OBJECTIVES
        .into_iter()
        .find(|objective| sli * 100.0 >= *objective)
}

/// Sets each measured proposal's objective from what it measured, and says so.
fn settle(
    slos: Vec<(Proposal, Result<Measured, String>)>,
) -> Vec<(Proposal, Result<String, String>)> {
    slos.into_iter()
        .map(|(mut proposal, outcome)| {
            let outcome = outcome.map(|m| {
                let sli = format!("SLI {:.3}% over the last {}", m.sli * 100.0, m.period);
                match objective_met_by(m.sli) {
                    Some(objective) => {
                        proposal.objective = objective;
                        format!("{sli}; the objective is the strictest usual one it meets")
                    }
                    None => format!("{sli}, below every usual objective: the budget starts spent"),
                }
            });
            (proposal, outcome)
        })
        .collect()
}

/// Polls `config` once at `at` and says, per SLO id, what it measured or why it could not.
async fn measure_config(
    config: &Config,
    at: DateTime<Utc>,
) -> Result<Vec<(String, Result<Measured, String>)>, String> {
    let overrides = Overrides {
        theme: None,
        readonly: true,
        state_dir: None,
    };
    let app = setup::build(config, &overrides, Clock::Fixed(at)).map_err(|e| e.to_string())?;
    let (state, _) = crate::headless::collect(app).await;
    Ok(state
        .slos
        .iter()
        .filter(|row| row.source == PROMETHEUS)
        .map(|row| {
            let report = &row.report;
            let outcome = if !row.issues.is_empty() {
                Err(row.issues.join("; "))
            } else {
                match report.sli {
                    None => Err(format!(
                        "no data over its {} window: the selector matches no traffic",
                        report.spec.period
                    )),
                    Some(sli) => Ok(Measured {
                        sli,
                        period: report.spec.period.to_string(),
                    }),
                }
            };
            (report.spec.id.clone(), outcome)
        })
        .collect())
}

/// Runs `ondeck init`: probes, discovers, measures and writes. `command` is the command line
/// as typed, for the file's header.
pub async fn run(
    args: &InitArgs,
    path: &Path,
    at: DateTime<Utc>,
    command: &str,
) -> Result<Written, Failure> {
    if path.exists() && !args.force {
        return Err(Failure::Usage(format!(
            "{} exists; pass --force to replace it, or --output PATH to write elsewhere",
            path.display()
        )));
    }
    let blocks = source_blocks(args)?;
    // The sources alone must parse: a URL or variable name that cannot work is refused here.
    let sources = parse(
        &compose(command, &blocks, &[], &[], &Found::default()),
        path,
    )
    .map_err(Failure::Usage)?;
    let probes: Vec<Probe> =
        futures_util::future::join_all(sources.sources.iter().map(probe::probe)).await;
    let mut found = Found::default();
    let prometheus = sources.sources.iter().find(|s| s.name == PROMETHEUS);
    let prometheus_ok = probes.iter().any(|p| p.source == PROMETHEUS && p.ok);
    if let (Some(source), true) = (prometheus, prometheus_ok) {
        match discover::discover(source, at).await {
            Ok(discovered) => found = discovered,
            Err(error) => found
                .notes
                .push(format!("could not look for SLIs in {PROMETHEUS}: {error}")),
        }
    }
    if prometheus.is_some() && found.proposals.is_empty() {
        found.notes.push(
            "no SLIs found: no counter with a status code label or latency histogram carries \
             a service label; write [[slo]] entries by hand (see config.example.toml)"
                .into(),
        );
    }
    let proposals = std::mem::take(&mut found.proposals);
    let slos = settle(measure(command, &blocks, proposals, path, at).await);
    let text = compose(command, &blocks, &probes, &slos, &found);
    parse(&text, path).map_err(|why| {
        Failure::Run(format!(
            "ondeck wrote a config it cannot read ({why}); please report it"
        ))
    })?;
    write_file(path, &text)?;
    Ok(Written {
        path: path.to_path_buf(),
        text,
        probes,
        working: slos.iter().filter(|(_, o)| o.is_ok()).count(),
        left_out: slos
            .into_iter()
            .filter_map(|(p, o)| {
                o.err()
                    .map(|why| (format!("{}/{}", p.service, p.name), why))
            })
            .collect(),
        notes: found.rules.into_iter().chain(found.notes).collect(),
    })
}

/// Writes the file whole or not at all: a temporary file beside it, renamed over it.
fn write_file(path: &Path, text: &str) -> Result<(), Failure> {
    let cannot = |e: std::io::Error| Failure::run(&format!("cannot write {}", path.display()), e);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(cannot)?;
    }
    let temporary = path.with_extension("toml.partial");
    std::fs::write(&temporary, text).map_err(cannot)?;
    std::fs::rename(&temporary, path).map_err(cannot)
}

/// The variables the written config reads tokens from.
pub fn token_vars(args: &InitArgs) -> Vec<String> {
    [&args.prometheus_token_env, &args.pagerduty_token_env]
        .into_iter()
        .flatten()
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_objective_is_the_strictest_usual_one_the_sli_meets() {
        assert_eq!(objective_met_by(0.99995), Some(99.99));
        assert_eq!(objective_met_by(0.998), Some(99.5));
        assert_eq!(objective_met_by(0.999), Some(99.9));
        assert_eq!(objective_met_by(0.5), None);
    }
}

//! What a source reads as changes: change queries on a Prometheus source
//! (`[[source.changes]]`), PagerDuty change events (`change_events = true`), and the settings
//! of the change-only kinds — `grafana` (annotations), `github` (deployments), `argocd`
//! (application history) and `command` (JSON lines from a program). Each field is refused on a
//! kind that does not read it, so a typo'd kind never silently ignores a setting.

use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use super::backend::only_for;
use super::error::{ConfigError, Locator};
use super::file::RawSource;
use super::model::SourceKind;
use crate::model::ChangeKind;

type Checked<T> = Result<T, ConfigError>;

/// GitHub's REST API host.
pub const GITHUB_API: &str = "https://api.github.com";

/// How a change query's answer shows a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detect {
    /// The sample's value is the time of the change in unix seconds (a deploy timestamp
    /// gauge pushed by CI): one change per distinct value.
    Timestamp,
    /// A label's value changes (`*_build_info{version}`): "a → b" when a new value appears.
    Label,
    /// The sample's value changes (`kube_deployment_spec_replicas`): "a → b" when it moves.
    Value,
}

impl Detect {
    fn parse(word: &str) -> Option<Self> {
        match word {
            "timestamp" => Some(Detect::Timestamp),
            "label" => Some(Detect::Label),
            "value" => Some(Detect::Value),
            _ => None,
        }
    }

    /// The word written in the config.
    pub fn as_str(self) -> &'static str {
        match self {
            Detect::Timestamp => "timestamp",
            Detect::Label => "label",
            Detect::Value => "value",
        }
    }
}

/// One `[[source.changes]]` of a Prometheus source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeQuery {
    /// The PromQL, sent as written to `query_range`.
    pub query: String,
    /// How its answer shows a change.
    pub detect: Detect,
    /// The label whose value is the service.
    pub service_label: String,
    /// The label holding the version (`timestamp`: optional; `label`: the label watched).
    pub version_label: Option<String>,
    /// The label naming who made the change, if the series carry one.
    pub author_label: Option<String>,
    /// What kind of change a new value is (a version going back is a rollback whatever this
    /// says).
    pub kind: ChangeKind,
}

/// What a source reads as changes. Empty (the default) for a source that reads none.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChangeOptions {
    /// Prometheus: the change queries.
    pub queries: Vec<ChangeQuery>,
    /// PagerDuty: read change events too.
    pub change_events: bool,
    /// GitHub: `owner/name`.
    pub repo: Option<String>,
    /// GitHub: only deployments to this environment.
    pub environment: Option<String>,
    /// GitHub: the service its deployments change (default: the repository's name).
    pub service: Option<String>,
    /// Grafana: only annotations carrying every one of these tags.
    pub tags: Vec<String>,
    /// Argo CD: only applications of these projects.
    pub projects: Vec<String>,
    /// Grafana: the key of the `key:value` tag naming the service; Argo CD: the application
    /// label naming it (default: the application's name).
    pub service_label: Option<String>,
    /// Command: what `sh -c` runs.
    pub command: Option<String>,
    /// Command: variables of ondeck's environment it gets besides the shell's basics.
    pub env: Vec<String>,
}

impl ChangeOptions {
    /// Whether a source of `kind` with these options has a changes feed.
    pub fn reads_changes(&self, kind: SourceKind) -> bool {
        match kind {
            SourceKind::Demo => true,
            SourceKind::Prometheus => !self.queries.is_empty(),
            SourceKind::Pagerduty => self.change_events,
            SourceKind::Grafana | SourceKind::Github | SourceKind::Argocd | SourceKind::Command => {
                true
            }
            _ => false,
        }
    }
}

/// One `[[source.changes]]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawChangeQuery {
    query: Spanned<String>,
    detect: Spanned<String>,
    service_label: Spanned<String>,
    version_label: Option<Spanned<String>>,
    author_label: Option<Spanned<String>>,
    kind: Option<Spanned<String>>,
}

/// The change fields of one `[[source]]`, taken out of the raw source.
pub(crate) struct RawChangeFields {
    changes: Option<Spanned<Vec<Spanned<RawChangeQuery>>>>,
    change_events: Option<Spanned<bool>>,
    repo: Option<Spanned<String>>,
    environment: Option<Spanned<String>>,
    service: Option<Spanned<String>>,
    tags: Option<Spanned<Vec<String>>>,
    projects: Option<Spanned<Vec<String>>>,
    service_label: Option<Spanned<String>>,
    command: Option<Spanned<String>>,
    env: Option<Spanned<Vec<Spanned<String>>>>,
}

impl RawChangeFields {
    /// Moves the change fields out of `raw`.
    pub(crate) fn take(raw: &mut RawSource) -> Self {
        Self {
            changes: raw.changes.take(),
            change_events: raw.change_events.take(),
            repo: raw.repo.take(),
            environment: raw.environment.take(),
            service: raw.service.take(),
            tags: raw.tags.take(),
            projects: raw.projects.take(),
            service_label: raw.service_label.take(),
            command: raw.command.take(),
            env: raw.env.take(),
        }
    }
}

fn text(value: Spanned<String>, what: &str, at: &Locator<'_>) -> Checked<String> {
    let trimmed = value.get_ref().trim();
    if trimmed.is_empty() {
        return Err(at.at(Some(value.span()), format!("{what} must not be empty")));
    }
    Ok(trimmed.to_string())
}

fn names(
    value: Option<Spanned<Vec<String>>>,
    what: &str,
    at: &Locator<'_>,
) -> Checked<Vec<String>> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    if value.get_ref().iter().any(|v| v.trim().is_empty()) {
        return Err(at.at(
            Some(value.span()),
            format!("{what} must not hold an empty name"),
        ));
    }
    Ok(value.into_inner())
}

/// Checks the change fields of a source of `kind`; `name_span` is where errors about a
/// missing field point, `has_url` whether the source names a URL.
pub(crate) fn validate_changes(
    raw: RawChangeFields,
    kind: SourceKind,
    has_url: bool,
    name_span: Range<usize>,
    at: &Locator<'_>,
) -> Checked<ChangeOptions> {
    use SourceKind::{Argocd, Command, Github, Grafana, Pagerduty, Prometheus};
    only_for(raw.changes.as_ref(), "changes", kind, &[Prometheus], at)?;
    only_for(
        raw.change_events.as_ref(),
        "change_events",
        kind,
        &[Pagerduty],
        at,
    )?;
    only_for(raw.repo.as_ref(), "repo", kind, &[Github], at)?;
    only_for(raw.environment.as_ref(), "environment", kind, &[Github], at)?;
    only_for(raw.service.as_ref(), "service", kind, &[Github], at)?;
    only_for(raw.tags.as_ref(), "tags", kind, &[Grafana], at)?;
    only_for(raw.projects.as_ref(), "projects", kind, &[Argocd], at)?;
    only_for(
        raw.service_label.as_ref(),
        "service_label",
        kind,
        &[Grafana, Argocd],
        at,
    )?;
    only_for(raw.command.as_ref(), "command", kind, &[Command], at)?;
    only_for(raw.env.as_ref(), "env", kind, &[Command], at)?;

    let mut options = ChangeOptions {
        change_events: raw.change_events.is_some_and(|c| c.into_inner()),
        tags: names(raw.tags, "tags", at)?,
        projects: names(raw.projects, "projects", at)?,
        ..ChangeOptions::default()
    };
    if let Some(queries) = raw.changes {
        if queries.get_ref().is_empty() {
            return Err(at.at(
                Some(queries.span()),
                "changes needs at least one query: leave it out to read no changes",
            ));
        }
        for query in queries.into_inner() {
            options.queries.push(change_query(query, at)?);
        }
    }
    if let Some(repo) = raw.repo {
        let span = repo.span();
        let repo = text(repo, "repo", at)?;
        let parts: Vec<&str> = repo.split('/').collect();
        let valid = parts.len() == 2
            && parts.iter().all(|p| {
                !p.is_empty()
                    && p.chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            });
        if !valid {
            return Err(at.at(
                Some(span),
                format!("repo `{repo}` is not owner/name, e.g. \"acme/checkout\""),
            ));
        }
        options.repo = Some(repo);
    }
    options.environment = raw
        .environment
        .map(|e| text(e, "environment", at))
        .transpose()?;
    options.service = raw.service.map(|s| text(s, "service", at)).transpose()?;
    options.service_label = raw
        .service_label
        .map(|s| text(s, "service_label", at))
        .transpose()?;
    options.command = raw.command.map(|c| text(c, "command", at)).transpose()?;
    if let Some(env) = raw.env {
        for name in env.into_inner() {
            let valid = name
                .get_ref()
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && name
                    .get_ref()
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid {
                return Err(at.at(
                    Some(name.span()),
                    format!(
                        "env entry `{}` is not a variable name (letters, digits and _)",
                        name.get_ref()
                    ),
                ));
            }
            options.env.push(name.into_inner());
        }
    }

    let missing = |what: &str| at.at(Some(name_span.clone()), what.to_string());
    match kind {
        Github if options.repo.is_none() => Err(missing(
            "a github source needs repo = \"owner/name\": the repository whose deployments it reads",
        )),
        Command if options.command.is_none() => Err(missing(
            "a command source needs command = \"…\": a program printing one change per line as JSON",
        )),
        Command if has_url => Err(missing(
            "a command source takes no url: the command reaches whatever it reads by itself",
        )),
        _ => Ok(options),
    }
}

fn change_query(raw: Spanned<RawChangeQuery>, at: &Locator<'_>) -> Checked<ChangeQuery> {
    let raw = raw.into_inner();
    let detect_span = raw.detect.span();
    let detect = Detect::parse(raw.detect.get_ref().trim()).ok_or_else(|| {
        at.at(
            Some(detect_span.clone()),
            format!(
                "detect `{}` is not timestamp (the value is when it happened), label (a label \
                 such as version changes) or value (the value changes)",
                raw.detect.get_ref()
            ),
        )
    })?;
    let kind = match raw.kind {
        None => match detect {
            Detect::Value => {
                return Err(at.at(
                    Some(detect_span),
                    "a detect = \"value\" query needs kind = \"scale\", \"config\", \"flag\" or \
                     \"deploy\": what a change of its value is",
                ));
            }
            Detect::Timestamp | Detect::Label => ChangeKind::Deploy,
        },
        Some(kind) => ChangeKind::parse(kind.get_ref().trim()).ok_or_else(|| {
            at.at(
                Some(kind.span()),
                format!(
                    "kind `{}` is not deploy, rollback, config, flag or scale",
                    kind.get_ref()
                ),
            )
        })?,
    };
    let version_label = match (detect, raw.version_label) {
        (Detect::Value, Some(label)) => {
            return Err(at.at(
                Some(label.span()),
                "version_label applies to detect = \"timestamp\" or \"label\": a value query \
                 watches the value itself",
            ));
        }
        (Detect::Label, None) => {
            return Err(at.at(
                Some(detect_span),
                "a detect = \"label\" query needs version_label: the label whose value changes",
            ));
        }
        (_, label) => label.map(|l| text(l, "version_label", at)).transpose()?,
    };
    Ok(ChangeQuery {
        query: text(raw.query, "the query", at)?,
        detect,
        service_label: text(raw.service_label, "service_label", at)?,
        version_label,
        author_label: raw
            .author_label
            .map(|l| text(l, "author_label", at))
            .transpose()?,
        kind,
    })
}

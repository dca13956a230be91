//! Kind-specific source settings: which fields each backend kind reads, their defaults
//! (PagerDuty's and Opsgenie's public API hosts), and the errors for a field on the wrong kind.

use std::ops::Range;

use toml::Spanned;

use super::error::{ConfigError, Locator};
use super::file::RawSource;
use super::model::{IncidentOptions, SourceKind};

type Checked<T> = Result<T, ConfigError>;

/// PagerDuty's REST API host.
pub const PAGERDUTY_API: &str = "https://api.pagerduty.com";
/// Opsgenie's API host for accounts in the US region.
pub const OPSGENIE_US_API: &str = "https://api.opsgenie.com";
/// Opsgenie's API host for accounts in the EU region.
pub const OPSGENIE_EU_API: &str = "https://api.eu.opsgenie.com";

/// The fields of one `[[source]]` that only some kinds read, taken out of the raw source.
pub(crate) struct RawIncidentFields {
    from_email: Option<Spanned<String>>,
    silence_duration: Option<Spanned<super::duration::HumanDuration>>,
    group_by: Option<Spanned<Vec<String>>>,
    services: Option<Spanned<Vec<String>>>,
    teams: Option<Spanned<Vec<String>>>,
    assigned_to_me: Option<Spanned<bool>>,
    schedules: Option<Spanned<Vec<String>>>,
    escalation_policies: Option<Spanned<Vec<String>>>,
    region: Option<Spanned<String>>,
}

impl RawIncidentFields {
    /// Moves the kind-specific fields out of `raw`.
    pub(crate) fn take(raw: &mut RawSource) -> Self {
        Self {
            from_email: raw.from_email.take(),
            silence_duration: raw.silence_duration.take(),
            group_by: raw.group_by.take(),
            services: raw.services.take(),
            teams: raw.teams.take(),
            assigned_to_me: raw.assigned_to_me.take(),
            schedules: raw.schedules.take(),
            escalation_policies: raw.escalation_policies.take(),
            region: raw.region.take(),
        }
    }
}

/// Rejects `field` unless the source's kind is one of `kinds` ("`index` applies only to
/// elasticsearch sources, not loki"). Every kind-specific option of every source is checked
/// here, so the refusal reads the same for all.
pub(crate) fn only_for<T>(
    value: Option<&Spanned<T>>,
    field: &str,
    kind: SourceKind,
    kinds: &[SourceKind],
    at: &Locator<'_>,
) -> Checked<()> {
    match value {
        Some(value) if !kinds.contains(&kind) => {
            let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
            let names = match names.split_last() {
                Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
                _ => names.join(""),
            };
            Err(at.at(
                Some(value.span()),
                format!(
                    "`{field}` applies only to {names} sources, not {}",
                    kind.as_str()
                ),
            ))
        }
        _ => Ok(()),
    }
}

fn list(value: Option<Spanned<Vec<String>>>, what: &str, at: &Locator<'_>) -> Checked<Vec<String>> {
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

/// Checks the kind-specific fields and returns the options plus the URL the kind defaults to
/// when the file gives none (PagerDuty, Opsgenie by `region`). `name_span` is where errors
/// about a missing field point.
pub(crate) fn validate_incident(
    raw: RawIncidentFields,
    kind: SourceKind,
    url: Option<&str>,
    has_token: bool,
    name_span: Range<usize>,
    at: &Locator<'_>,
) -> Checked<(IncidentOptions, Option<String>)> {
    use SourceKind::{Alertmanager, Opsgenie, Pagerduty};
    only_for(
        raw.from_email.as_ref(),
        "from_email",
        kind,
        &[Pagerduty],
        at,
    )?;
    only_for(
        raw.silence_duration.as_ref(),
        "silence_duration",
        kind,
        &[Alertmanager],
        at,
    )?;
    only_for(raw.group_by.as_ref(), "group_by", kind, &[Alertmanager], at)?;
    only_for(raw.services.as_ref(), "services", kind, &[Pagerduty], at)?;
    only_for(raw.teams.as_ref(), "teams", kind, &[Pagerduty], at)?;
    only_for(
        raw.assigned_to_me.as_ref(),
        "assigned_to_me",
        kind,
        &[Pagerduty],
        at,
    )?;
    only_for(
        raw.schedules.as_ref(),
        "schedules",
        kind,
        &[Pagerduty, Opsgenie],
        at,
    )?;
    only_for(
        raw.escalation_policies.as_ref(),
        "escalation_policies",
        kind,
        &[Pagerduty],
        at,
    )?;
    only_for(raw.region.as_ref(), "region", kind, &[Opsgenie], at)?;

    let mut options = IncidentOptions::default();
    if let Some(email) = raw.from_email {
        let text = email.get_ref().trim();
        if !text.contains('@') || text.contains(char::is_whitespace) {
            return Err(at.at(
                Some(email.span()),
                format!("`{text}` is not an email address"),
            ));
        }
        options.from_email = Some(text.to_string());
    }
    if let Some(duration) = raw.silence_duration {
        let value = duration.get_ref().0;
        if value < std::time::Duration::from_secs(60) {
            return Err(at.at(
                Some(duration.span()),
                format!(
                    "silence_duration {} is too short: at least 1m, e.g. 1h",
                    duration.get_ref()
                ),
            ));
        }
        options.silence_duration = value;
    }
    if let Some(group_by) = raw.group_by {
        if group_by.get_ref().is_empty() {
            return Err(at.at(Some(group_by.span()), "group_by needs at least one label"));
        }
        options.group_by = list(Some(group_by), "group_by", at)?;
    }
    options.services = list(raw.services, "services", at)?;
    options.teams = list(raw.teams, "teams", at)?;
    options.schedules = list(raw.schedules, "schedules", at)?;
    options.escalation_policies = list(raw.escalation_policies, "escalation_policies", at)?;
    if let Some(mine) = raw.assigned_to_me {
        if *mine.get_ref() && options.from_email.is_none() {
            return Err(at.at(
                Some(mine.span()),
                "assigned_to_me needs from_email, the address of the user it means",
            ));
        }
        options.assigned_to_me = mine.into_inner();
    }

    let missing = |what: &str| at.at(Some(name_span.clone()), what.to_string());
    let default_url = match kind {
        Pagerduty => {
            if !has_token {
                return Err(missing(
                    "a pagerduty source needs token_env or token_file (a REST API key)",
                ));
            }
            if options.from_email.is_none() {
                return Err(missing(
                    "a pagerduty source needs from_email: PagerDuty requires the acting user's email on every write",
                ));
            }
            url.is_none().then(|| PAGERDUTY_API.to_string())
        }
        Opsgenie => {
            if !has_token {
                return Err(missing(
                    "an opsgenie source needs token_env or token_file (an API key)",
                ));
            }
            let host = match raw.region {
                None => OPSGENIE_US_API,
                Some(region) => match region.get_ref().as_str() {
                    "us" => OPSGENIE_US_API,
                    "eu" => OPSGENIE_EU_API,
                    other => {
                        return Err(at.at(
                            Some(region.span()),
                            format!("region `{other}` is not `us` or `eu`"),
                        ));
                    }
                },
            };
            url.is_none().then(|| host.to_string())
        }
        SourceKind::Demo | SourceKind::Command => None,
        SourceKind::Github => url
            .is_none()
            .then(|| super::changes::GITHUB_API.to_string()),
        _ => {
            if url.is_none() {
                return Err(missing(&format!(
                    "a {} source needs `url`, e.g. {}",
                    kind.as_str(),
                    example_url(kind)
                )));
            }
            None
        }
    };
    Ok((options, default_url))
}

fn example_url(kind: SourceKind) -> &'static str {
    match kind {
        SourceKind::Prometheus => "http://127.0.0.1:9090",
        SourceKind::Alertmanager => "http://127.0.0.1:9093",
        SourceKind::Alerta => "http://127.0.0.1:8080",
        SourceKind::Jaeger => "http://127.0.0.1:16686",
        SourceKind::Tempo => "http://127.0.0.1:3200",
        SourceKind::Loki => "http://127.0.0.1:3100",
        SourceKind::Elasticsearch => "http://127.0.0.1:9200",
        SourceKind::Journal => "http://127.0.0.1:19531",
        SourceKind::Grafana => "http://127.0.0.1:3000",
        SourceKind::Argocd => "https://argocd.example.com",
        _ => "https://…",
    }
}

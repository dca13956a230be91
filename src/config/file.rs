//! The config file as written: serde structs that reject unknown fields and keep the spans of
//! the values validation checks, so errors can point at them.

use serde::Deserialize;
use toml::Spanned;

use super::duration::HumanDuration;
use super::model::SourceKind;
use crate::slo::{Severity, Window};

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawConfig {
    pub(crate) theme: Option<Spanned<String>>,
    pub(crate) user: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) readonly: bool,
    pub(crate) tier: Option<Spanned<Vec<Spanned<RawTier>>>>,
    #[serde(default)]
    pub(crate) source: Vec<Spanned<RawSource>>,
    #[serde(default)]
    pub(crate) slo: Vec<Spanned<RawSlo>>,
    pub(crate) keys: Option<toml::Table>,
    pub(crate) theme_overrides: Option<toml::Table>,
    pub(crate) runbook_dirs: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    pub(crate) post_notes: bool,
    /// https prefixes whose linked runbooks may run.
    pub(crate) runbook_trusted_urls: Option<Vec<Spanned<String>>>,
    /// Variables of ondeck's environment a runbook step gets.
    pub(crate) runbook_env: Option<Vec<Spanned<String>>>,
    /// Mouse capture: click to select, wheel to scroll (off by default).
    #[serde(default)]
    pub(crate) mouse: bool,
    /// ASCII-only drawing; absent means "follow the locale".
    pub(crate) ascii: Option<bool>,
    pub(crate) step_timeout: Option<Spanned<HumanDuration>>,
    /// Sloth, OpenSLO and Pyrra files (paths or globs, relative to this file) to load SLOs
    /// from, each optionally with the source that measures them.
    pub(crate) slo_files: Option<Vec<Spanned<RawSloFile>>>,
}

/// One `slo_files` entry: `"path/or/glob"` or `{ path = "…", source = "…" }`.
#[derive(Debug)]
pub(crate) struct RawSloFile {
    pub(crate) path: String,
    pub(crate) source: Option<String>,
}

impl<'de> Deserialize<'de> for RawSloFile {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Table {
            path: String,
            source: Option<String>,
        }
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = RawSloFile;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a path, or a table { path = \"…\", source = \"…\" }")
            }

            fn visit_str<E: serde::de::Error>(self, path: &str) -> Result<RawSloFile, E> {
                Ok(RawSloFile {
                    path: path.to_string(),
                    source: None,
                })
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<RawSloFile, A::Error> {
                let table = Table::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(RawSloFile {
                    path: table.path,
                    source: table.source,
                })
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// `[[tier]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTier {
    pub(crate) severity: Severity,
    pub(crate) long_window: Window,
    pub(crate) short_window: Spanned<Window>,
    pub(crate) budget_share: Spanned<f64>,
}

/// `[[source]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSource {
    pub(crate) name: Spanned<String>,
    pub(crate) kind: SourceKind,
    pub(crate) refresh: Option<Spanned<HumanDuration>>,
    pub(crate) timeout: Option<Spanned<HumanDuration>>,
    pub(crate) seed: Option<u64>,
    pub(crate) url: Option<Spanned<String>>,
    pub(crate) token_env: Option<Spanned<String>>,
    pub(crate) token_file: Option<Spanned<String>>,
    /// HTTP basic auth user; the password comes from `password_env` or `password_file`.
    pub(crate) username: Option<Spanned<String>>,
    pub(crate) password_env: Option<Spanned<String>>,
    pub(crate) password_file: Option<Spanned<String>>,
    /// Extra headers sent with every request (`X-Scope-OrgID = "tenant"`).
    pub(crate) headers: Option<std::collections::BTreeMap<String, Spanned<String>>>,
    /// PEM file of extra CA certificates.
    pub(crate) ca_file: Option<Spanned<String>>,
    /// `auto` or `never`: read Sloth recording rules when they exist.
    #[serde(default)]
    pub(crate) use_recording_rules: super::model::RecordingRules,
    /// PagerDuty: the acting user's email, sent as `From:` on writes.
    pub(crate) from_email: Option<Spanned<String>>,
    /// Alertmanager: how long an acknowledge silences the alert.
    pub(crate) silence_duration: Option<Spanned<HumanDuration>>,
    /// Alertmanager: the labels alerts are grouped by.
    pub(crate) group_by: Option<Spanned<Vec<String>>>,
    /// PagerDuty: only incidents of these service ids.
    pub(crate) services: Option<Spanned<Vec<String>>>,
    /// PagerDuty: only incidents of these team ids.
    pub(crate) teams: Option<Spanned<Vec<String>>>,
    /// PagerDuty: only incidents assigned to `from_email`'s user.
    pub(crate) assigned_to_me: Option<Spanned<bool>>,
    /// PagerDuty schedule ids / Opsgenie schedule names whose on-call is shown.
    pub(crate) schedules: Option<Spanned<Vec<String>>>,
    /// PagerDuty escalation policy ids whose on-call is shown.
    pub(crate) escalation_policies: Option<Spanned<Vec<String>>>,
    /// Opsgenie: `us` or `eu` API host.
    pub(crate) region: Option<Spanned<String>>,
    /// Loki: the stream selector of a service (`$service` stands for its name).
    pub(crate) selector: Option<Spanned<String>>,
    /// Loki: selectors of single services.
    pub(crate) selectors: Option<std::collections::BTreeMap<String, Spanned<String>>>,
    /// Elasticsearch: the index pattern.
    pub(crate) index: Option<Spanned<String>>,
    /// Elasticsearch: the timestamp field.
    pub(crate) timestamp_field: Option<Spanned<String>>,
    /// Elasticsearch: the service field.
    pub(crate) service_field: Option<Spanned<String>>,
    /// Elasticsearch: the message field.
    pub(crate) message_field: Option<Spanned<String>>,
    /// Loki and Elasticsearch: where the level is.
    pub(crate) level_field: Option<Spanned<String>>,
    /// Log sources: where the trace id is.
    pub(crate) trace_field: Option<Spanned<String>>,
    /// Log sources: what finds a trace id in a line's text.
    pub(crate) trace_regex: Option<Spanned<String>>,
    /// Journal: the field match of a service.
    #[serde(rename = "match")]
    pub(crate) journal_match: Option<Spanned<String>>,
    /// Log sources: lines read at most per query.
    pub(crate) max_lines: Option<Spanned<u64>>,
    /// Log sources: the largest response read.
    pub(crate) max_bytes: Option<Spanned<super::logs::ByteSize>>,
    /// Prometheus: queries whose answers are changes (`[[source.changes]]`).
    pub(crate) changes: Option<Spanned<Vec<Spanned<super::changes::RawChangeQuery>>>>,
    /// PagerDuty: also read change events.
    pub(crate) change_events: Option<Spanned<bool>>,
    /// GitHub: `owner/name`.
    pub(crate) repo: Option<Spanned<String>>,
    /// GitHub: only deployments to this environment.
    pub(crate) environment: Option<Spanned<String>>,
    /// GitHub: the service its deployments change.
    pub(crate) service: Option<Spanned<String>>,
    /// Grafana: only annotations with every one of these tags.
    pub(crate) tags: Option<Spanned<Vec<String>>>,
    /// Argo CD: only applications of these projects.
    pub(crate) projects: Option<Spanned<Vec<String>>>,
    /// Grafana / Argo CD: the tag key or label naming the service.
    pub(crate) service_label: Option<Spanned<String>>,
    /// Command: what `sh -c` runs.
    pub(crate) command: Option<Spanned<String>>,
    /// Command: variables of ondeck's environment it gets.
    pub(crate) env: Option<Spanned<Vec<Spanned<String>>>>,
}

/// `[[slo]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSlo {
    pub(crate) name: Spanned<String>,
    pub(crate) service: Spanned<String>,
    pub(crate) objective: Spanned<f64>,
    pub(crate) window: Option<Spanned<Window>>,
    pub(crate) source: Option<Spanned<String>>,
    /// Ratio SLIs: `good` or `bad`, with `total`.
    pub(crate) good: Option<Spanned<String>>,
    pub(crate) bad: Option<Spanned<String>>,
    pub(crate) total: Option<Spanned<String>>,
    /// Latency SLIs: a histogram `metric` and a `threshold` in seconds.
    pub(crate) metric: Option<Spanned<String>>,
    pub(crate) threshold: Option<Spanned<f64>>,
    /// Labels splitting the SLO into one SLO per label value.
    pub(crate) group_by: Option<Spanned<Vec<Spanned<String>>>>,
}

//! The validated configuration in plain Rust types: what the app reads after loading.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use super::http::HttpOptions;
use super::secret::SecretRef;

use crate::slo::{Period, SliKind, SloSpec, TierSpec, Window, default_tiers};

/// A validated config file.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Built-in theme name (`dark` when absent).
    pub theme: Option<String>,
    /// Who acts: recorded with acknowledgements and in the audit log.
    pub user: String,
    /// Never send acknowledge or resolve.
    pub readonly: bool,
    /// Alert tiers applied to every SLO whose period has none of its own.
    pub tiers: Vec<TierSpec>,
    /// Alert tiers for SLOs of one period, from Sloth `AlertWindows` files.
    pub period_tiers: BTreeMap<Window, Vec<TierSpec>>,
    /// Configured sources. Empty means the app runs the built-in demo.
    pub sources: Vec<SourceConfig>,
    /// SLOs measured by the configured sources.
    pub slos: Vec<SloConfig>,
    /// User key bindings (`[keys.<context>]`), already checked against the default keymap.
    pub keys: Option<toml::Table>,
    /// Theme roles the user restyles (`[theme_overrides]`), already checked.
    pub theme_overrides: Option<toml::Table>,
    /// Directories whose `*.md` runbooks are loaded over the shipped examples.
    pub runbook_dirs: Vec<PathBuf>,
    /// Also add each runbook step's outcome as a note on the incident.
    pub post_notes: bool,
    /// https prefixes (each ending in `/`) whose runbooks, linked by an alert, may run.
    pub runbook_trusted_urls: Vec<String>,
    /// Variables of ondeck's own environment that runbook steps get, besides `PATH`, `HOME`,
    /// `USER`, `LANG`/`LC_*`, `TERM`, `TZ` and `SSH_AUTH_SOCK`.
    pub runbook_env: Vec<String>,
    /// A runbook step's command is killed after this long.
    pub step_timeout: Duration,
    /// Capture the mouse: a click selects, the wheel scrolls. Off by default, so the
    /// terminal's own text selection keeps working.
    pub mouse: bool,
    /// Draw with ASCII only (`Some(true)`), with Unicode (`Some(false)`), or follow the
    /// locale (`None`).
    pub ascii: Option<bool>,
    /// Things the loader skipped or could not honour (SLO files that cannot be read, SLOs
    /// skipped with the reason, fields ondeck does not know), each naming the file,
    /// document and field. The config is usable; `check-config` prints them, the cockpit's
    /// status bar counts them and `snapshot` lists them.
    pub warnings: Vec<String>,
    /// The secrets and files the sources read when they start, with where each is named,
    /// for [`Config::check_run_needs`].
    pub run_needs: Vec<super::needs::RunNeed>,
}

impl Config {
    /// The alert tiers of an SLO with this period.
    pub fn tiers_for(&self, period: Window) -> &[TierSpec] {
        crate::slo::tiers_for(&self.tiers, &self.period_tiers, period)
    }

    /// Every window some alert tier uses, shortest first.
    pub fn tier_windows(&self) -> Vec<Window> {
        let all = self
            .tiers
            .iter()
            .chain(self.period_tiers.values().flatten());
        let windows: std::collections::BTreeSet<Window> =
            all.flat_map(|t| [t.long_window, t.short_window]).collect();
        windows.into_iter().collect()
    }
}

/// One backend ondeck polls.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceConfig {
    /// Unique name, shown in the status bar.
    pub name: String,
    /// Which backend.
    pub kind: SourceKind,
    /// Time between polls.
    pub refresh: Duration,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Seed of the demo fleet, so two runs show the same story.
    pub seed: u64,
    /// Base URL of the backend's API.
    pub url: Option<String>,
    /// Where the API token comes from.
    pub token: Option<SecretRef>,
    /// Basic auth, extra headers and a private CA.
    pub http: HttpOptions,
    /// Whether a Prometheus source reads Sloth recording rules instead of raw queries.
    pub recording_rules: RecordingRules,
    /// Settings of incident backends (Alertmanager, PagerDuty, Opsgenie).
    pub incident: IncidentOptions,
    /// Settings of log backends (Loki, Elasticsearch, the journal, the demo).
    pub logs: super::logs::LogOptions,
    /// What the source reads as changes (deploys, config changes, …), if anything.
    pub changes: super::changes::ChangeOptions,
}

/// What incident backends read beyond URL and token. Validation rejects each field on a
/// source kind that does not use it, so a typo'd kind never silently ignores a setting.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentOptions {
    /// PagerDuty: the acting user's email, sent as `From:` on every write.
    pub from_email: Option<String>,
    /// Alertmanager: how long the silence an acknowledge creates lasts (default 1h).
    pub silence_duration: Duration,
    /// Alertmanager: the labels alerts are grouped into one incident by
    /// (default `alertname`, `service`).
    pub group_by: Vec<String>,
    /// PagerDuty: only incidents of these service ids (all when empty).
    pub services: Vec<String>,
    /// PagerDuty: only incidents of these team ids (all when empty).
    pub teams: Vec<String>,
    /// PagerDuty: only incidents assigned to the user `from_email` names.
    pub assigned_to_me: bool,
    /// PagerDuty schedule ids / Opsgenie schedule names whose on-call is shown.
    pub schedules: Vec<String>,
    /// PagerDuty escalation policy ids whose on-call is shown.
    pub escalation_policies: Vec<String>,
}

/// How long an Alertmanager acknowledge silences an alert when the file does not say.
pub const DEFAULT_SILENCE: Duration = Duration::from_secs(3600);

impl Default for IncidentOptions {
    fn default() -> Self {
        Self {
            from_email: None,
            silence_duration: DEFAULT_SILENCE,
            group_by: vec!["alertname".to_string(), "service".to_string()],
            services: Vec::new(),
            teams: Vec::new(),
            assigned_to_me: false,
            schedules: Vec::new(),
            escalation_policies: Vec::new(),
        }
    }
}

/// `use_recording_rules`: whether SLO windows come from Sloth's recording rules
/// (`slo:sli_error:ratio_rate<w>{sloth_service, sloth_slo}`) when the backend has them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RecordingRules {
    /// Probe for rules once per refresh and use them for the SLOs and windows they cover.
    #[default]
    Auto,
    /// Always send the raw queries.
    Never,
}

/// The backends ondeck knows by name. The app decides which ones it can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// The built-in simulated fleet.
    Demo,
    /// Prometheus (SLO counts, service trends).
    Prometheus,
    /// Prometheus Alertmanager (alerts as incidents).
    Alertmanager,
    /// Alerta (alerts as incidents).
    Alerta,
    /// PagerDuty (incidents).
    Pagerduty,
    /// Opsgenie (alerts as incidents).
    Opsgenie,
    /// Jaeger (traces).
    Jaeger,
    /// Grafana Tempo (traces).
    Tempo,
    /// Grafana Loki (logs).
    Loki,
    /// Elasticsearch or OpenSearch (logs).
    Elasticsearch,
    /// The systemd journal through systemd-journal-gatewayd (logs).
    Journal,
    /// Grafana annotations (changes).
    Grafana,
    /// GitHub Deployments (changes).
    Github,
    /// Argo CD application history (changes).
    Argocd,
    /// A command printing changes as JSON lines.
    Command,
}

/// One SLO as configured.
#[derive(Debug, Clone, PartialEq)]
pub struct SloConfig {
    /// Name within its service, e.g. `availability`.
    pub name: String,
    /// The service it belongs to.
    pub service: String,
    /// Target share of good events as a fraction: `99.9` in the file is `0.999` here.
    pub objective: f64,
    /// Compliance period the error budget is measured over; for a `period` that depends on
    /// the date, its shortest length.
    pub window: Window,
    /// A period whose bounds depend on the date (calendar-aligned, or rolling months),
    /// resolved at each evaluation; `None` for a rolling `window`.
    pub period: Option<Period>,
    /// The source that measures it: set for every SLO of a loaded config.
    pub source: Option<String>,
    /// How good and bad events are counted.
    pub sli: SloSliConfig,
}

/// How an SLO's events are counted, as queries for its source.
#[derive(Debug, Clone, PartialEq)]
pub enum SloSliConfig {
    /// `good / total`.
    GoodRatio {
        /// Query counting good events.
        good: String,
        /// Query counting all events.
        total: String,
    },
    /// `1 - bad / total`.
    BadRatio {
        /// Query counting bad events.
        bad: String,
        /// Query counting all events.
        total: String,
    },
    /// Requests faster than `threshold` seconds, from a histogram.
    Latency {
        /// Histogram metric name.
        metric: String,
        /// Latency bound in seconds a good request stays under.
        threshold: f64,
    },
    /// Sloth `sli.events`: whole PromQL queries for the rate of errors and of all events,
    /// with [`WINDOW_PLACEHOLDER`] where the window goes. Sent as written, once per window.
    ErrorEvents {
        /// Rate of bad events over `{{.window}}`.
        errors: String,
        /// Rate of all events over `{{.window}}`.
        total: String,
    },
    /// A 0/1 gauge (Pyrra `bool_gauge`, e.g. `probe_success`): the good share over a window
    /// is `sum_over_time / count_over_time` of its samples.
    BoolGauge {
        /// The gauge's selector.
        metric: String,
    },
    /// Sloth `sli.raw`: one PromQL query for the error ratio over [`WINDOW_PLACEHOLDER`].
    ErrorRatio {
        /// Share of bad events over `{{.window}}`, between 0 and 1.
        ratio: String,
    },
    /// `group_by`: the SLI `sli` counted separately per value of `labels`, so one definition
    /// yields one SLO per label value seen (`checkout/availability{route="/cart"}`).
    ///
    /// A wrapper rather than a field of [`SloConfig`] so code that builds SLOs without
    /// grouping is unchanged.
    Grouped {
        /// The label names, in the order written.
        labels: Vec<String>,
        /// How events are counted within each group; never itself `Grouped`.
        sli: Box<SloSliConfig>,
    },
}

/// Where a templated query (Sloth's Go template syntax) takes its window, e.g. `5m`.
pub const WINDOW_PLACEHOLDER: &str = "{{.window}}";

/// Demo defaults: a lively fleet every 5 seconds.
pub(crate) const DEMO_REFRESH: Duration = Duration::from_secs(5);
/// Real backends are polled less often, to stay inside their rate limits.
pub(crate) const REMOTE_REFRESH: Duration = Duration::from_secs(30);
/// Change-only sources are polled once a minute.
pub(crate) const CHANGES_REFRESH: Duration = Duration::from_secs(60);
/// Per-request timeout for every kind.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// The demo's default seed.
pub(crate) const DEMO_SEED: u64 = 42;
/// SLO period when none is written.
pub(crate) const DEFAULT_WINDOW: Window = Window::days(30);

impl Config {
    /// What ondeck runs without a config file: one demo source named `demo`, the default
    /// tiers and no configured SLOs (the demo brings its own).
    pub fn demo() -> Self {
        Self {
            sources: vec![SourceConfig::demo("demo")],
            ..Self::empty()
        }
    }

    /// An empty file: no sources, default tiers.
    pub(crate) fn empty() -> Self {
        Self {
            theme: None,
            user: default_user(),
            readonly: false,
            tiers: default_tiers(),
            period_tiers: BTreeMap::new(),
            sources: Vec::new(),
            slos: Vec::new(),
            keys: None,
            theme_overrides: None,
            runbook_dirs: default_runbook_dirs(),
            post_notes: false,
            runbook_trusted_urls: Vec::new(),
            runbook_env: Vec::new(),
            step_timeout: DEFAULT_STEP_TIMEOUT,
            mouse: false,
            ascii: None,
            warnings: Vec::new(),
            run_needs: Vec::new(),
        }
    }
}

/// How long a runbook step may run when the file does not say.
pub(crate) const DEFAULT_STEP_TIMEOUT: Duration = Duration::from_secs(300);

/// `~/.config/ondeck/runbooks` (the XDG config dir), when there is a home directory.
pub(crate) fn default_runbook_dirs() -> Vec<PathBuf> {
    directories::ProjectDirs::from("", "", "ondeck")
        .map(|d| vec![d.config_dir().join("runbooks")])
        .unwrap_or_default()
}

/// `$USER`, else `ondeck`.
pub(crate) fn default_user() -> String {
    std::env::var("USER")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| "ondeck".to_string())
}

impl SourceConfig {
    /// A demo source with the default seed, refresh and timeout.
    pub fn demo(name: &str) -> Self {
        Self {
            name: name.to_string(),
            kind: SourceKind::Demo,
            refresh: DEMO_REFRESH,
            timeout: DEFAULT_TIMEOUT,
            seed: DEMO_SEED,
            url: None,
            token: None,
            http: HttpOptions::default(),
            recording_rules: RecordingRules::Auto,
            incident: IncidentOptions::default(),
            logs: super::logs::LogOptions::defaults_for(SourceKind::Demo),
            changes: Default::default(),
        }
    }
}

impl SourceKind {
    /// Every kind, in the order the docs list them.
    pub const ALL: [SourceKind; 15] = [
        SourceKind::Demo,
        SourceKind::Prometheus,
        SourceKind::Alertmanager,
        SourceKind::Alerta,
        SourceKind::Pagerduty,
        SourceKind::Opsgenie,
        SourceKind::Jaeger,
        SourceKind::Tempo,
        SourceKind::Loki,
        SourceKind::Elasticsearch,
        SourceKind::Journal,
        SourceKind::Grafana,
        SourceKind::Github,
        SourceKind::Argocd,
        SourceKind::Command,
    ];

    /// The name written in the config file.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Demo => "demo",
            SourceKind::Prometheus => "prometheus",
            SourceKind::Alertmanager => "alertmanager",
            SourceKind::Alerta => "alerta",
            SourceKind::Pagerduty => "pagerduty",
            SourceKind::Opsgenie => "opsgenie",
            SourceKind::Jaeger => "jaeger",
            SourceKind::Tempo => "tempo",
            SourceKind::Loki => "loki",
            SourceKind::Elasticsearch => "elasticsearch",
            SourceKind::Journal => "journal",
            SourceKind::Grafana => "grafana",
            SourceKind::Github => "github",
            SourceKind::Argocd => "argocd",
            SourceKind::Command => "command",
        }
    }

    /// The refresh interval used when the file gives none.
    pub fn default_refresh(self) -> Duration {
        match self {
            // A log source is polled only while its panel follows, and a follow that lags
            // by half a minute is no follow.
            SourceKind::Demo
            | SourceKind::Loki
            | SourceKind::Elasticsearch
            | SourceKind::Journal => DEMO_REFRESH,
            // Change history moves slowly and costs a window of reads (GitHub's statuses
            // are one request per deployment), so change-only sources poll less often.
            SourceKind::Grafana | SourceKind::Github | SourceKind::Argocd | SourceKind::Command => {
                CHANGES_REFRESH
            }
            _ => REMOTE_REFRESH,
        }
    }
}

impl SloSliConfig {
    /// The indicator kind the SLO math and the panes show.
    pub fn kind(&self) -> SliKind {
        match self {
            SloSliConfig::GoodRatio { .. }
            | SloSliConfig::BadRatio { .. }
            | SloSliConfig::ErrorEvents { .. }
            | SloSliConfig::BoolGauge { .. }
            | SloSliConfig::ErrorRatio { .. } => SliKind::Availability,
            SloSliConfig::Latency { threshold, .. } => SliKind::Latency {
                threshold_seconds: *threshold,
            },
            SloSliConfig::Grouped { sli, .. } => sli.kind(),
        }
    }

    /// The SLI without its grouping, and the labels it is grouped by (empty when it is not).
    pub fn ungrouped(&self) -> (&SloSliConfig, &[String]) {
        match self {
            SloSliConfig::Grouped { labels, sli } => (sli.as_ref(), labels.as_slice()),
            other => (other, &[]),
        }
    }
}

impl SloConfig {
    /// The SLO as the math module sees it; its id is `service/name`.
    pub fn spec(&self) -> SloSpec {
        SloSpec::new(
            &self.service,
            &self.name,
            self.objective,
            self.window,
            self.sli.kind(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_config_is_one_demo_source_with_the_documented_defaults() {
        let config = Config::demo();
        assert_eq!(config.sources.len(), 1);
        let demo = &config.sources[0];
        assert_eq!(demo.name, "demo");
        assert_eq!(demo.kind, SourceKind::Demo);
        assert_eq!(
            (demo.seed, demo.refresh, demo.timeout),
            (42, Duration::from_secs(5), Duration::from_secs(10))
        );
        assert_eq!(config.tiers, default_tiers());
        assert!(config.slos.is_empty());
        assert!(!config.user.is_empty());
    }

    #[test]
    fn latency_slos_keep_their_threshold_for_the_math() {
        let slo = SloConfig {
            name: "latency".into(),
            service: "checkout".into(),
            objective: 0.99,
            window: DEFAULT_WINDOW,
            period: None,
            source: None,
            sli: SloSliConfig::Latency {
                metric: "http_request_duration_seconds".into(),
                threshold: 0.3,
            },
        };
        let spec = slo.spec();
        assert_eq!(spec.id, "checkout/latency");
        assert_eq!(
            spec.sli,
            SliKind::Latency {
                threshold_seconds: 0.3
            }
        );
    }
}

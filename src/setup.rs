//! Turns a validated config and the command line into a ready [`App`]: theme, keymap,
//! backends and the initial state with every source feed registered.

use crate::app::App;
use crate::config::{Config, Keymap, SourceConfig, SourceKind, Theme, select_theme};
use crate::failure::Failure;
use crate::sources::alerta::AlertaSource;
use crate::sources::alertmanager::AlertmanagerSource;
use crate::sources::jaeger::JaegerSource;
use crate::sources::opsgenie::OpsgenieSource;
use crate::sources::pagerduty::PagerdutySource;
use crate::sources::prometheus::PrometheusSource;
use crate::sources::tempo::TempoSource;
use crate::sources::{
    Backends, Clock, Feed, IncidentBackend, MetricsBackend, SourceError, SourceMeta, TraceBackend,
    Unstarted,
};
use crate::state::{SourceStatus, State};

/// What the command line adds to the config.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--theme`.
    pub theme: Option<String>,
    /// `--readonly`.
    pub readonly: bool,
    /// Where the outbox and audit log live (the XDG state dir); `None` keeps the outbox in a
    /// per-process temporary directory and writes no audit log (tests, headless runs).
    pub state_dir: Option<std::path::PathBuf>,
}

fn meta(source: &SourceConfig) -> SourceMeta {
    SourceMeta {
        name: source.name.clone(),
        kind: source.kind.as_str().to_string(),
        refresh: source.refresh,
        timeout: source.timeout,
        url: source.url.clone(),
    }
}

/// Builds every configured backend. A config without sources gets the demo, so a new user
/// always sees a living cockpit. A source that cannot be set up (its token variable unset,
/// its token or CA file unreadable) is registered as [`Unstarted`] under its name: it shows
/// as failed, saying why, and every other source runs.
pub fn backends(config: &Config, clock: Clock) -> Backends {
    let mut backends = Backends::default();
    let fallback;
    let sources = if config.sources.is_empty() {
        fallback = Config::demo().sources;
        &fallback
    } else {
        &config.sources
    };
    for source in sources {
        if let Err(error) = add(&mut backends, source, config, clock) {
            tracing::warn!(source = %source.name, %error, "source not started");
            let unstarted = Unstarted::new(&error);
            match source.kind {
                // The demo cannot fail to start; a Prometheus source feeds metrics.
                SourceKind::Demo | SourceKind::Prometheus => backends
                    .metrics
                    .push((meta(source), MetricsBackend::Unstarted(unstarted))),
                SourceKind::Alertmanager
                | SourceKind::Alerta
                | SourceKind::Pagerduty
                | SourceKind::Opsgenie => backends
                    .incidents
                    .push((meta(source), IncidentBackend::Unstarted(unstarted))),
                SourceKind::Jaeger | SourceKind::Tempo => backends
                    .traces
                    .push((meta(source), TraceBackend::Unstarted(unstarted))),
            }
        }
    }
    backends
}

/// Builds one source's backend and registers it under each feed it provides.
fn add(
    backends: &mut Backends,
    source: &SourceConfig,
    config: &Config,
    clock: Clock,
) -> Result<(), SourceError> {
    let meta = meta(source);
    match source.kind {
        SourceKind::Demo => backends.add_demo(meta, source.seed, clock),
        SourceKind::Prometheus => {
            let windows = config.tier_windows();
            let slos = crate::sources::prometheus::slos_for(source, config);
            let prom = PrometheusSource::with_windows(source, slos, &windows)?;
            backends
                .metrics
                .push((meta, MetricsBackend::Prometheus(prom)));
        }
        SourceKind::Alertmanager => {
            let mut am = AlertmanagerSource::new(source, &config.user)?;
            // Alertmanager forgets resolved alerts; the Prometheus beside it remembers.
            let prometheus = config
                .sources
                .iter()
                .find(|s| s.kind == SourceKind::Prometheus);
            if let Some(prom) = prometheus {
                am = am.with_history_from(prom);
            }
            backends
                .incidents
                .push((meta, IncidentBackend::Alertmanager(am)));
        }
        SourceKind::Alerta => {
            let alerta = AlertaSource::new(source, &config.user)?;
            backends
                .incidents
                .push((meta, IncidentBackend::Alerta(alerta)));
        }
        SourceKind::Pagerduty => {
            let pd = PagerdutySource::new(source, &config.user)?;
            backends
                .incidents
                .push((meta, IncidentBackend::Pagerduty(pd)));
        }
        SourceKind::Opsgenie => {
            let og = OpsgenieSource::new(source, &config.user)?;
            backends
                .incidents
                .push((meta, IncidentBackend::Opsgenie(og)));
        }
        SourceKind::Jaeger => {
            let jaeger = JaegerSource::new(source)?;
            backends.traces.push((meta, TraceBackend::Jaeger(jaeger)));
        }
        SourceKind::Tempo => {
            let tempo = TempoSource::new(source)?;
            backends.traces.push((meta, TraceBackend::Tempo(tempo)));
        }
    }
    Ok(())
}

/// The state before any data arrives: every feed registered as loading.
pub fn initial_state(config: &Config, backends: &Backends, clock: Clock, readonly: bool) -> State {
    let mut state = State::new(clock.now(), config.tiers.clone());
    state.period_tiers = config.period_tiers.clone();
    state.config_warnings = config.warnings.clone();
    state.readonly = readonly || config.readonly;
    state.debug.no_tracing = backends.traces.is_empty();
    for source in &config.sources {
        if source.kind == SourceKind::Alertmanager {
            let duration = source.incident.silence_duration;
            state
                .silence_durations
                .insert(source.name.clone(), duration);
        }
    }
    let feeds = backends
        .metrics
        .iter()
        .map(|(m, _)| (m, Feed::Metrics))
        .chain(backends.incidents.iter().map(|(m, _)| (m, Feed::Incidents)));
    for (meta, feed) in feeds {
        state.sources.push(SourceStatus::new(
            &meta.name,
            &meta.kind,
            feed,
            meta.refresh,
        ));
    }
    state
}

/// Builds the app from a validated config. Fails only for what no source can work around:
/// a theme or key binding that cannot be used (exit 2), or an outbox that cannot be opened.
/// The theme (`--theme` over the config's, honouring `NO_COLOR`) and keymap a run uses, or
/// why they cannot be used.
pub fn resolve_look(config: &Config, theme: Option<&str>) -> Result<(Theme, Keymap), Failure> {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let theme = select_theme(
        theme.or(config.theme.as_deref()),
        config.theme_overrides.as_ref(),
        no_color,
    )
    .map_err(|e| Failure::Usage(format!("theme: {e}")))?;
    let mut keymap = Keymap::defaults();
    if let Some(keys) = &config.keys {
        keymap
            .merge_table(keys)
            .map_err(|e| Failure::Usage(format!("keys: {e}")))?;
    }
    Ok((theme, keymap))
}

pub fn build(config: &Config, overrides: &Overrides, clock: Clock) -> Result<App, Failure> {
    let (theme, keymap) = resolve_look(config, overrides.theme.as_deref())?;
    let backends = backends(config, clock);
    if let Some(dir) = &overrides.state_dir {
        backends.keep_demo_actions_in(dir);
    }
    let mut state = initial_state(config, &backends, clock, overrides.readonly);
    let outbox = crate::outbox::cockpit::open(
        overrides.state_dir.as_deref(),
        &backends,
        clock,
        &config.user,
    )
    .map_err(|e| Failure::run("cannot open the outbox in the state directory", e))?;
    for warning in &outbox.warnings {
        tracing::warn!(%warning, "outbox line skipped");
    }
    // The help's length is fixed by the keymap; update uses it to bound help scrolling.
    state.help_len = crate::ui::overlays::help::help_lines(&keymap, &theme).len();
    Ok(App {
        state,
        keymap,
        theme,
        backends,
        clock,
        outbox,
    })
}

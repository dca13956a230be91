//! Opening a runbook: for the selected incident or alert, by id from the command line,
//! or fetched from the URL an alert links.

use super::*;

/// `b`: opens the runbook of the selected incident (on-call pane or its detail) or of the
/// selected firing alert (through the open incident on its service when there is one).
pub(in crate::update) fn open(state: &mut State) -> Vec<Command> {
    let on_incidents =
        matches!(state.overlay, None | Some(Overlay::Detail)) && state.pane == Pane::Oncall;
    if !on_incidents {
        return vec![];
    }
    let target = match state.oncall_focus {
        OncallFocus::Incidents => state
            .selected_incident()
            .map(|i| (IncidentContext::of(i), i.runbook.clone())),
        OncallFocus::Alerts => alert_target(state),
    };
    let Some((context, reference)) = target else {
        flash(
            state,
            FlashKind::Info,
            "nothing selected to open a runbook for".into(),
        );
        return vec![];
    };
    if let Some(path) = reference.as_deref().filter(|r| is_local_path(r))
        && state.runbook.library.get(path).is_none()
    {
        state.runbook.pending_open = Some(context);
        return vec![Command::Runbook(RunbookCommand::LoadRunbook {
            path: PathBuf::from(path),
            trusted_dirs: state.runbook.settings.dirs.clone(),
        })];
    }
    let library = state.runbook.library.clone();
    let found = reference
        .as_deref()
        .and_then(|r| library.get(r))
        .map(|r| (r, Found::Named))
        .or_else(|| best_for(&library, &context));
    match found {
        Some((runbook, how)) => {
            let mut reason = match how {
                Found::Named => "named by the incident".to_string(),
                Found::Matched(n) => format!("matched {n} label rule(s)"),
            };
            let link = reference.filter(|r| is_url(r));
            if let Some(url) = &link {
                reason = format!("{reason}; the alert links {url}");
            }
            let commands = show(state, runbook.clone(), Some(context), reason);
            if let Some(view) = state.runbook.view.as_mut() {
                view.link = link;
            }
            commands
        }
        None if reference.as_deref().is_some_and(is_url) => {
            let url = reference.unwrap_or_default();
            flash(state, FlashKind::Info, format!("fetching {url}…"));
            state.runbook.pending_fetch = Some(PendingFetch {
                url: url.clone(),
                incident: Some(context),
            });
            vec![Command::Runbook(RunbookCommand::FetchRunbook { url })]
        }
        None => {
            let text = match reference {
                Some(r) => format!(
                    "no runbook `{r}` for {}, and no match rule fits",
                    context.id
                ),
                None => format!("no runbook matches {}", context.id),
            };
            flash(state, FlashKind::Info, text);
            vec![]
        }
    }
}

pub(super) fn best_for<'a>(
    library: &'a Library,
    context: &IncidentContext,
) -> Option<(&'a Runbook, Found)> {
    let mut labels = context.labels.clone();
    labels
        .entry("service".into())
        .or_insert_with(|| context.service.clone());
    library.best_match(&labels)
}

/// A firing alert's incident: the open page on its service, else the SLO itself as context.
pub(super) fn alert_target(state: &State) -> Option<(IncidentContext, Option<String>)> {
    let alerts = state.firing_alerts();
    let alert = alerts.get(state.selected_alert)?;
    let spec = &alert.slo.report.spec;
    if let Some(incident) = state
        .open_incidents()
        .into_iter()
        .find(|i| i.service == spec.service)
    {
        return Some((IncidentContext::of(incident), incident.runbook.clone()));
    }
    let alertname = match spec.sli {
        SliKind::Availability => "HighErrorRate",
        SliKind::Latency { .. } => "HighLatency",
    };
    let labels = [
        ("alertname", alertname.to_string()),
        ("service", spec.service.clone()),
        ("slo", spec.name.clone()),
        (
            "severity",
            format!("{:?}", alert.tier.spec.severity).to_lowercase(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let context = IncidentContext {
        source: alert.slo.source.clone(),
        id: spec.id.clone(),
        title: format!("{} burning its budget", spec.id),
        service: spec.service.clone(),
        labels,
    };
    Some((context, None))
}

/// `:runbook <id>`: opens any runbook by id, for the incident in front of the responder (the
/// open view's, else the one selected on the on-call pane) or for none.
pub(in crate::update) fn open_by_id(state: &mut State, id: &str) -> Vec<Command> {
    if state
        .runbook
        .view
        .as_ref()
        .is_some_and(|v| v.running.is_some())
    {
        let text = "a step is running: wait for it or ctrl-c it first".to_string();
        flash(state, FlashKind::Error, text);
        return vec![];
    }
    let Some(runbook) = state.runbook.library.get(id).cloned() else {
        flash(
            state,
            FlashKind::Error,
            format!("no runbook with id `{id}`"),
        );
        return vec![];
    };
    let context = match &state.runbook.view {
        Some(view) => view.incident.clone(),
        None if state.pane == Pane::Oncall
            && state.oncall_focus == OncallFocus::Incidents
            && matches!(state.overlay, None | Some(Overlay::Detail)) =>
        {
            state.selected_incident().map(IncidentContext::of)
        }
        None => None,
    };
    let reason = match &context {
        Some(_) => "opened with :runbook".to_string(),
        None => "opened with :runbook, for no incident".to_string(),
    };
    show(state, runbook, context, reason)
}

/// Shows `runbook` for `context` and asks for its saved progress. Without an incident nothing
/// is saved: there is no incident to resume it for.
pub(super) fn show(
    state: &mut State,
    runbook: Runbook,
    context: Option<IncidentContext>,
    reason: String,
) -> Vec<Command> {
    let progress_path = state
        .runbook
        .settings
        .state_dir
        .as_ref()
        .zip(context.as_ref())
        .map(|(dir, c)| progress::path(dir, &c.source, &c.id, &runbook.id));
    state.overlay = None;
    state.runbook.view = Some(RunbookView {
        progress: Progress::new(&runbook.id, runbook.steps.len(), state.now),
        runbook,
        incident: context,
        reason,
        progress_path: progress_path.clone(),
        confirm: None,
        running: None,
        scroll: 0,
        link: None,
    });
    progress_path
        .map(|path| vec![Command::Runbook(RunbookCommand::LoadProgress { path })])
        .unwrap_or_default()
}

/// `f`: fetches the runbook the alert links, to show in place of the local one.
pub(super) fn fetch_link(state: &mut State) -> Vec<Command> {
    let Some(view) = &state.runbook.view else {
        return vec![];
    };
    let Some(url) = view.link.clone() else {
        let text = "this runbook was not linked by an http(s) URL: nothing to fetch".to_string();
        flash(state, FlashKind::Info, text);
        return vec![];
    };
    if view.running.is_some() {
        let text = "a step is running: wait for it or ctrl-c it first".to_string();
        flash(state, FlashKind::Error, text);
        return vec![];
    }
    state.runbook.pending_fetch = Some(PendingFetch {
        url: url.clone(),
        incident: view.incident.clone(),
    });
    flash(state, FlashKind::Info, format!("fetching {url}…"));
    vec![Command::Runbook(RunbookCommand::FetchRunbook { url })]
}

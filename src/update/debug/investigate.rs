//! Pointing the debug pane at a service: `t` on an SLO or incident (searching the traces of
//! its trouble), Enter on an SLO, `:trace` and `:promql`, the trends' range, and the
//! refresh of the trace lists while the pane is in view (and only then).

use chrono::Duration;

use crate::command::Command;
use crate::model::{TraceKind, TraceSearch};
use crate::slo::Window;
use crate::sources::explore::ExploreCommand;
use crate::state::{
    DebugFocus, DebugState, FlashKind, Investigation, Load, OncallFocus, Overlay, Pane, QueryView,
    State, TrendRange,
};

use super::super::navigate::{TRACES_PER_LIST, fetch_trace};
use super::super::respond::flash;

/// Seconds between refreshes of the trace lists while the debug pane is in view.
pub const TRACE_REFRESH_SECS: i64 = 30;
/// How far before an incident's start its traces are searched.
pub const INCIDENT_LEAD_MINUTES: i64 = 15;

/// `t`: the debug pane on the selected SLO's or incident's service, its traces searched over
/// the incident's time (from 15 minutes before it opened) or the SLO's last hour.
pub(in crate::update) fn trace_service(state: &mut State) -> Vec<Command> {
    if state.overlay.is_some() {
        return vec![];
    }
    let hour_ago = state.now - Duration::hours(1);
    let target = match state.pane {
        Pane::Executive => state.selected_slo_row().map(|row| {
            let label = format!("SLO {}", row.report.spec.id);
            (row.report.spec.service.clone(), label, hour_ago)
        }),
        Pane::Oncall => match state.oncall_focus {
            OncallFocus::Incidents => state.selected_incident().map(|i| {
                let since = i.created_at - Duration::minutes(INCIDENT_LEAD_MINUTES);
                (i.service.clone(), format!("incident {}", i.id), since)
            }),
            OncallFocus::Alerts => state.firing_alerts().get(state.selected_alert).map(|a| {
                let spec = &a.slo.report.spec;
                (spec.service.clone(), format!("SLO {}", spec.id), hour_ago)
            }),
        },
        Pane::Debug => None,
    };
    let Some((service, label, since)) = target else {
        return vec![];
    };
    if service.is_empty() {
        flash(state, FlashKind::Info, format!("{label} names no service"));
        return vec![];
    }
    state.pane = Pane::Debug;
    state.debug = DebugState {
        service: Some(service),
        investigation: Some(Investigation { label, since }),
        range: state.debug.range,
        ..DebugState::default()
    };
    start(state)
}

/// Enter on an SLO or alert: the debug pane on that service. A service already in view keeps
/// its selection and is searched again.
pub(in crate::update) fn open_service(state: &mut State, service: String) -> Vec<Command> {
    if state.debug.service.as_deref() == Some(service.as_str()) {
        return search_traces(state);
    }
    state.debug = DebugState {
        service: Some(service),
        range: state.debug.range,
        ..DebugState::default()
    };
    start(state)
}

/// Everything a newly shown service needs: traces, exemplars, the service graph, and the
/// trends when the range is not the polled hour.
fn start(state: &mut State) -> Vec<Command> {
    let mut commands = search_traces(state);
    state.debug.dependencies = Load::Loading;
    commands.push(Command::Explore(ExploreCommand::Dependencies));
    commands.extend(fetch_trends(state));
    commands
}

/// Searches slow and failing traces and exemplars of the service in view over its search
/// window. Lists already shown stay on screen until the new answers arrive.
pub(in crate::update) fn search_traces(state: &mut State) -> Vec<Command> {
    let Some(service) = state.debug.service.clone() else {
        return vec![];
    };
    let (from, to) = state.debug.search_window(state.now);
    let debug = &mut state.debug;
    for list in [&mut debug.slow, &mut debug.errors] {
        if list.ready().is_none() {
            *list = Load::Loading;
        }
    }
    if debug.exemplars.ready().is_none() {
        debug.exemplars = Load::Loading;
    }
    debug.searched_at = Some(state.now);
    let mut commands: Vec<Command> = [TraceKind::Slow, TraceKind::Errors]
        .into_iter()
        .map(|kind| {
            let mut search = TraceSearch::new(&service, kind, TRACES_PER_LIST);
            search.range = Some((from, to));
            Command::SearchTraces(search)
        })
        .collect();
    commands.push(Command::Explore(ExploreCommand::Exemplars {
        service,
        start: from,
        end: to,
    }));
    commands
}

/// The 1 Hz tick: refreshes the trace lists every [`TRACE_REFRESH_SECS`] while the debug
/// pane is on screen, so a pane nobody looks at costs nothing.
pub(in crate::update) fn tick(state: &mut State) -> Vec<Command> {
    let in_view =
        state.pane == Pane::Debug && state.runbook.view.is_none() && state.debug.service.is_some();
    let searching = matches!(state.debug.slow, Load::Loading);
    let due = state
        .debug
        .searched_at
        .is_none_or(|at| state.now - at >= Duration::seconds(TRACE_REFRESH_SECS));
    if in_view && due && !searching {
        search_traces(state)
    } else {
        vec![]
    }
}

fn fetch_trends(state: &mut State) -> Vec<Command> {
    let Some(service) = state.debug.service.clone() else {
        return vec![];
    };
    let range = state.debug.range;
    if range.is_polled() {
        state.debug.trends = Load::Idle;
        return vec![];
    }
    state.debug.trends = Load::Loading;
    state.debug.trends_at = Some(state.now);
    vec![Command::Explore(ExploreCommand::Trends {
        service,
        range: range.window(),
    })]
}

/// `[` / `]`: the trends' range.
pub(in crate::update) fn set_range(state: &mut State, range: TrendRange) -> Vec<Command> {
    if state.pane != Pane::Debug || state.overlay.is_some() || range == state.debug.range {
        return vec![];
    }
    state.debug.range = range;
    fetch_trends(state)
}

/// `:trace <id>`: the debug pane with that trace's waterfall.
pub(in crate::update) fn open_trace(state: &mut State, trace_id: String) -> Vec<Command> {
    state.pane = Pane::Debug;
    state.overlay = None;
    state.debug.focus = DebugFocus::Waterfall;
    fetch_trace(&mut state.debug, trace_id)
}

/// `:promql [range <window>] <expr>`: asks the first metrics source and shows the answer
/// over the pane.
pub(in crate::update) fn run_promql(
    state: &mut State,
    expr: String,
    range: Option<Window>,
) -> Vec<Command> {
    state.debug.query = Some(QueryView::asked(&expr, range, state.now));
    state.overlay = Some(Overlay::Query);
    vec![Command::Explore(ExploreCommand::Promql { expr, range })]
}

//! Key text generated from the live keymap, for the hint bar, dialogs and help.

use crate::action::Action;
use crate::config::{Binding, Keymap};
use crate::state::{Pane, State};

/// Every key bound to one action.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyGroup {
    /// The keys as keymap files write them, shortest first.
    pub keys: Vec<String>,
    /// The action they trigger.
    pub action: Action,
}

/// The order help and hints list actions in: pane work first, then moving, then leaving.
const ACTION_ORDER: [Action; 22] = [
    Action::Acknowledge,
    Action::Resolve,
    Action::Confirm,
    Action::Cancel,
    Action::Open,
    Action::Back,
    Action::NextFocus,
    Action::Up,
    Action::Down,
    Action::PageUp,
    Action::PageDown,
    Action::Top,
    Action::Bottom,
    Action::NextPane,
    Action::PrevPane,
    Action::ShowExecutive,
    Action::ShowOncall,
    Action::ShowDebug,
    Action::RefreshNow,
    Action::ToggleHelp,
    Action::Quit,
    Action::Suspend,
];

/// Bindings merged by action, in a fixed action order. Within a group the shortest key comes
/// first (`q/ctrl-c`), so the first key is the one worth a hint.
pub fn grouped(bindings: &[Binding]) -> Vec<KeyGroup> {
    let mut groups: Vec<(Action, Vec<String>)> = Vec::new();
    for binding in bindings {
        let key = binding.key.to_string();
        match groups
            .iter_mut()
            .find(|(action, _)| *action == binding.action)
        {
            Some((_, keys)) => keys.push(key),
            None => groups.push((binding.action.clone(), vec![key])),
        }
    }
    // Keymap files are tables with no reliable order, so list actions in a fixed, logical one.
    groups.sort_by_key(|(action, _)| {
        ACTION_ORDER
            .iter()
            .position(|a| a == action)
            .unwrap_or(usize::MAX)
    });
    groups
        .into_iter()
        .map(|(action, mut keys)| {
            keys.sort_by(|a, b| a.chars().count().cmp(&b.chars().count()).then(a.cmp(b)));
            KeyGroup { keys, action }
        })
        .collect()
}

/// The keymap context that receives keys right now (see [`State::key_contexts`]).
pub fn active_context(state: &State) -> &'static str {
    state.key_contexts().first().copied().unwrap_or("global")
}

impl KeyGroup {
    /// The keys joined by "/": `j/down`.
    pub fn joined(&self) -> String {
        self.keys.join("/")
    }
}

/// Global actions worth a hint on every pane, most useful first.
const GLOBAL_HINTS: [Action; 5] = [
    Action::Open,
    Action::ToggleHelp,
    Action::Quit,
    Action::NextPane,
    Action::RefreshNow,
];

/// Whether `action`, bound in `context`, does something in what is on screen now: a hint
/// for a key that would do nothing is a lie about the screen. A context shared by several
/// views (the detail overlay shows an incident on the on-call pane and a span's attributes
/// on the debug pane) binds keys only some of them act on.
fn acts_here(state: &State, context: &str, action: &Action) -> bool {
    let alertmanager = state.sources.iter().any(|s| s.kind == "alertmanager");
    match action {
        // Detail over the debug or executive pane shows no incident.
        Action::Acknowledge
        | Action::Resolve
        | Action::Unacknowledge
        | Action::OpenRunbook
        | Action::EditNote => context != "detail" || state.pane == Pane::Oncall,
        // `f` fetches only when the alert links its runbook by URL.
        Action::FetchRunbook => state
            .runbook
            .view
            .as_ref()
            .is_some_and(|v| v.link.is_some()),
        // s makes Alertmanager silences: no hint where no source has them.
        Action::Silence => alertmanager,
        // e and x act on the selected silence: only in the silences view.
        Action::ExtendSilence | Action::ExpireSilence => state.show_silences && alertmanager,
        // Folding works on the span waterfall only.
        Action::ToggleCollapse | Action::Collapse | Action::Expand => {
            state.debug.focus == crate::state::DebugFocus::Waterfall
        }
        // `F` and `/` work on an open logs panel.
        Action::FollowLogs | Action::FilterLogs => state.logs.open,
        // In the debug pane `t` opens the trace of a log line.
        Action::TraceService if context == "debug" => {
            state.debug.focus == crate::state::DebugFocus::Logs
        }
        _ => true,
    }
}

/// Hints for the status bar as (key, description): the active context's own bindings first
/// (first key of each action), then a few global ones when no overlay is open.
pub fn hints(state: &State, keymap: &Keymap) -> Vec<(String, &'static str)> {
    let first_key = |g: &KeyGroup| g.keys.first().cloned().unwrap_or_default();
    // The silence dialog reads every key itself and draws its own hints.
    if matches!(state.overlay, Some(crate::state::Overlay::Silence(_))) {
        return Vec::new();
    }
    let context = active_context(state);
    let mut out: Vec<(String, &'static str)> = grouped(keymap.bindings(context))
        .iter()
        .filter(|g| acts_here(state, context, &g.action))
        .map(|g| (first_key(g), g.action.description()))
        .collect();
    if state.overlay.is_none() {
        let globals = grouped(keymap.bindings("global"));
        for wanted in &GLOBAL_HINTS {
            if let Some(group) = globals.iter().find(|g| &g.action == wanted) {
                out.push((first_key(group), wanted.description()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slo::default_tiers;
    use crate::state::Overlay;
    use chrono::{TimeZone, Utc};

    #[test]
    fn keys_of_one_action_are_listed_together() {
        let keymap = Keymap::defaults();
        let global = grouped(keymap.bindings("global"));
        let quit = global.iter().find(|g| g.action == Action::Quit);
        assert_eq!(quit.map(|g| g.joined()), Some("q/ctrl-c".to_string()));
        let down = global.iter().find(|g| g.action == Action::Down);
        assert_eq!(down.map(|g| g.joined()), Some("j/down".to_string()));
    }

    #[test]
    fn hints_follow_a_user_rebinding() {
        let mut keymap = Keymap::defaults();
        keymap.merge_toml("[oncall]\na = \"resolve\"\n").ok();
        let mut state = State::new(Utc.timestamp_opt(0, 0).unwrap(), default_tiers());
        state.pane = crate::state::Pane::Oncall;
        let hints = hints(&state, &keymap);
        assert_eq!(hints[0], ("a".to_string(), "resolve"));
        assert!(hints.iter().all(|(_, d)| *d != "acknowledge"));
        assert!(hints.iter().any(|(k, d)| k == "?" && *d == "help"));
        state.overlay = Some(Overlay::Help);
        let in_help = super::hints(&state, &keymap);
        assert!(in_help.iter().all(|(_, d)| *d != "quit"));
    }

    /// The span-attributes overlay (detail on the debug pane) hints only keys that act on a
    /// span; the same overlay over an incident hints the incident's keys.
    #[test]
    fn the_span_overlay_hints_no_incident_keys() {
        let keymap = Keymap::defaults();
        let mut state = State::new(Utc.timestamp_opt(0, 0).unwrap(), default_tiers());
        state.overlay = Some(Overlay::Detail);
        state.pane = crate::state::Pane::Debug;
        let span: Vec<&str> = hints(&state, &keymap).iter().map(|(_, d)| *d).collect();
        for incident_only in ["acknowledge", "resolve", "un-acknowledge", "runbook"] {
            assert!(
                !span.contains(&incident_only),
                "{incident_only} in {span:?}"
            );
        }
        assert!(span.contains(&"back") && span.contains(&"copy"), "{span:?}");
        state.pane = crate::state::Pane::Oncall;
        let incident: Vec<&str> = hints(&state, &keymap).iter().map(|(_, d)| *d).collect();
        for key in ["acknowledge", "resolve", "un-acknowledge", "runbook"] {
            assert!(incident.contains(&key), "{key} missing from {incident:?}");
        }
    }
}

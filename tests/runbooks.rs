//! Runbooks end to end: the shipped runbooks and malformed ones through the parser, steps
//! executed for real (output, exit codes, a timeout that kills a whole process group, label
//! values that must stay inert), progress that survives a restart, a headless flow from an
//! incident to the audit log and the demo's note, and snapshots of the runbook view.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::{mpsc, oneshot};

use ondeck::action::Action;
use ondeck::app::action_for_key;
use ondeck::command::{Command, RunbookCommand};
use ondeck::config::{Keymap, Theme};
use ondeck::runbook::exec::{self, ExecSpec, ExitStatus, Stream};
use ondeck::runbook::progress::StepState;
use ondeck::runbook::{Library, check_dir, parse};
use ondeck::sources::IncidentBackend;
use ondeck::state::Pane;
use ondeck::ui::{UiContext, render};
use ondeck::update::update;

#[path = "support/headless.rs"]
mod headless;

use headless::Headless;

fn fixture(name: &str) -> (String, String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/runbooks")
        .join(name);
    (
        path.display().to_string(),
        std::fs::read_to_string(&path).unwrap(),
    )
}

/// A fresh directory under the system temp dir, unique to this process and test.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ondeck-runbooks-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

// ── Parser ─────────────────────────────────────────────────────────────────────────────

#[test]
fn the_shipped_runbooks_parse_and_cover_every_demo_runbook_id() {
    let library = Library::embedded();
    assert!(library.errors.is_empty(), "{:?}", library.errors);
    for id in [
        "high-error-rate",
        "latency-burn",
        "disk-full",
        "cert-expiry",
        "dependency-outage",
    ] {
        let runbook = library.get(id).unwrap_or_else(|| panic!("{id} ships"));
        assert!(runbook.steps.len() >= 3, "{id} has real steps");
        assert!(
            runbook.steps.iter().any(|s| s.command().is_some()),
            "{id} has a command to run"
        );
        assert!(
            !runbook.matchers.is_empty(),
            "{id} can be matched by labels"
        );
    }
    let (lines, ok) = check_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/runbooks"));
    assert!(ok, "{lines:?}");
    assert_eq!(lines.len(), 5);
}

#[test]
fn sections_are_steps_and_only_shell_blocks_execute() {
    let library = Library::embedded();
    let disk = library.get("disk-full").unwrap();
    assert_eq!(disk.title, "Disk filling up");
    assert_eq!(disk.steps[0].title, "See how full each filesystem is");
    let block = disk.steps[0].command().unwrap();
    assert_eq!((block.lang.as_str(), block.code.as_str()), ("sh", "df -h"));
    assert_eq!(block.line, 16, "the opening fence's line in the file");
    assert!(disk.steps[3].command().is_none(), "prose-only step");
}

#[test]
fn a_yaml_runbook_with_a_numbered_list_has_one_step_per_item() {
    let (path, text) = fixture("list_steps.md");
    let runbook = parse(&path, &text).unwrap();
    assert_eq!(runbook.id, "queue-backlog");
    assert_eq!(runbook.title, "Queue backlog");
    assert_eq!(runbook.matchers.len(), 2);
    let titles: Vec<_> = runbook.steps.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Check the queue depth",
            "Scale the consumers",
            "Watch it drain"
        ]
    );
    let block = runbook.steps[0].command().unwrap();
    assert_eq!(block.lang, "bash");
    assert_eq!(block.code, "echo \"depth for $ONDECK_SERVICE\"");
    assert_eq!(runbook.intro, "Steps are the top-level numbered list.");
}

#[test]
fn malformed_runbooks_fail_with_file_line_and_reason() {
    let cases = [
        (
            "bad_front_matter.md",
            ":4: matcher `service checkout` needs an operator after `service`: =, !=, =~ or !~",
        ),
        (
            "no_steps.md",
            ":5: no steps: add `## ` sections or a top-level numbered list",
        ),
        (
            "unterminated_fence.md",
            ":10: unterminated code fence opened at line 10",
        ),
        ("missing_id.md", ":1: front matter: id is missing"),
    ];
    for (name, expected) in cases {
        let (path, text) = fixture(name);
        let error = parse(&path, &text).unwrap_err();
        assert_eq!(error.to_string(), format!("{path}{expected}"), "{name}");
    }
    let (lines, ok) =
        check_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/runbooks"));
    assert!(!ok);
    assert!(
        lines
            .iter()
            .any(|l| l.ends_with("list_steps.md: ok (queue-backlog, 3 steps, 1 executable)")),
        "{lines:?}"
    );
    assert_eq!(lines.len(), 5);
}

// ── Execution ──────────────────────────────────────────────────────────────────────────

fn spec(code: &str, timeout: Duration) -> ExecSpec {
    ExecSpec {
        code: code.to_string(),
        shell: "sh".to_string(),
        env: Vec::new(),
        pass: Vec::new(),
        timeout,
    }
}

/// Runs `spec` to the end; returns its lines and how it ended.
async fn run(spec: &ExecSpec) -> (Vec<(Stream, String)>, ExitStatus, Duration) {
    let (tx, mut rx) = mpsc::channel(16);
    let (_cancel_tx, cancel_rx) = oneshot::channel();
    let collect = async {
        let mut lines = Vec::new();
        while let Some(line) = rx.recv().await {
            lines.push(line);
        }
        lines
    };
    let (finished, lines) = tokio::join!(exec::run(spec, tx, cancel_rx), collect);
    (lines, finished.status, finished.duration)
}

#[tokio::test]
async fn output_is_captured_line_by_line_from_both_pipes_with_the_exit_code() {
    let (lines, status, _) = run(&spec(
        "echo one; echo two >&2; for i in 1 2 3; do echo \"n$i\"; done; exit 3",
        Duration::from_secs(10),
    ))
    .await;
    assert_eq!(status, ExitStatus::Code(3));
    assert!(lines.contains(&(Stream::Stderr, "two".to_string())));
    let stdout: Vec<_> = lines
        .iter()
        .filter(|(s, _)| *s == Stream::Stdout)
        .map(|(_, l)| l.as_str())
        .collect();
    assert_eq!(stdout, ["one", "n1", "n2", "n3"]);
    let (_, ok, _) = run(&spec("true", Duration::from_secs(10))).await;
    assert!(ok.success());
}

fn process_gone(pid: i32) -> bool {
    // A zombie waiting for init to reap it is gone for the responder's purposes.
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('Z')),
    }
}

#[tokio::test]
async fn a_timeout_kills_the_whole_group_even_a_child_that_ignores_sigterm() {
    let code = "sh -c 'trap \"\" TERM; echo $$; exec sleep 60' & wait";
    let (lines, status, duration) = run(&spec(code, Duration::from_millis(500))).await;
    assert_eq!(status, ExitStatus::TimedOut);
    let pid: i32 = lines[0]
        .1
        .trim()
        .parse()
        .expect("the child printed its pid");
    // Gone after SIGTERM was ignored: the SIGKILL followed within the grace period.
    let deadline = std::time::Instant::now() + Duration::from_secs(2);
    while !process_gone(pid) && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(process_gone(pid), "child {pid} survived");
    assert!(duration >= Duration::from_millis(500) + exec::KILL_GRACE - Duration::from_millis(100));
    assert!(duration < Duration::from_secs(10));
}

#[tokio::test]
async fn a_cancel_stops_the_step_at_once() {
    let (tx, mut rx) = mpsc::channel(16);
    let (cancel_tx, cancel_rx) = oneshot::channel();
    let job = spec("echo started; sleep 60", Duration::from_secs(60));
    let task = tokio::spawn(async move { exec::run(&job, tx, cancel_rx).await });
    assert_eq!(rx.recv().await.map(|l| l.1), Some("started".to_string()));
    cancel_tx.send(()).unwrap();
    let finished = task.await.unwrap();
    assert_eq!(finished.status, ExitStatus::Cancelled);
    assert!(
        finished.duration < Duration::from_secs(5),
        "sleep obeys SIGTERM"
    );
}

#[tokio::test]
async fn quitting_mid_step_leaves_no_process_of_its_group_behind() {
    // Quitting drops the step's task (runtime shutdown); the group must die with it, not just
    // the shell.
    let (tx, mut rx) = mpsc::channel(16);
    let (_cancel_tx, cancel_rx) = oneshot::channel();
    let job = spec(
        "sh -c 'echo $$; exec sleep 60' & wait",
        Duration::from_secs(60),
    );
    let task = tokio::spawn(async move { exec::run(&job, tx, cancel_rx).await });
    let pid: i32 = rx
        .recv()
        .await
        .expect("a pid line")
        .1
        .trim()
        .parse()
        .unwrap();
    task.abort();
    assert!(task.await.unwrap_err().is_cancelled());
    let deadline = std::time::Instant::now() + Duration::from_secs(2);
    while !process_gone(pid) && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(process_gone(pid), "grandchild {pid} outlived the quit");
}

#[tokio::test]
async fn label_values_reach_the_command_as_inert_data() {
    let marker = std::env::temp_dir().join(format!("pwned-{}", std::process::id()));
    let _ = std::fs::remove_file(&marker);
    let evil = format!("$(touch {}); rm -rf ~", marker.display());
    let incident = ondeck::runbook::env::IncidentContext {
        source: "demo".into(),
        id: "DEMO-1".into(),
        title: "`touch /tmp/x`".into(),
        service: "checkout".into(),
        labels: [("evil label".to_string(), evil.clone())].into(),
    };
    let mut job = spec(
        "printf '%s\\n' \"$ONDECK_LABEL_EVIL_LABEL\"; echo $ONDECK_LABEL_EVIL_LABEL",
        Duration::from_secs(10),
    );
    job.env = incident.env();
    // Belt and braces: were the value ever evaluated, `~` would be a scratch directory.
    let home = temp_dir("fake-home");
    job.env.push(("HOME".into(), home.display().to_string()));
    let (lines, status, _) = run(&job).await;
    assert!(status.success());
    assert_eq!(lines[0].1, evil, "quoted: verbatim");
    assert_eq!(
        lines[1].1, evil,
        "even unquoted, no command substitution happens"
    );
    assert!(!marker.exists(), "the label value was executed");
    assert!(home.exists());
}

// ── Headless flow ──────────────────────────────────────────────────────────────────────

/// The demo with runbook notes posted, as alice.
struct Harness;

impl Harness {
    async fn start(name: &str, readonly: bool) -> Headless {
        let mut h = Headless::demo(&format!("runbooks-{name}"), readonly).await;
        let settings = &mut h.app.state.runbook.settings;
        settings.user = "alice".into();
        settings.post_notes = true;
        h
    }
}

/// Selects the open incident whose runbook is `id`.
async fn select_incident_with(h: &mut Headless, id: &str) -> String {
    h.press(KeyCode::Char('2')).await;
    let target = h
        .app
        .state
        .open_incidents()
        .into_iter()
        .find(|i| i.runbook.as_deref() == Some(id))
        .map(|i| i.id.clone())
        .unwrap_or_else(|| panic!("the demo has an open incident using {id}"));
    while h.app.state.selected_incident().map(|i| i.id.clone()) != Some(target.clone()) {
        h.press(KeyCode::Char('j')).await;
    }
    target
}

#[tokio::test]
async fn incident_to_runbook_to_execution_to_audit_log_and_note() {
    let mut h = Harness::start("flow", false).await;
    let incident = select_incident_with(&mut h, "high-error-rate").await;
    h.press(KeyCode::Char('b')).await;
    let view = h
        .app
        .state
        .runbook
        .view
        .as_ref()
        .expect("b opens the runbook");
    assert_eq!(view.runbook.id, "high-error-rate");
    assert_eq!(
        view.incident.as_ref().map(|i| i.id.as_str()),
        Some(incident.as_str())
    );
    assert_eq!(view.reason, "named by the incident");

    // Step 1 runs: x asks, showing the exact command and its variables; y runs it.
    h.press(KeyCode::Char('x')).await;
    let confirm = h
        .app
        .state
        .runbook
        .view
        .as_ref()
        .unwrap()
        .confirm
        .clone()
        .expect("x asks");
    assert!(
        confirm
            .code
            .starts_with("echo \"incident: $ONDECK_INCIDENT_ID")
    );
    assert!(
        confirm
            .env
            .contains(&("ONDECK_INCIDENT_ID".to_string(), incident.clone()))
    );
    assert!(h.audit().is_empty(), "nothing ran before the answer");
    h.press(KeyCode::Char('y')).await;
    let view = h.app.state.runbook.view.as_ref().unwrap();
    let record = &view.progress.steps[0];
    assert_eq!(record.state, StepState::Done);
    assert_eq!(record.exit, Some(ExitStatus::Code(0)));
    assert_eq!(
        record.output[0].text,
        format!("incident: {incident} (demo)")
    );
    assert_eq!(
        view.progress.current, 0,
        "the cursor stays on the step that ran"
    );

    // n, then Space marks step 2 done and moves on; s skips step 3.
    h.press(KeyCode::Char('n')).await;
    h.press(KeyCode::Char(' ')).await;
    h.press(KeyCode::Char('s')).await;
    let view = h.app.state.runbook.view.as_ref().unwrap();
    let states: Vec<_> = view.progress.steps.iter().map(|s| s.state).collect();
    assert_eq!(
        states,
        [
            StepState::Done,
            StepState::Done,
            StepState::Skipped,
            StepState::Pending,
            StepState::Pending
        ]
    );
    assert_eq!(view.progress.current, 3);

    let all = h.audit();
    // Each step's note to the incident went through the outbox, which audits it too.
    let notes: Vec<_> = all.iter().filter(|e| e.action == "note").collect();
    assert_eq!(notes.len(), 3, "{all:#?}");
    assert!(notes.iter().all(|e| e.outcome == "ok"), "{notes:#?}");
    let audit: Vec<_> = all.into_iter().filter(|e| e.action != "note").collect();
    let actions: Vec<_> = audit.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["step_executed", "step_done", "step_skipped"]);
    assert!(
        audit
            .iter()
            .all(|e| e.user == "alice" && e.incident == incident && e.source == "demo")
    );
    assert!(
        audit[0].outcome.starts_with("exit 0 in "),
        "{}",
        audit[0].outcome
    );
    assert!(
        audit[0]
            .note
            .as_deref()
            .unwrap()
            .contains("\"Confirm the scope\"")
    );

    let Some(IncidentBackend::Demo(demo)) = h.app.backends.incident_backend("demo") else {
        panic!("the demo serves incidents");
    };
    let notes = demo.notes(&incident);
    assert_eq!(notes.len(), 3, "{notes:?}");
    assert!(
        notes[1].starts_with(
            "runbook high-error-rate step 2 \"Look at recent deploys\": done (by alice via ondeck)"
        ),
        "{}",
        notes[1]
    );

    // Esc closes the view; resolving the incident is audited too.
    h.press(KeyCode::Esc).await;
    assert!(h.app.state.runbook.view.is_none());
    assert_eq!(h.app.state.pane, Pane::Oncall);
    h.press(KeyCode::Char('r')).await;
    h.press(KeyCode::Char('y')).await;
    let last = h.audit().pop().unwrap();
    assert_eq!(
        (last.action.as_str(), last.outcome.as_str()),
        ("resolve", "ok")
    );
    assert_eq!(last.incident, incident);
}

#[tokio::test]
async fn progress_is_saved_and_resumed_after_a_restart() {
    let mut first = Harness::start("resume", false).await;
    let incident = select_incident_with(&mut first, "high-error-rate").await;
    first.press(KeyCode::Char('b')).await;
    first.press(KeyCode::Char(' ')).await;
    first.press(KeyCode::Char('s')).await;
    let saved = first.app.state.runbook.view.clone().unwrap().progress;

    // A new cockpit on the same state dir: the same incident opens where it was left.
    let mut second = Harness::start("resume-2", false).await;
    second.app.state.runbook.settings.state_dir = Some(first.dir.clone());
    assert_eq!(
        select_incident_with(&mut second, "high-error-rate").await,
        incident
    );
    second.press(KeyCode::Char('b')).await;
    let resumed = &second.app.state.runbook.view.as_ref().unwrap().progress;
    assert_eq!(resumed, &saved);
    assert_eq!(resumed.current, 2);
    assert_eq!(resumed.steps[1].state, StepState::Skipped);
}

#[tokio::test]
async fn readonly_shows_runbooks_but_never_executes() {
    let mut h = Harness::start("readonly", true).await;
    select_incident_with(&mut h, "high-error-rate").await;
    h.press(KeyCode::Char('b')).await;
    h.press(KeyCode::Char('x')).await;
    let view = h.app.state.runbook.view.as_ref().unwrap();
    assert!(view.confirm.is_none());
    assert!(view.running.is_none());
    let flash = h.app.state.flash.as_ref().unwrap();
    assert!(
        flash
            .text
            .starts_with("read-only: runbook commands are never executed"),
        "{}",
        flash.text
    );
}

#[tokio::test]
async fn ctrl_c_kills_a_running_step_and_quits_otherwise() {
    let mut h = Harness::start("ctrl-c", false).await;
    select_incident_with(&mut h, "high-error-rate").await;
    h.press(KeyCode::Char('b')).await;
    h.press(KeyCode::Char('x')).await;
    // Pretend the confirmed step is still running (the harness runs commands to completion).
    let commands = update(&mut h.app.state, Action::Confirm);
    assert!(matches!(
        commands.as_slice(),
        [Command::Runbook(RunbookCommand::RunStep { .. })]
    ));
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert_eq!(
        action_for_key(&h.app.state, &h.app.keymap, &ctrl_c),
        Some(Action::KillStep)
    );
    let Command::Runbook(RunbookCommand::RunStep { run_id, .. }) = commands[0] else {
        unreachable!()
    };
    assert_eq!(
        update(&mut h.app.state, Action::KillStep),
        vec![Command::Runbook(RunbookCommand::KillStep { run_id })]
    );
    h.app.state.runbook.view.as_mut().unwrap().running = None;
    assert_eq!(
        action_for_key(&h.app.state, &h.app.keymap, &ctrl_c),
        Some(Action::Quit)
    );
}

// ── Snapshots ──────────────────────────────────────────────────────────────────────────

async fn snapshot_state() -> ondeck::state::State {
    let mut h = Harness::start("snapshot", false).await;
    h.app.state.runbook.settings.post_notes = false;
    select_incident_with(&mut h, "high-error-rate").await;
    h.press(KeyCode::Char('b')).await;
    h.press(KeyCode::Char('x')).await;
    h.press(KeyCode::Char('y')).await;
    let mut state = h.app.state.clone();
    // The run's wall time is the one thing that varies between runs.
    state.runbook.view.as_mut().unwrap().progress.steps[0].duration_ms = Some(12);
    state.flash = None;
    state
}

fn draw(state: &ondeck::state::State, width: u16, height: u16) -> Terminal<TestBackend> {
    let theme = Theme::dark();
    let keymap = Keymap::defaults();
    let ctx = UiContext {
        theme: &theme,
        keymap: &keymap,
    };
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| render(frame, state, &ctx)).unwrap();
    terminal
}

#[tokio::test]
async fn runbook_view_80x24() {
    let state = snapshot_state().await;
    insta::assert_snapshot!(draw(&state, 80, 24).backend());
}

#[tokio::test]
async fn runbook_view_160x48() {
    let mut state = snapshot_state().await;
    state.runbook.view.as_mut().unwrap().progress.current = 1;
    insta::assert_snapshot!(
        "runbook_view_step_2_160x48",
        draw(&state, 160, 48).backend()
    );
    state.runbook.view.as_mut().unwrap().progress.current = 0;
    insta::assert_snapshot!(draw(&state, 160, 48).backend());
}

#[tokio::test]
async fn execute_confirmation_80x24() {
    let mut h = Harness::start("confirm-snap", false).await;
    select_incident_with(&mut h, "high-error-rate").await;
    h.press(KeyCode::Char('b')).await;
    h.press(KeyCode::Char('x')).await;
    insta::assert_snapshot!(draw(&h.app.state, 80, 24).backend());
}

// ── Command line ───────────────────────────────────────────────────────────────────────

#[tokio::test]
async fn colon_runbook_id_enter_opens_that_runbook() {
    let mut h = Harness::start("command-line", false).await;
    h.press(KeyCode::Char(':')).await;
    assert!(h.app.state.command_line.is_open());
    // While the line is open, keys are text, not bindings: `q` does not quit, `2` stays put.
    h.type_text("runbook disk-full q2").await;
    assert!(!h.app.state.quit);
    assert_eq!(h.app.state.pane, Pane::Executive);
    for _ in 0..3 {
        h.press(KeyCode::Backspace).await;
    }
    h.press(KeyCode::Enter).await;
    let view = h
        .app
        .state
        .runbook
        .view
        .as_ref()
        .expect("the runbook opens");
    assert_eq!(view.runbook.id, "disk-full");
    assert!(
        view.incident.is_none(),
        "no incident in front of the responder"
    );
    assert_eq!(h.app.state.command_line.history, ["runbook disk-full"]);
    // Executing says what context the command gets, and runs with the runbook id only.
    h.press(KeyCode::Char('x')).await;
    let confirm = h.app.state.runbook.view.as_ref().unwrap().confirm.clone();
    assert_eq!(
        confirm.map(|c| c.env),
        Some(vec![("ONDECK_RUNBOOK_ID".into(), "disk-full".into())])
    );
    let screen = format!("{:?}", draw(&h.app.state, 80, 24).backend());
    assert!(
        screen.contains("no incident: only ONDECK_RUNBOOK_ID"),
        "{screen}"
    );
}

#[tokio::test]
async fn command_line_80x24() {
    let mut h = Harness::start("command-line-snap", false).await;
    h.press(KeyCode::Char('2')).await;
    h.press(KeyCode::Char(':')).await;
    h.type_text("runbook cert-expiry").await;
    insta::assert_snapshot!(draw(&h.app.state, 80, 24).backend());
}

// ── Runbooks linked by URL ─────────────────────────────────────────────────────────────

const LINKED: &str = "# Queue stuck\n\nFetched from the wiki.\n\n## Look at the queue\n\n```sh\necho depth\n```\n\n## Drain it\n\nBy hand.\n";

/// A one-thread HTTP server on 127.0.0.1 answering `/runbook` with Markdown and anything else
/// with an HTML page, for `requests` connections.
fn serve(requests: usize) -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().take(requests) {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap();
            let mut header = String::new();
            while reader.read_line(&mut header).unwrap() > 2 {
                header.clear();
            }
            let (content_type, body) = if request_line.starts_with("GET /runbook ") {
                ("text/markdown; charset=utf-8", LINKED)
            } else {
                ("text/html; charset=utf-8", "<html><body>wiki</body></html>")
            };
            let response = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            stream.write_all(response.as_bytes()).unwrap();
        }
    });
    base
}

#[tokio::test]
async fn a_linked_markdown_runbook_is_fetched_and_html_is_refused() {
    let base = serve(2);
    let url = format!("{base}/runbook");
    let runbook = ondeck::runbook::fetch::fetch(&url, Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(runbook.id, url, "no front matter: the URL is the id");
    assert_eq!(runbook.title, "Queue stuck");
    assert_eq!(runbook.steps.len(), 2);
    let error = ondeck::runbook::fetch::fetch(&format!("{base}/wiki"), Duration::from_secs(5))
        .await
        .unwrap_err();
    assert_eq!(error, format!("{base}/wiki served text/html, not Markdown"));
}

#[tokio::test]
async fn f_in_the_view_fetches_the_linked_runbook_and_shows_it() {
    let base = serve(2);
    let mut h = Harness::start("fetch", false).await;
    h.press(KeyCode::Char(':')).await;
    h.type_text("runbook disk-full").await;
    h.press(KeyCode::Enter).await;
    let url = format!("{base}/runbook");
    h.app.state.runbook.view.as_mut().unwrap().link = Some(url.clone());
    h.press(KeyCode::Char('f')).await;
    let view = h.app.state.runbook.view.as_ref().unwrap();
    assert_eq!(view.runbook.id, url);
    assert_eq!(view.runbook.steps[0].title, "Look at the queue");
    assert_eq!(view.reason, format!("fetched from {url}"));

    // An HTML page leaves the view as it was and says why.
    h.app.state.runbook.view.as_mut().unwrap().link = Some(format!("{base}/wiki"));
    h.press(KeyCode::Char('f')).await;
    assert_eq!(h.app.state.runbook.view.as_ref().unwrap().runbook.id, url);
    let flash = h.app.state.flash.as_ref().unwrap();
    assert_eq!(
        flash.text,
        format!("{base}/wiki served text/html, not Markdown")
    );
}

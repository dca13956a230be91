//! Runbooks are data until the config vouches for them: a runbook an alert links over plain
//! http, or a file it names outside `runbook_dirs`, is shown but never run; a step whose
//! command hides a character is refused; what runs, runs in a clean environment with every
//! secret ondeck holds masked in its output; and the audit line says which version ran.

use std::path::{Path, PathBuf};
use std::process::Command;

use crossterm::event::KeyCode;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use ondeck::config::Config;
use ondeck::state::RunbookState;

use headless::Headless;
use pty::{Session, temp_home};

#[path = "support/headless.rs"]
mod headless;
#[path = "support/pty.rs"]
mod pty;
#[path = "support/vt.rs"]
mod vt;

/// A runbook whose one step would leave `marker` behind if it ran.
fn file_creating_runbook(id: &str, marker: &Path) -> String {
    format!(
        "+++\nid = \"{id}\"\ntitle = \"Innocent\"\n+++\n\n# Innocent\n\n## Look around\n\n```sh\ntouch '{}'\n```\n",
        marker.display()
    )
}

/// Opens `:runbook disk-full`, then fetches `url` into the view with `f`.
async fn fetch_into_view(h: &mut Headless, url: &str) {
    h.press(KeyCode::Char(':')).await;
    h.type_text("runbook disk-full").await;
    h.press(KeyCode::Enter).await;
    h.app.state.runbook.view.as_mut().unwrap().link = Some(url.to_string());
    h.press(KeyCode::Char('f')).await;
}

fn flash(h: &Headless) -> String {
    h.app
        .state
        .flash
        .as_ref()
        .map(|f| f.text.clone())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_runbook_linked_over_plain_http_is_shown_but_never_runs() {
    let mut h = Headless::demo("trust-fetched", false).await;
    let marker = h.dir.join("fetched-ran");
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/innocent.md"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(file_creating_runbook("innocent", &marker), "text/markdown"),
        )
        .mount(&server)
        .await;
    let url = format!("{}/innocent.md", server.uri());
    fetch_into_view(&mut h, &url).await;
    let view = h.app.state.runbook.view.as_ref().unwrap();
    assert_eq!(view.runbook.title, "Innocent", "the runbook is shown");

    h.press(KeyCode::Char('x')).await;
    assert!(
        flash(&h).starts_with(&format!(
            "view-only: {url} is not under runbook_trusted_urls"
        )),
        "{}",
        flash(&h)
    );
    assert!(h.app.state.runbook.view.as_ref().unwrap().confirm.is_none());
    h.press(KeyCode::Char('y')).await;
    h.press(KeyCode::Enter).await;
    assert!(!marker.exists(), "the fetched step ran");

    // Trusting the place is not enough over plain http.
    h.app.state.runbook.settings.trusted_urls = vec![format!("{}/", server.uri())];
    h.press(KeyCode::Char('x')).await;
    h.press(KeyCode::Char('y')).await;
    assert!(!marker.exists(), "a plain-http runbook ran");
}

/// The demo with `runbook_dirs = [dir]`, as the cockpit configures it at start.
async fn with_runbook_dir(name: &str, dir: &Path) -> Headless {
    let mut config = Config::demo();
    config.runbook_dirs = vec![dir.to_path_buf()];
    let mut h = Headless::with_config(&config, name, false).await;
    h.app.state.runbook = RunbookState::configured(&config, Some(h.dir.clone()));
    h
}

/// Points the selected incident's `runbook` label at `file` and opens it with `b`.
async fn open_named(h: &mut Headless, file: &Path) {
    h.press(KeyCode::Char('2')).await;
    let key = h
        .app
        .state
        .selected_incident()
        .map(ondeck::state::IncidentKey::of)
        .unwrap();
    for incident in h.app.state.incidents.values_mut().flatten() {
        if ondeck::state::IncidentKey::of(incident) == key {
            incident.runbook = Some(file.display().to_string());
        }
    }
    h.press(KeyCode::Char('b')).await;
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

#[tokio::test]
async fn a_file_an_alert_names_runs_only_from_runbook_dirs_and_the_audit_says_which_version() {
    let dirs = headless::temp_dir("trust-dirs");
    let trusted = dirs.join("runbooks");
    let elsewhere = dirs.join("tmp");
    std::fs::create_dir_all(&trusted).unwrap();
    std::fs::create_dir_all(&elsewhere).unwrap();
    let marker = dirs.join("ran");

    // Outside runbook_dirs: view-only, whatever it says.
    let outside = elsewhere.join("innocent.md");
    std::fs::write(&outside, file_creating_runbook("outside", &marker)).unwrap();
    let mut h = with_runbook_dir("trust-outside", &trusted).await;
    open_named(&mut h, &outside).await;
    assert_eq!(
        h.app.state.runbook.view.as_ref().unwrap().runbook.id,
        "outside"
    );
    h.press(KeyCode::Char('x')).await;
    assert!(flash(&h).starts_with("view-only:"), "{}", flash(&h));
    assert!(
        flash(&h).contains("is not under runbook_dirs"),
        "{}",
        flash(&h)
    );
    h.press(KeyCode::Char('y')).await;
    assert!(!marker.exists(), "a runbook outside runbook_dirs ran");

    // Under runbook_dirs and committed: it runs, and the dialog and the audit line name the
    // file and its commit.
    let inside = trusted.join("inside.md");
    std::fs::write(&inside, file_creating_runbook("inside", &marker)).unwrap();
    git(&trusted, &["init", "-q"]);
    git(&trusted, &["add", "inside.md"]);
    git(&trusted, &["commit", "-q", "-m", "runbook"]);
    let head = String::from_utf8(
        Command::new("git")
            .arg("-C")
            .arg(&trusted)
            .args(["rev-parse", "HEAD"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
    .trim()
    .to_string();
    let mut h = with_runbook_dir("trust-inside", &trusted).await;
    open_named(&mut h, &inside).await;
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
        .unwrap();
    let canonical = inside.canonicalize().unwrap();
    assert_eq!(
        confirm.provenance,
        format!("{} at git commit {head}", canonical.display())
    );
    h.press(KeyCode::Char('y')).await;
    assert!(marker.exists(), "the trusted runbook's step did not run");
    let executed = h
        .audit()
        .into_iter()
        .find(|e| e.action == "step_executed")
        .expect("the run is audited");
    assert!(
        executed
            .note
            .as_deref()
            .unwrap()
            .contains(&format!("at git commit {head}")),
        "{executed:?}"
    );

    // Changed since its commit: the version is its sha256.
    std::fs::remove_file(&marker).unwrap();
    std::fs::write(
        &inside,
        file_creating_runbook("inside", &marker) + "\nmore\n",
    )
    .unwrap();
    let mut h = with_runbook_dir("trust-changed", &trusted).await;
    open_named(&mut h, &inside).await;
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
        .unwrap();
    let sha = ondeck::runbook::provenance::sha256_hex(&std::fs::read(&inside).unwrap());
    assert_eq!(
        confirm.provenance,
        format!("{} sha256 {sha}", canonical.display())
    );
}

#[tokio::test]
async fn a_command_hiding_a_character_is_shown_escaped_and_refused() {
    let dir = headless::temp_dir("trust-hidden-dir");
    let marker = dir.join("hidden-ran");
    // The bidi override makes `; touch …` read as something else on screen.
    let runbook = format!(
        "+++\nid = \"hidden\"\ntitle = \"Hidden\"\n+++\n\n## Step\n\n```sh\necho ok \u{202e}; touch '{}'\n```\n",
        marker.display()
    );
    std::fs::write(dir.join("hidden.md"), runbook).unwrap();
    let mut h = with_runbook_dir("trust-hidden", &dir).await;
    h.press(KeyCode::Char(':')).await;
    h.type_text("runbook hidden").await;
    h.press(KeyCode::Enter).await;
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
        .unwrap();
    assert!(
        confirm.refused.as_deref().unwrap().contains("\\u{202e}"),
        "{confirm:?}"
    );
    h.press(KeyCode::Char('y')).await;
    assert!(flash(&h).starts_with("refused:"), "{}", flash(&h));
    assert!(!marker.exists(), "a command with a hidden character ran");
}

/// The cockpit, in a terminal, runs a step that prints its environment and a token file:
/// no token ondeck read reaches the screen.
#[test]
fn a_step_printing_its_environment_shows_no_secret() {
    let home = temp_home("trust-env");
    let runbooks = home.join("runbooks");
    std::fs::create_dir_all(&runbooks).unwrap();
    let token_file: PathBuf = home.join("alerta.token");
    std::fs::write(&token_file, "alerta-key-from-a-file-5150\n").unwrap();
    std::fs::write(
        runbooks.join("env.md"),
        "+++\nid = \"env-dump\"\ntitle = \"Environment\"\n+++\n\n## Print it\n\n```sh\nenv | sort\ncat \"$HOME/alerta.token\"\necho \"passed=$ONDECK_TEST_PASSED\"\n```\n",
    )
    .unwrap();
    std::fs::create_dir_all(home.join("config/ondeck")).unwrap();
    std::fs::write(
        home.join("config/ondeck/config.toml"),
        format!(
            "runbook_dirs = [\"{}\"]\nrunbook_env = [\"ONDECK_TEST_PASSED\"]\n\n[[source]]\nname = \"prom\"\nkind = \"prometheus\"\nurl = \"http://127.0.0.1:9\"\ntoken_env = \"PROM_TOKEN\"\n\n[[source]]\nname = \"alerta\"\nkind = \"alerta\"\nurl = \"http://127.0.0.1:9\"\ntoken_file = \"{}\"\n",
            runbooks.display(),
            token_file.display()
        ),
    )
    .unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_ondeck"));
    command
        .env("PROM_TOKEN", "prom-token-in-the-env-8086")
        .env("ONDECK_PD_TOKEN", "a-token-in-an-ondeck-variable")
        .env("ONDECK_TEST_PASSED", "yes-passed");
    let mut session = Session::start_with(&home, command);
    session.shows("SLOs");
    session.keys(":runbook env-dump\r");
    session.shows("Print it");
    session.keys("x");
    session.shows("Run this step?");
    session.keys("y");
    session.shows("passed=yes-passed");
    // The output can reach the screen before the step's end does; Esc is refused while a
    // step runs, so wait for its exit first.
    session.shows("exit 0 in");
    let screen = session.screen();
    assert!(
        screen.contains("***"),
        "the token file's content is masked:\n{screen}"
    );
    for secret in [
        "prom-token-in-the-env-8086",
        "alerta-key-from-a-file-5150",
        "a-token-in-an-ondeck-variable",
        "PROM_TOKEN",
    ] {
        assert!(
            !screen.contains(secret),
            "{secret} reached the screen:\n{screen}"
        );
    }
    // Esc alone, then q: sent together they read as Alt-q.
    session.keys("\x1b");
    session.wait_for("the runbook view to close", |s| {
        !s.screen().contains("Print it")
    });
    session.keys("q");
    assert!(session.exit_status().success());
}

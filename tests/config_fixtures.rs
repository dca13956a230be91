//! Config fixtures: every invalid file fails with the exact error in its sibling `.err`, every
//! valid file loads to what it says, and `config.example.toml` stays valid.

#[path = "support/example.rs"]
mod example;

use std::path::{Path, PathBuf};
use std::time::Duration;

use ondeck::config::changes::Detect;
use ondeck::config::{
    Config, ConfigLocation, SecretRef, SloSliConfig, SourceKind, Theme, load, parse,
    resolve_path_from, select_theme,
};
use ondeck::model::ChangeKind;
use ondeck::slo::{Severity, Window, default_tiers};

const INVALID: &str = "tests/fixtures/config/invalid";
const VALID: &str = "tests/fixtures/config/valid";

/// Files in `dir` ending in `.toml`, sorted, as paths relative to the crate root.
fn fixtures(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| Path::new(dir).join(entry.unwrap().file_name()))
        .filter(|path| path.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

fn parse_fixture(path: &Path) -> Result<Config, ondeck::config::ConfigError> {
    parse(&std::fs::read_to_string(path).unwrap(), path)
}

fn valid(name: &str) -> Config {
    let path = Path::new(VALID).join(name);
    parse_fixture(&path).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_invalid_fixture_fails_with_its_exact_error() {
    let files = fixtures(INVALID);
    assert!(files.len() >= 12, "only {} invalid fixtures", files.len());
    let mut mismatches = Vec::new();
    for path in &files {
        let expected = std::fs::read_to_string(path.with_extension("err"))
            .unwrap_or_else(|_| panic!("{} has no .err file", path.display()));
        match parse_fixture(path) {
            Ok(_) => mismatches.push(format!("{}: parsed but should fail", path.display())),
            Err(err) if err.to_string() != expected.trim_end() => mismatches.push(format!(
                "{}:\n  expected: {}\n  got:      {err}",
                path.display(),
                expected.trim_end()
            )),
            Err(_) => {}
        }
    }
    assert!(mismatches.is_empty(), "\n{}", mismatches.join("\n"));
}

#[test]
fn every_err_file_has_a_fixture() {
    for entry in std::fs::read_dir(INVALID).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "err") {
            assert!(
                path.with_extension("toml").exists(),
                "{} is orphaned",
                path.display()
            );
        }
    }
}

#[test]
fn the_documented_objective_error_points_at_the_value() {
    let err = parse_fixture(&Path::new(INVALID).join("objective_100.toml")).unwrap_err();
    assert_eq!((err.line, err.column), (Some(7), Some(13)));
    assert_eq!(err.field.as_deref(), Some("slo[0].objective"));
    assert_eq!(
        err.to_string(),
        "tests/fixtures/config/invalid/objective_100.toml:7:13: slo[0].objective: objective 100 leaves no error budget: use a value below 100, e.g. 99.99"
    );
}

#[test]
fn a_literal_secret_is_never_echoed() {
    let err = parse_fixture(&Path::new(INVALID).join("literal_token.toml")).unwrap_err();
    assert!(!err.to_string().contains("abcdefghijklmnop"), "{err}");
    assert!(err.to_string().contains("token_env"), "{err}");
}

#[test]
fn every_valid_fixture_parses() {
    for path in fixtures(VALID) {
        if let Err(e) = parse_fixture(&path) {
            panic!("{e}");
        }
    }
}

#[test]
fn an_empty_file_has_no_sources_so_the_app_runs_the_demo() {
    let config = valid("empty.toml");
    assert!(config.sources.is_empty());
    assert!(config.slos.is_empty());
    assert_eq!(config.tiers, default_tiers());
    assert_eq!((config.theme, config.readonly), (None, false));
}

#[test]
fn an_explicit_demo_keeps_its_settings_and_defaults_the_rest() {
    let config = valid("demo.toml");
    assert_eq!(config.user, "alice");
    assert!(config.readonly);
    assert_eq!(config.theme.as_deref(), Some("high-contrast"));
    let fleet = &config.sources[0];
    assert_eq!(
        (fleet.name.as_str(), fleet.kind),
        ("fleet", SourceKind::Demo)
    );
    assert_eq!(fleet.seed, 7);
    assert_eq!(fleet.refresh, Duration::from_secs(2));
    assert_eq!(fleet.timeout, Duration::from_secs(10));
}

#[test]
fn prometheus_next_to_the_demo_with_secrets_by_reference() {
    let config = valid("demo_and_prometheus.toml");
    let kinds: Vec<SourceKind> = config.sources.iter().map(|s| s.kind).collect();
    assert_eq!(
        kinds,
        [
            SourceKind::Demo,
            SourceKind::Prometheus,
            SourceKind::Pagerduty
        ]
    );
    let prom = &config.sources[1];
    assert_eq!(
        prom.url.as_deref(),
        Some("https://prometheus.internal:9090")
    );
    assert_eq!(
        (prom.refresh, prom.timeout),
        (Duration::from_secs(30), Duration::from_secs(5))
    );
    assert_eq!(
        prom.token,
        Some(SecretRef::Env("ONDECK_TEST_PROM_TOKEN".into()))
    );
    // Non-demo sources poll every 30 s unless told otherwise.
    assert_eq!(config.sources[2].refresh, Duration::from_secs(30));

    // A relative token file is found next to the config, and its value never prints.
    let pd_token = config.sources[2].token.as_ref().unwrap();
    assert_eq!(
        pd_token,
        &SecretRef::File(Path::new(VALID).join("pagerduty.token"))
    );
    let secret = pd_token.resolve().unwrap();
    assert_eq!(secret.expose(), "not-a-real-token");
    assert_eq!(format!("{secret} {secret:?}"), "*** ***");

    let availability = &config.slos[0];
    assert_eq!(availability.objective, 0.999);
    assert_eq!(availability.window, Window::days(30));
    assert_eq!(availability.source.as_deref(), Some("prom"));
    assert!(matches!(&availability.sli, SloSliConfig::BadRatio { bad, .. } if bad.contains("5..")));
    let latency = &config.slos[1];
    assert_eq!(
        (latency.objective, latency.window),
        (0.99, Window::days(28))
    );
    assert!(matches!(latency.sli, SloSliConfig::Latency { threshold, .. } if threshold == 0.3));

    let described = config.describe();
    assert!(
        described.contains("token from env ONDECK_TEST_PROM_TOKEN"),
        "{described}"
    );
    assert!(!described.contains("not-a-real-token"), "{described}");
    assert!(described.contains("checkout/availability"), "{described}");
}

#[test]
fn custom_tiers_replace_the_defaults_and_scale_with_28_days() {
    let config = valid("custom_tiers_28d.toml");
    assert_eq!(config.tiers.len(), 2);
    assert_eq!(config.tiers[0].severity, Severity::Page);
    assert_eq!(config.tiers[0].long_window, Window::hours(1));
    let period = config.slos[0].window;
    assert_eq!(period, Window::days(28));
    assert_eq!(config.slos[0].objective, 0.9995);
    // 5% of a 28-day budget within 1 hour is a burn factor of 0.05 × 672 = 33.6.
    assert!((config.tiers[0].factor(period) - 33.6).abs() < 1e-9);
    assert!((config.tiers[1].factor(period) - 2.8).abs() < 1e-9);
}

#[test]
fn key_overrides_merge_over_the_defaults_and_theme_overrides_apply() {
    let config = valid("keys_override.toml");
    let mut keymap = ondeck::config::Keymap::defaults();
    keymap.merge_table(config.keys.as_ref().unwrap()).unwrap();
    let x = crossterm::event::KeyEvent::new(
        crossterm::event::KeyCode::Char('x'),
        crossterm::event::KeyModifiers::NONE,
    );
    assert_eq!(
        keymap.lookup(&["global"], &x),
        Some(ondeck::action::Action::Quit)
    );

    let theme = select_theme(
        config.theme.as_deref(),
        config.theme_overrides.as_ref(),
        false,
    )
    .unwrap();
    let light = Theme::builtin("light").unwrap();
    assert_ne!(theme.sev_critical, light.sev_critical);
    assert_eq!(theme.text, light.text);
}

#[test]
fn the_example_config_is_valid_commented_and_uncommented() {
    let path = Path::new("config.example.toml");
    let text = std::fs::read_to_string(path).unwrap();
    let commented = parse(&text, path).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        commented.sources.is_empty(),
        "everything in the example is commented out"
    );

    let full = parse(&example::uncomment_settings(&text), path)
        .unwrap_or_else(|e| panic!("uncommented: {e}"));
    // The documented defaults are the real ones.
    assert_eq!(full.tiers, default_tiers());
    assert_eq!(full.sources[0], Config::demo().sources[0]);
    assert_eq!(full.theme.as_deref(), Some("dark"));
    assert!(!full.readonly);
    assert_eq!(full.slos[0].window, Window::days(30));
    assert_eq!(full.sources[1].timeout, Duration::from_secs(10));
    for option in [
        "theme",
        "user",
        "readonly",
        "name",
        "kind",
        "refresh",
        "timeout",
        "seed",
        "url",
        "token_env",
        "token_file",
        "service",
        "objective",
        "window",
        "source",
        "good",
        "bad",
        "total",
        "metric",
        "threshold",
        "severity",
        "long_window",
        "short_window",
        "budget_share",
        "user",
        "readonly",
        "theme",
        "slo_files",
        "runbook_dirs",
        "post_notes",
        "step_timeout",
        "username",
        "password_env",
        "headers",
        "ca_file",
        "group_by",
        "use_recording_rules",
        "query",
        "detect",
        "service_label",
        "version_label",
        "author_label",
        "change_events",
        "repo",
        "environment",
        "tags",
        "projects",
        "command",
        "env",
    ] {
        assert!(
            text.contains(&format!("{option} = ")),
            "config.example.toml does not show {option}"
        );
    }
    the_example_change_sources_load_as_documented(&full);
    for table in [
        "#[[source]]",
        "#[[source.changes]]",
        "#[[slo]]",
        "#[[tier]]",
        "#[keys.",
        "#[theme_overrides]",
    ] {
        assert!(
            text.contains(table),
            "config.example.toml does not show {table}"
        );
    }
    for kind in SourceKind::ALL {
        assert!(
            text.contains(kind.as_str()),
            "config.example.toml does not list kind {}",
            kind.as_str()
        );
    }
}

/// Every change source of the uncommented example, read as its comments say.
fn the_example_change_sources_load_as_documented(full: &Config) {
    let source = |name: &str| {
        full.sources
            .iter()
            .find(|s| s.name == name)
            .unwrap_or_else(|| panic!("the example has no source {name}"))
    };
    let queries = &source("prom").changes.queries;
    let shown: Vec<_> = queries
        .iter()
        .map(|q| {
            (
                q.query.as_str(),
                q.detect,
                q.service_label.as_str(),
                q.version_label.as_deref(),
                q.author_label.as_deref(),
                q.kind,
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            (
                "deploy_timestamp_seconds",
                Detect::Timestamp,
                "service",
                Some("version"),
                Some("deployer"),
                ChangeKind::Deploy
            ),
            (
                "app_build_info",
                Detect::Label,
                "service",
                Some("version"),
                None,
                ChangeKind::Deploy
            ),
            (
                "kube_deployment_spec_replicas",
                Detect::Value,
                "deployment",
                None,
                None,
                ChangeKind::Scale
            ),
        ]
    );
    assert!(source("pagerduty").changes.change_events);

    let grafana = source("grafana");
    assert_eq!(grafana.kind, SourceKind::Grafana);
    assert_eq!(grafana.changes.tags, ["deploy"]);
    assert_eq!(grafana.changes.service_label.as_deref(), Some("service"));

    let github = source("github");
    assert_eq!(github.url.as_deref(), Some("https://api.github.com"));
    assert_eq!(github.changes.repo.as_deref(), Some("acme/checkout"));
    assert_eq!(github.changes.environment.as_deref(), Some("production"));
    assert_eq!(github.changes.service.as_deref(), Some("checkout"));

    let argo = source("argo");
    assert_eq!(argo.kind, SourceKind::Argocd);
    assert_eq!(argo.changes.projects, ["shop"]);
    assert_eq!(
        argo.changes.service_label.as_deref(),
        Some("app.kubernetes.io/name")
    );

    let helm = source("helm");
    assert_eq!(helm.kind, SourceKind::Command);
    assert_eq!(
        helm.changes.command.as_deref(),
        Some("./helm-changes.sh checkout")
    );
    assert_eq!(helm.changes.env, ["KUBECONFIG", "HOME"]);
    assert_eq!(helm.url, None);
    assert_eq!(helm.timeout, Duration::from_secs(20));
}

#[test]
fn config_path_precedence_is_flag_then_env_then_xdg() {
    let xdg_path = PathBuf::from("/home/u/.config/ondeck/config.toml");
    let xdg = Some(xdg_path.clone());
    let flag = Path::new("flag.toml");
    let env = Some(std::ffi::OsStr::new("env.toml"));
    assert_eq!(
        resolve_path_from(Some(flag), env, xdg.clone()),
        ConfigLocation::Explicit(flag.into())
    );
    assert_eq!(
        resolve_path_from(None, env, xdg.clone()),
        ConfigLocation::Explicit("env.toml".into())
    );
    assert_eq!(
        resolve_path_from(None, Some(std::ffi::OsStr::new("")), xdg.clone()),
        ConfigLocation::Default(xdg_path.clone())
    );
    assert_eq!(
        resolve_path_from(None, None, xdg),
        ConfigLocation::Default(xdg_path)
    );
}

#[test]
fn loading_a_missing_file_depends_on_who_named_it() {
    let missing = Path::new(VALID).join("does-not-exist.toml");
    let demo = load(&ConfigLocation::Default(missing.clone())).unwrap();
    assert_eq!(demo.sources, Config::demo().sources);
    let err = load(&ConfigLocation::Explicit(missing)).unwrap_err();
    assert!(err.is_unreadable());
    assert!(
        err.to_string().starts_with(
            "tests/fixtures/config/valid/does-not-exist.toml: cannot read the config file"
        ),
        "{err}"
    );
    let loaded = load(&ConfigLocation::Explicit(
        Path::new(VALID).join("demo.toml"),
    ))
    .unwrap();
    assert_eq!(loaded.user, "alice");
}

#[test]
fn garbage_never_panics() {
    let inputs = [
        "\u{0}",
        "[[",
        "a = \"\u{1F600}",
        "[[source]]\n",
        "[[slo]]\nobjective = nan\n",
        "tier = []",
        "[[source]]\nname = \"\"\nkind = \"demo\"",
        "[keys]\nglobal = 3",
        "[theme_overrides]\ntext = []",
        "slo = 5",
        "[[slo]]\nname='a'\nservice='b'\nobjective=inf\nratio={good='g',total='t'}",
    ];
    for input in inputs {
        let result = parse(input, Path::new("fuzz.toml"));
        assert!(result.is_err(), "{input:?} should not parse");
    }
}

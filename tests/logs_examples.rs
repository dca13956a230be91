//! Every log example of config.example.toml and the README, run as written: the example's
//! Loki, Elasticsearch and journal `[[source]]` tables, uncommented (only each URL is this
//! test's, and the API key is set in the variable the example names), answer the README's own
//! `ondeck logs` command lines — against a Loki and an Elasticsearch stub that apply the
//! filters they are sent as their API references say, and a real systemd-journal-gatewayd.
//! Each stub records what ondeck asked, so the example's per-service and general selectors,
//! tenant, index, key and trace settings are checked where they act. (tests/docs.rs runs the
//! same README lines against the demo.)

#[path = "support/journal.rs"]
mod journal;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use regex::Regex;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use journal::{Entry, Gatewayd};

const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const API_KEY: &str = "VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==";

fn read(file: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(file)).unwrap()
}

/// The `#[[source]]` tables of config.example.toml of a log kind, uncommented, in order.
fn example_log_sources() -> Vec<String> {
    let mut tables = Vec::new();
    let mut current: Option<String> = None;
    for line in read("config.example.toml").lines() {
        if line == "#[[source]]" {
            tables.extend(current.take());
            current = Some(String::new());
        }
        match (line.strip_prefix('#'), current.as_mut()) {
            (Some(setting), Some(table)) if !setting.starts_with(' ') && !setting.is_empty() => {
                table.push_str(setting);
                table.push('\n');
            }
            (_, Some(_)) => tables.extend(current.take()),
            _ => {}
        }
    }
    tables.extend(current);
    tables
        .into_iter()
        .filter(|t| ["loki", "elasticsearch", "journal"].contains(&kind_of(t).as_str()))
        .collect()
}

fn kind_of(table: &str) -> String {
    let value: toml::Value = toml::from_str(table.trim_start_matches("[[source]]")).unwrap();
    value["kind"].as_str().unwrap().to_string()
}

/// `table` with its `url` replaced by `url`.
fn with_url(table: &str, url: &str) -> String {
    table
        .lines()
        .map(|l| {
            if l.starts_with("url = ") {
                format!("url = \"{url}\"\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect()
}

/// The fenced block of `lang` that follows `heading` in the README.
fn readme_block(heading: &str, lang: &str) -> String {
    let text = read("README.md");
    let after = &text[text.find(heading).unwrap()..];
    let fence = format!("```{lang}\n");
    let start = after.find(&fence).unwrap() + fence.len();
    let end = start + after[start..].find("```").unwrap();
    after[start..end].to_string()
}

/// The value of a query parameter.
fn param(request: &Request, name: &str) -> Option<String> {
    request
        .url
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// One Loki log line of the stub: its labels (stream labels, as Loki groups them) and text.
struct LokiLine {
    ago_secs: i64,
    labels: Value,
    text: &'static str,
}

/// Loki's `query_range` over a few lines, as its API reference describes it: the stream
/// selector picks streams by label (`=` and `=~`, anchored), `|~` keeps lines matching a
/// regex, a label filter `| name="v"` or `| name=~"re"` keeps lines whose label matches, and
/// `start` (inclusive) and `end` (exclusive) are nanoseconds.
fn loki_answer(request: &Request, base: DateTime<Utc>, lines: &[LokiLine]) -> ResponseTemplate {
    let query = param(request, "query").unwrap();
    let start: i64 = param(request, "start").unwrap().parse().unwrap();
    let end: i64 = param(request, "end").unwrap().parse().unwrap();
    let matcher = Regex::new(r#"(\w+)\s*(=~|=)\s*"((?:[^"\\]|\\.)*)""#).unwrap();
    let line_filter = Regex::new(r#"\|~ "((?:[^"\\]|\\.)*)""#).unwrap();
    let close = query.find('}').unwrap();
    let (selector, pipeline) = query.split_at(close + 1);
    let label_ok = |labels: &Value, name: &str, op: &str, value: &str| {
        let have = labels[name].as_str().unwrap_or_default();
        let value = value.replace("\\\\", "\\");
        match op {
            "=" => have == value,
            _ => Regex::new(&format!("^(?:{value})$"))
                .unwrap()
                .is_match(have),
        }
    };
    let mut values = Vec::new();
    for line in lines {
        let at = (base - Duration::seconds(line.ago_secs))
            .timestamp_nanos_opt()
            .unwrap();
        let mut keep = at >= start && at < end;
        for m in matcher.captures_iter(selector) {
            keep &= label_ok(&line.labels, &m[1], &m[2], &m[3]);
        }
        for stage in pipeline.split(" | ").skip(1) {
            if let Some(m) = matcher.captures(stage) {
                keep &= label_ok(&line.labels, &m[1], &m[2], &m[3]);
            }
        }
        for m in line_filter.captures_iter(pipeline) {
            let pattern = m[1].replace("\\\\", "\\");
            keep &= Regex::new(&pattern).unwrap().is_match(line.text);
        }
        if keep {
            values.push(json!({"stream": line.labels, "values": [[at.to_string(), line.text]]}));
        }
    }
    ResponseTemplate::new(200).set_body_json(
        json!({"status": "success", "data": {"resultType": "streams", "result": values}}),
    )
}

/// An Elasticsearch document of the stub.
fn doc(
    id: &str,
    ago_secs: i64,
    service: &str,
    level: &str,
    text: &str,
    trace: Option<&str>,
) -> Value {
    let mut source = json!({
        "service": {"name": service},
        "log": {"level": level},
        "message": text,
        "ago": ago_secs,
    });
    if let Some(trace) = trace {
        source["trace"] = json!({"id": trace});
    }
    json!({"_id": id, "_source": source})
}

/// The value at a dotted ECS path of a document's `_source`.
fn field<'a>(source: &'a Value, dotted: &str) -> &'a Value {
    dotted.split('.').fold(source, |v, key| &v[key])
}

/// Whether a document passes one filter of a bool query: `term`, `terms`, `match_phrase`
/// (on an analysed text field: words in order, any case) and a `bool` of `should` clauses.
fn passes(source: &Value, filter: &Value) -> bool {
    let (kind, body) = filter.as_object().unwrap().iter().next().unwrap();
    let (name, want) = body.as_object().unwrap().iter().next().unwrap();
    match kind.as_str() {
        "range" => true,
        "term" => field(source, name) == want,
        "terms" => want.as_array().unwrap().contains(field(source, name)),
        "match_phrase" => field(source, name)
            .as_str()
            .unwrap_or_default()
            .to_lowercase()
            .contains(&want.as_str().unwrap().to_lowercase()),
        "bool" => body["should"]
            .as_array()
            .unwrap()
            .iter()
            .any(|clause| passes(source, clause)),
        other => panic!("a filter the stub does not know: {other}"),
    }
}

/// `_search` as Elasticsearch answers it: the documents passing every filter, newest first,
/// each with its `sort` values; nothing after the last page (`search_after`).
fn es_answer(request: &Request, base: DateTime<Utc>, docs: &[Value]) -> ResponseTemplate {
    let body: Value = serde_json::from_slice(&request.body).unwrap();
    let hits: Vec<Value> = if body.get("search_after").is_some() {
        vec![]
    } else {
        docs.iter()
            .filter(|d| {
                body["query"]["bool"]["filter"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|f| passes(&d["_source"], f))
            })
            .enumerate()
            .map(|(i, d)| {
                let at = base - Duration::seconds(d["_source"]["ago"].as_i64().unwrap());
                let mut hit = d.clone();
                hit["_index"] = json!("logs-shop");
                hit["_source"]["@timestamp"] = json!(at.to_rfc3339());
                hit["sort"] = json!([at.timestamp_millis(), i]);
                hit
            })
            .collect()
    };
    ResponseTemplate::new(200).set_body_json(json!({
        "timed_out": false,
        "_shards": {"total": 1, "successful": 1, "failed": 0},
        "hits": {"total": null, "hits": hits},
    }))
}

fn ondeck(config: &Path, args: &[String]) -> Output {
    let state = config.with_file_name("state");
    std::process::Command::new(env!("CARGO_BIN_EXE_ondeck"))
        .arg("--config")
        .arg(config)
        .args(args)
        .env("ELASTIC_API_KEY", API_KEY)
        .env("XDG_STATE_HOME", state)
        .output()
        .unwrap()
}

/// The README's `ondeck logs` command lines, as argument lists after `ondeck`.
fn readme_commands() -> Vec<Vec<String>> {
    readme_block("### Logs", "sh")
        .lines()
        .map(|l| l.split(" # ").next().unwrap().trim())
        .filter(|l| !l.is_empty())
        .map(|l| {
            let words: Vec<String> = l.split_whitespace().map(str::to_string).collect();
            assert_eq!(words[0], "ondeck", "{l}");
            words[1..].to_vec()
        })
        .collect()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ondeck-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test(flavor = "multi_thread")]
async fn the_example_log_sources_answer_the_readme_commands_as_written() {
    // Every source's lines are this old, so the commands' windows (from their own now) hold
    // them; each stub answers from this fixed instant, so a page asked again finds the same.
    let now = Utc::now();
    let loki_lines = vec![
        LokiLine {
            ago_secs: 60,
            labels: json!({"namespace": "shop", "app": "checkout-api", "env": "prod",
                           "level": "error", "trace_id": TRACE}),
            text: "upstream Redis pool exhausted",
        },
        LokiLine {
            ago_secs: 90,
            labels: json!({"namespace": "shop", "app": "checkout-api", "env": "prod",
                           "level": "info"}),
            text: "cart saved",
        },
        LokiLine {
            ago_secs: 70,
            labels: json!({"app": "payments", "env": "prod", "level": "warn",
                           "trace_id": TRACE}),
            text: "card network slow",
        },
        // The example's selector is for prod: a staging line of the trace stays out.
        LokiLine {
            ago_secs: 65,
            labels: json!({"app": "payments", "env": "staging", "level": "warn",
                           "trace_id": TRACE}),
            text: "staging replay",
        },
    ];
    let loki = MockServer::start().await;
    let loki_asked = Arc::new(Mutex::new(Vec::new()));
    let log = loki_asked.clone();
    Mock::given(method("GET"))
        .and(path("/loki/api/v1/query_range"))
        .respond_with(move |request: &Request| {
            let tenant = request
                .headers
                .get("X-Scope-OrgID")
                .map(|v| v.to_str().unwrap().to_string());
            log.lock()
                .unwrap()
                .push((param(request, "query").unwrap(), tenant));
            loki_answer(request, now, &loki_lines)
        })
        .mount(&loki)
        .await;

    // Plain-text logs in Elasticsearch: the trace id only in the text, as the example's
    // trace_regex expects, except on payments, which writes ECS `trace.id`.
    let docs = vec![
        doc(
            "e1",
            30,
            "checkout",
            "error",
            &format!("payment failed: redis timeout after 3s trace_id={TRACE}"),
            None,
        ),
        doc("e2", 40, "checkout", "info", "order placed", None),
        doc("e3", 50, "payments", "error", "card declined", Some(TRACE)),
    ];
    let es = MockServer::start().await;
    let es_asked = Arc::new(Mutex::new(Vec::new()));
    let log = es_asked.clone();
    Mock::given(method("POST"))
        .and(path("/logs-*/_search"))
        .respond_with(move |request: &Request| {
            let key = request
                .headers
                .get("Authorization")
                .map(|v| v.to_str().unwrap().to_string());
            log.lock().unwrap().push(key);
            es_answer(request, now, &docs)
        })
        .mount(&es)
        .await;

    let gatewayd = Gatewayd::start(&[
        Entry::new(now - Duration::minutes(3), "checkout.service", 6, "healthy"),
        Entry::new(
            now - Duration::minutes(2),
            "checkout.service",
            3,
            "redis timeout",
        )
        .with("TRACE_ID", TRACE),
        Entry::new(
            now - Duration::minutes(2),
            "payments.service",
            4,
            "retrying card",
        )
        .with("TRACE_ID", TRACE),
    ]);

    let tables = example_log_sources();
    let kinds: Vec<String> = tables.iter().map(|t| kind_of(t)).collect();
    assert_eq!(kinds, ["loki", "elasticsearch", "journal"]);
    let urls = [loki.uri(), es.uri(), gatewayd.url.clone()];
    let config_text: String = tables
        .iter()
        .zip(&urls)
        .map(|(table, url)| with_url(table, url) + "\n")
        .collect();
    let dir = temp_dir("logs-examples");
    let config = dir.join("ondeck.toml");
    std::fs::write(&config, &config_text).unwrap();

    let commands = readme_commands();
    assert_eq!(commands.len(), 2, "{commands:?}");
    let (by_service, by_trace) = tokio::task::spawn_blocking({
        let config = config.clone();
        move || (ondeck(&config, &commands[0]), ondeck(&config, &commands[1]))
    })
    .await
    .unwrap();

    // `ondeck logs checkout --since 15m --grep redis`: each source's checkout line with
    // the text, oldest first, and nothing else.
    let text = String::from_utf8(by_service.stdout).unwrap();
    let stderr = String::from_utf8_lossy(&by_service.stderr);
    assert_eq!(by_service.status.code(), Some(0), "{text}{stderr}");
    let lines: Vec<&str> = text.lines().collect();
    let want = [
        ("journal", "redis timeout".to_string()),
        ("loki", "upstream Redis pool exhausted".to_string()),
        (
            "elastic",
            format!("payment failed: redis timeout after 3s trace_id={TRACE}"),
        ),
    ];
    assert_eq!(lines.len(), want.len(), "{text}");
    for (line, (source, message)) in lines.iter().zip(&want) {
        assert!(
            line.contains(&format!(" {source} ")) && line.ends_with(message.as_str()),
            "{source}'s {message:?} in its place:\n{text}"
        );
    }
    {
        let asked = loki_asked.lock().unwrap();
        // The per-service selector of the example replaces the general one for checkout;
        // every request carries the tenant.
        assert!(
            asked
                .iter()
                .any(|(q, _)| q == r#"{namespace="shop", app="checkout-api"} |~ "(?i)redis""#),
            "{asked:#?}"
        );
        assert!(
            asked
                .iter()
                .all(|(_, tenant)| tenant.as_deref() == Some("team-a")),
            "{asked:#?}"
        );
    }

    // `ondeck logs --trace … --format json`: every service's lines of the trace, from each
    // source, with the trace id found where the example says it is.
    let value: Value = serde_json::from_slice(&by_trace.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&by_trace.stderr));
    });
    assert_eq!(by_trace.status.code(), Some(0), "{value:#}");
    let mut found: Vec<(String, String)> = value["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            assert_eq!(l["trace_id"], TRACE, "{l:#}");
            (
                l["source"].as_str().unwrap().to_string(),
                l["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    found.sort();
    let want = [
        ("elastic", "card declined".to_string()),
        (
            "elastic",
            format!("payment failed: redis timeout after 3s trace_id={TRACE}"),
        ),
        ("journal", "redis timeout".to_string()),
        ("journal", "retrying card".to_string()),
        ("loki", "card network slow".to_string()),
        ("loki", "upstream Redis pool exhausted".to_string()),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(s, m)| (s.to_string(), m.clone()))
        .collect();
    assert_eq!(found, want, "{value:#}");
    for source in value["sources"].as_array().unwrap() {
        assert_eq!(source["error"], Value::Null, "{source:#}");
    }
    assert!(
        es_asked
            .lock()
            .unwrap()
            .iter()
            .all(|key| key.as_deref() == Some(&format!("ApiKey {API_KEY}") as &str)),
        "the key from the variable the example names"
    );

    // A service without a selector of its own gets the example's general one, prod only.
    let payments = tokio::task::spawn_blocking({
        let config = config.clone();
        move || ondeck(&config, &["logs".into(), "payments".into()])
    })
    .await
    .unwrap();
    let text = String::from_utf8(payments.stdout).unwrap();
    assert_eq!(payments.status.code(), Some(0), "{text}");
    let from_loki: Vec<&str> = text.lines().filter(|l| l.contains(" loki ")).collect();
    assert_eq!(from_loki.len(), 1, "the prod line only: {text}");
    assert!(from_loki[0].ends_with(" card network slow"), "{text}");
    assert!(
        loki_asked
            .lock()
            .unwrap()
            .iter()
            .any(|(q, _)| q == r#"{app="payments", env="prod"}"#)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

//! SLOs as code: `slo_files` loads SLO definitions from the files teams already keep in git —
//! Sloth (`prometheus/v1` and the `sloth.slok.dev/v1` Kubernetes resources, including
//! `AlertWindows`), OpenSLO v1 (single documents, `---` streams and top-level lists) and Pyrra
//! `ServiceLevelObjective`s. Entries are paths or globs from the config file's directory, each
//! optionally with the source that measures its SLOs: `{ path = "slos/*.yaml", source = "vm" }`.
//!
//! **One file's problem is that file's.** Every file is read and every problem reported in one
//! run, each naming the file, the document (`document 2 (apiVersion openslo/v1, kind SLO)`),
//! the field and what is wrong; the SLO (or document) it concerns is skipped and the rest
//! loads. Problems and fields ondeck cannot honour are returned as warnings with the config,
//! which `check-config`, the cockpit's status bar and `snapshot` show; nothing here stops the
//! cockpit, incidents or acknowledges from working.

mod alert_windows;
mod document;
mod fields;
mod glob;
mod openslo;
mod pyrra;
mod sloth;
mod template;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use toml::Spanned;

use super::error::{ConfigError, Locator};
use super::file::RawSloFile;
use super::model::{SloConfig, SloSliConfig, SourceConfig};
use super::slo_source;
use crate::slo::{TierSpec, Window, tiers_for};
use document::{Document, EXPECTED, Kind};
use fields::{Ctx, Problem};
use openslo::{Place, Registry};

/// What `slo_files` added to the config.
#[derive(Debug, Default)]
pub(crate) struct SloFiles {
    /// The SLOs that loaded, in file and document order, each with its source.
    pub(crate) slos: Vec<SloConfig>,
    /// Alert tiers by SLO period, from `AlertWindows` documents.
    pub(crate) period_tiers: BTreeMap<Window, Vec<TierSpec>>,
    /// Everything skipped or not honoured, one line each.
    pub(crate) warnings: Vec<String>,
}

/// An SLO read from a document, before its source is resolved and it is checked.
pub(super) struct Draft {
    pub(super) slo: SloConfig,
    /// The data source its queries name (`metricSourceRef`): the field and the name.
    pub(super) source_ref: Option<(String, String)>,
}

impl Draft {
    fn new(slo: SloConfig) -> Self {
        Self {
            slo,
            source_ref: None,
        }
    }

    /// A draft with only its SLI known yet; the caller fills in the rest.
    fn sli_only(sli: SloSliConfig) -> Self {
        Self::new(SloConfig {
            name: String::new(),
            service: String::new(),
            objective: 0.0,
            window: super::model::DEFAULT_WINDOW,
            period: None,
            source: None,
            sli,
        })
    }
}

/// One file's documents and the entry that named it.
struct File {
    path: PathBuf,
    /// The entry's `source`, if it named one.
    source: Option<String>,
    /// The entry as written, for messages.
    pattern: String,
    docs: Vec<Document>,
}

/// Loads every SLO the `slo_files` entries name. Only an entry that is itself wrong (an empty
/// path) is an error; everything about the files is a warning.
pub(crate) fn load(
    entries: Option<Vec<Spanned<RawSloFile>>>,
    base: Option<&Path>,
    sources: &[SourceConfig],
    tiers: &[TierSpec],
    declared: &[SloConfig],
    at: &Locator<'_>,
) -> Result<SloFiles, ConfigError> {
    let mut out = SloFiles::default();
    let mut files = Vec::new();
    for entry in entries.unwrap_or_default() {
        let span = entry.span();
        let entry = entry.into_inner();
        if entry.path.trim().is_empty() {
            return Err(at.at(Some(span), "an slo_files entry must not be empty"));
        }
        let matched = glob::expand(&entry.path, base);
        if matched.is_empty() {
            out.warnings.push(format!(
                "{}: slo_files: `{}` matches no file",
                at.path.display(),
                entry.path
            ));
        }
        for path in matched {
            match std::fs::read_to_string(&path) {
                Ok(text) => {
                    let (docs, error) = document::split(&text);
                    if let Some(error) = error {
                        let place = error
                            .line
                            .map_or_else(String::new, |(l, c)| format!(":{l}:{c}"));
                        out.warnings.push(format!(
                            "{}{place}: not valid YAML: {}; the documents from there on are skipped",
                            path.display(),
                            error.message
                        ));
                    }
                    files.push(File {
                        path,
                        source: entry.source.clone(),
                        pattern: entry.path.clone(),
                        docs,
                    });
                }
                Err(error) => out.warnings.push(format!(
                    "{}: cannot read this SLO file ({error}): its SLOs are skipped",
                    path.display()
                )),
            }
        }
    }
    let registry = collect(&files, &mut out);
    for file in &files {
        for doc in &file.docs {
            let mut ctx = Ctx {
                file: &file.path,
                document: doc.described(),
                warnings: &mut out.warnings,
            };
            for (draft, what) in drafts(doc, &registry, &mut ctx) {
                let checked = draft.and_then(|draft| {
                    finish(
                        draft,
                        file,
                        sources,
                        tiers,
                        &out.period_tiers,
                        declared,
                        &out.slos,
                    )
                });
                match checked {
                    Ok(slo) => out.slos.push(slo),
                    Err(problem) => ctx.skip(&problem, &what),
                }
            }
        }
    }
    // Warnings quote the files (field names, what was found): control and bidi characters
    // are shown as escapes, never sent to a terminal.
    for warning in &mut out.warnings {
        *warning = visible(warning);
    }
    Ok(out)
}

/// `text` with control and bidirectional-override characters written as `\u{…}` escapes.
fn visible(text: &str) -> String {
    text.chars()
        .map(|c| {
            let bidi = matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
            if c.is_control() || bidi {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// First pass: the documents others depend on — `AlertWindows` (the tiers of a period) and
/// OpenSLO `SLI` and `DataSource` documents (looked up by name).
fn collect(files: &[File], out: &mut SloFiles) -> Registry {
    let mut registry = Registry::default();
    for file in files {
        for doc in &file.docs {
            let mut ctx = Ctx {
                file: &file.path,
                document: doc.described(),
                warnings: &mut out.warnings,
            };
            match &doc.kind {
                Kind::AlertWindows => match alert_windows::read(&doc.value, &mut ctx) {
                    Ok((period, _)) if out.period_tiers.contains_key(&period) => {
                        let problem = ctx.error(
                            "spec.sloPeriod",
                            format!("another AlertWindows document already gives the tiers of {period} SLOs"),
                        );
                        ctx.skip(&problem, "these alert windows are");
                    }
                    Ok((period, tiers)) => {
                        out.period_tiers.insert(period, tiers);
                    }
                    Err(problem) => ctx.skip(&problem, "these alert windows are"),
                },
                Kind::OpenSlo(kind) if kind == "SLI" || kind == "DataSource" => {
                    let place = Place {
                        file: file.path.clone(),
                        document: doc.described(),
                    };
                    if let Err(message) = registry.add(kind, &doc.value, place) {
                        let problem = ctx.error("metadata.name", message);
                        ctx.skip(&problem, &format!("this {kind} is"));
                    }
                }
                _ => {}
            }
        }
    }
    registry
}

/// The SLOs a document defines, each loaded or with the problem that skips it and what is
/// skipped (`SLO \`checkout/availability\``, `this document`).
fn drafts(
    doc: &Document,
    registry: &Registry,
    ctx: &mut Ctx<'_>,
) -> Vec<(Result<Draft, Problem>, String)> {
    let whole = "this document's SLOs are".to_string();
    match &doc.kind {
        Kind::Sloth | Kind::SlothKubernetes => {
            match sloth::read(&doc.value, doc.kind == Kind::SlothKubernetes, ctx) {
                Ok(slos) => slos
                    .into_iter()
                    .map(|result| match result {
                        Ok(draft) => {
                            let what = format!("SLO `{}/{}` is", draft.slo.service, draft.slo.name);
                            (Ok(draft), what)
                        }
                        Err((problem, id)) => (Err(problem), format!("SLO `{id}` is")),
                    })
                    .collect(),
                Err(problem) => vec![(Err(problem), whole)],
            }
        }
        Kind::OpenSlo(kind) if kind == "SLO" => match openslo::read(&doc.value, registry, ctx) {
            Ok(slos) => slos
                .into_iter()
                .map(|draft| {
                    let what = format!("SLO `{}/{}` is", draft.slo.service, draft.slo.name);
                    (Ok(draft), what)
                })
                .collect(),
            Err(problem) => vec![(Err(problem), whole)],
        },
        Kind::Pyrra => match pyrra::read(&doc.value, ctx) {
            Ok(draft) => {
                let what = format!("SLO `{}/{}` is", draft.slo.service, draft.slo.name);
                vec![(Ok(draft), what)]
            }
            Err(problem) => vec![(Err(problem), whole)],
        },
        // Read in the first pass, or nothing to measure (services, alert policies, …).
        Kind::AlertWindows => Vec::new(),
        Kind::OpenSlo(kind) if OPENSLO_KINDS.contains(&kind.as_str()) => Vec::new(),
        Kind::OpenSlo(kind) => vec![(
            Err(ctx.error(
                "kind",
                format!(
                    "`{kind}` is not an OpenSLO v1 kind ({})",
                    OPENSLO_KINDS.join(", ")
                ),
            )),
            "this document is".to_string(),
        )],
        Kind::Unknown(_) => {
            let message = match doc.value.get("apiVersion").and_then(|v| v.as_str()) {
                Some(api) if api.starts_with("openslo/") => {
                    format!("OpenSLO `{api}` is not read: ondeck reads apiVersion openslo/v1")
                }
                _ => format!("not a document ondeck reads: {EXPECTED}"),
            };
            vec![(Err(ctx.error("", message)), "this document is".to_string())]
        }
    }
}

/// The OpenSLO v1 kinds.
const OPENSLO_KINDS: [&str; 7] = [
    "SLO",
    "SLI",
    "DataSource",
    "Service",
    "AlertPolicy",
    "AlertCondition",
    "AlertNotificationTarget",
];

/// Gives a draft its source and checks the rules every SLO meets, as for `[[slo]]`: a unique
/// id, an objective strictly between 0 and 100%, a period longer than its tiers' longest
/// window.
fn finish(
    draft: Draft,
    file: &File,
    sources: &[SourceConfig],
    tiers: &[TierSpec],
    period_tiers: &BTreeMap<Window, Vec<TierSpec>>,
    declared: &[SloConfig],
    loaded: &[SloConfig],
) -> Result<SloConfig, Problem> {
    let Draft {
        mut slo,
        source_ref,
    } = draft;
    let problem = |field: &str, message: String| Problem {
        field: field.to_string(),
        message,
    };
    let how = format!(
        "name one in its slo_files entry: {{ path = \"{}\", source = \"…\" }}",
        file.pattern
    );
    let source = match (&source_ref, &file.source) {
        (Some((field, named)), Some(entry)) if named != entry => {
            return Err(problem(
                field,
                format!(
                    "names data source `{named}`, but its slo_files entry says source = \"{entry}\""
                ),
            ));
        }
        (Some((field, named)), _) => slo_source::resolve(Some(named), sources, &how)
            .map_err(|e| problem(field, format!("metricSourceRef: {e}")))?,
        (None, entry) => {
            slo_source::resolve(entry.as_deref(), sources, &how).map_err(|e| problem("", e))?
        }
    };
    slo.source = Some(source);
    let id = format!("{}/{}", slo.service, slo.name);
    if declared
        .iter()
        .any(|s| s.service == slo.service && s.name == slo.name)
    {
        return Err(problem(
            "",
            format!("SLO `{id}` is already defined by an [[slo]] of the config"),
        ));
    }
    if loaded
        .iter()
        .any(|s| s.service == slo.service && s.name == slo.name)
    {
        return Err(problem(
            "",
            format!("SLO `{id}` is defined twice in the SLO files"),
        ));
    }
    if !(slo.objective > 0.0 && slo.objective < 1.0) {
        let percent = slo.objective * 100.0;
        return Err(problem(
            "",
            format!("SLO `{id}`: objective {percent}% must be above 0 and below 100"),
        ));
    }
    let own = tiers_for(tiers, period_tiers, slo.window);
    if let Some(longest) = own.iter().map(|t| t.long_window).max()
        && slo.window <= longest
    {
        return Err(problem(
            "",
            format!(
                "SLO `{id}`: period {} is not longer than the longest alert tier window ({longest})",
                slo.window
            ),
        ));
    }
    Ok(slo)
}

//! SLOs as code: `slo_files = ["path/or/glob", …]` loads SLO definitions from the files
//! teams already keep in git — Sloth `prometheus/v1` specs and OpenSLO v1 `kind: SLO`
//! documents, several per file allowed (`---`).
//!
//! Paths and globs start at the config file's directory. A file that is not YAML, a missing
//! required field or an SLO defined twice is an error naming the file and field; a field
//! ondeck cannot honour is a warning naming the file and field, returned with the config.
//! A glob that matches nothing is a warning too, so a fresh checkout without SLO files
//! still starts.

mod fields;
mod glob;
mod openslo;
mod sloth;

use std::path::Path;

use serde::Deserialize;
use serde_yaml_ng::Value;
use toml::Spanned;

use super::error::{ConfigError, Locator};
use super::model::SloConfig;
use crate::slo::TierSpec;
use fields::Ctx;

/// Loads every SLO the `slo_files` entries name into `slos`, after the `[[slo]]` tables, and
/// returns the warnings.
pub(crate) fn load_into(
    slos: &mut Vec<SloConfig>,
    patterns: Option<Vec<Spanned<String>>>,
    base: Option<&Path>,
    tiers: &[TierSpec],
    at: &Locator<'_>,
) -> Result<Vec<String>, ConfigError> {
    let mut warnings = Vec::new();
    for pattern in patterns.unwrap_or_default() {
        let span = pattern.span();
        let pattern = pattern.into_inner();
        if pattern.trim().is_empty() {
            return Err(at.at(Some(span), "an slo_files entry must not be empty"));
        }
        let files = glob::expand(&pattern, base);
        if files.is_empty() {
            warnings.push(format!(
                "{}: slo_files: `{pattern}` matches no file",
                at.path.display()
            ));
        }
        for file in files {
            let text = std::fs::read_to_string(&file).map_err(|e| {
                at.at(
                    Some(span.clone()),
                    format!("cannot read SLO file {}: {e}", file.display()),
                )
            })?;
            let mut ctx = Ctx {
                file: &file,
                warnings: &mut warnings,
            };
            for slo in read_file(&text, &mut ctx)? {
                check(&slo, slos, tiers, &ctx)?;
                slos.push(slo);
            }
        }
    }
    Ok(warnings)
}

/// Every SLO of one file, document by document.
fn read_file(text: &str, ctx: &mut Ctx<'_>) -> Result<Vec<SloConfig>, ConfigError> {
    let mut out = Vec::new();
    for document in serde_yaml_ng::Deserializer::from_str(text) {
        let doc = Value::deserialize(document).map_err(|e| yaml_error(ctx, &e))?;
        if doc.is_null() {
            continue;
        }
        let slos = if sloth::is_sloth(&doc) {
            sloth::read(&doc, ctx)?
        } else if openslo::is_openslo(&doc) {
            openslo::read(&doc, ctx)?
        } else {
            return Err(ctx.error(
                "",
                "not a Sloth spec (version: prometheus/v1) or an OpenSLO document (apiVersion: openslo/v1)",
            ));
        };
        out.extend(slos);
    }
    Ok(out)
}

fn yaml_error(ctx: &Ctx<'_>, error: &serde_yaml_ng::Error) -> ConfigError {
    let mut out = ctx.error("", format!("not valid YAML: {error}"));
    if let Some(location) = error.location() {
        out.line = Some(location.line());
        out.column = Some(location.column());
    }
    out
}

/// The rules every SLO meets, as for `[[slo]]`: a unique id, an objective strictly between
/// 0 and 100%, and a period longer than every alert tier's long window.
fn check(
    slo: &SloConfig,
    before: &[SloConfig],
    tiers: &[TierSpec],
    ctx: &Ctx<'_>,
) -> Result<(), ConfigError> {
    let id = format!("{}/{}", slo.service, slo.name);
    if before
        .iter()
        .any(|s| s.service == slo.service && s.name == slo.name)
    {
        return Err(ctx.error("", format!("SLO `{id}` is defined twice")));
    }
    if !(slo.objective > 0.0 && slo.objective < 1.0) {
        let percent = slo.objective * 100.0;
        return Err(ctx.error(
            "",
            format!("SLO `{id}`: objective {percent}% must be above 0 and below 100"),
        ));
    }
    if let Some(longest) = tiers.iter().map(|t| t.long_window).max()
        && slo.window <= longest
    {
        return Err(ctx.error(
            "",
            format!(
                "SLO `{id}`: window {} is not longer than the longest alert tier window ({longest})",
                slo.window
            ),
        ));
    }
    Ok(())
}

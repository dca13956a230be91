//! Every SLO is measured by exactly one source. An SLO that names its source must name a
//! configured Prometheus-compatible source; one that names none is measured by the only such
//! source. With none, or with several and no name, there is no right answer, so it is an
//! error saying which sources could measure it — never a guess, and never an SLO that
//! silently disappears when a second Prometheus is added.

use super::model::{SourceConfig, SourceKind};

/// The names of the sources that can measure SLOs, in config order.
pub(crate) fn measuring(sources: &[SourceConfig]) -> Vec<&str> {
    sources
        .iter()
        .filter(|s| s.kind == SourceKind::Prometheus)
        .map(|s| s.name.as_str())
        .collect()
}

/// The source that measures an SLO: `named` if given, else the only Prometheus source.
/// `how_to_name` says where the name goes (`source = "…"` in `[[slo]]`, or the file's
/// `slo_files` entry).
pub(crate) fn resolve(
    named: Option<&str>,
    sources: &[SourceConfig],
    how_to_name: &str,
) -> Result<String, String> {
    let candidates = measuring(sources);
    let listed = |c: &[&str]| {
        c.iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some(name) = named {
        return match sources.iter().find(|s| s.name == name) {
            Some(s) if s.kind == SourceKind::Prometheus => Ok(name.to_string()),
            Some(s) => Err(format!(
                "source `{name}` is a {} source; SLOs are measured by a prometheus source ({})",
                s.kind.as_str(),
                if candidates.is_empty() {
                    "none is configured".to_string()
                } else {
                    listed(&candidates)
                }
            )),
            None if candidates.is_empty() => Err(format!(
                "source `{name}` is not configured, and no prometheus source is: add a [[source]] with kind = \"prometheus\""
            )),
            None => Err(format!(
                "source `{name}` is not configured: the prometheus sources are {}",
                listed(&candidates)
            )),
        };
    }
    match candidates.as_slice() {
        [only] => Ok((*only).to_string()),
        [] => Err(
            "no source can measure it: add a [[source]] with kind = \"prometheus\" (demo sources bring their own SLOs)"
                .to_string(),
        ),
        several => Err(format!(
            "it names no source and {} prometheus sources could measure it ({}): {how_to_name}",
            several.len(),
            listed(several)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(name: &str, kind: SourceKind) -> SourceConfig {
        SourceConfig {
            kind,
            ..SourceConfig::demo(name)
        }
    }

    #[test]
    fn exactly_one_source_or_an_error_naming_the_candidates() {
        let prom = source("prom", SourceKind::Prometheus);
        let vm = source("vm", SourceKind::Prometheus);
        let pd = source("pd", SourceKind::Pagerduty);
        let how = "set source = \"…\"";
        assert_eq!(
            resolve(None, &[prom.clone(), pd.clone()], how),
            Ok("prom".into())
        );
        assert_eq!(
            resolve(None, &[prom.clone(), vm.clone()], how),
            Err("it names no source and 2 prometheus sources could measure it (`prom`, `vm`): set source = \"…\"".into())
        );
        assert_eq!(
            resolve(Some("vm"), &[prom.clone(), vm.clone()], how),
            Ok("vm".into())
        );
        assert!(
            resolve(Some("pd"), &[prom.clone(), pd.clone()], how)
                .unwrap_err()
                .starts_with("source `pd` is a pagerduty source")
        );
        assert!(
            resolve(Some("nope"), std::slice::from_ref(&prom), how)
                .unwrap_err()
                .ends_with("the prometheus sources are `prom`")
        );
        assert!(resolve(None, &[source("demo", SourceKind::Demo)], how).is_err());
    }
}

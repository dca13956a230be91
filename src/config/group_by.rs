//! `group_by` on `[[slo]]`: the labels that split one SLO definition into one SLO per label
//! value, checked and wrapped around the SLI.

use toml::Spanned;

use super::error::{ConfigError, Locator};
use super::model::SloSliConfig;

type Checked<T> = Result<T, ConfigError>;

/// Wraps `sli` in its `group_by` labels: each a Prometheus label name, none twice, none of
/// the labels ondeck itself sums by for latency (`le`).
pub(crate) fn validate_group_by(
    labels: Spanned<Vec<Spanned<String>>>,
    sli: SloSliConfig,
    at: &Locator<'_>,
) -> Checked<SloSliConfig> {
    if labels.get_ref().is_empty() {
        return Err(at.at(
            Some(labels.span()),
            "group_by needs at least one label: leave it out for one SLO",
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(labels.get_ref().len());
    for label in labels.into_inner() {
        let name = label.get_ref();
        let valid = name
            .chars()
            .enumerate()
            .all(|(i, c)| c == '_' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit()));
        let problem = if name.is_empty() || !valid || name.starts_with("__") {
            Some(format!(
                "`{name}` is not a label name: use letters, digits and _, e.g. route"
            ))
        } else if name == "le" {
            Some("group_by cannot use `le`, the histogram bucket label".to_string())
        } else if out.contains(name) {
            Some(format!("label `{name}` is listed twice"))
        } else {
            None
        };
        if let Some(message) = problem {
            return Err(at.at(Some(label.span()), message));
        }
        out.push(label.into_inner());
    }
    Ok(SloSliConfig::Grouped {
        labels: out,
        sli: Box::new(sli),
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::config::{SloSliConfig, parse};

    fn slo_with(group_by: &str) -> Result<SloSliConfig, String> {
        let text = format!(
            "[[slo]]\nname = 'a'\nservice = 's'\nobjective = 99.9\ngood = 'g'\ntotal = 't'\ngroup_by = {group_by}\n[[source]]\nname = 'p'\nkind = 'prometheus'\nurl = 'http://p'\n"
        );
        parse(&text, Path::new("c.toml"))
            .map(|c| c.slos[0].sli.clone())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn group_by_wraps_the_sli_in_its_labels() {
        let sli = slo_with(r#"["route", "region"]"#).unwrap();
        let (inner, labels) = sli.ungrouped();
        assert_eq!(labels, ["route", "region"]);
        assert!(matches!(inner, SloSliConfig::GoodRatio { good, .. } if good == "g"));
    }

    #[test]
    fn bad_group_labels_are_errors_at_the_label() {
        for (value, message) in [
            ("[]", "at least one label"),
            (r#"["le"]"#, "bucket label"),
            (r#"["route", "route"]"#, "listed twice"),
            (r#"["2fast"]"#, "not a label name"),
            (r#"["__name__"]"#, "not a label name"),
        ] {
            let error = slo_with(value).unwrap_err();
            assert!(error.contains("c.toml:7:"), "{value}: {error}");
            assert!(error.contains(message), "{value}: {error}");
        }
    }
}

//! Turns the file as written into a [`Config`]: applies defaults, checks every rule a value
//! must meet, and reports the first problem at the value that breaks it.

use std::ops::Range;
use std::path::Path;
use std::time::Duration;

use toml::Spanned;

use super::backend::{RawIncidentFields, validate_incident};
use super::error::{ConfigError, Locator};
use super::file::{RawConfig, RawSlo, RawSource, RawTier};
use super::http::{RawHttp, validate_http};
use super::model::{
    Config, DEFAULT_STEP_TIMEOUT, DEFAULT_TIMEOUT, DEFAULT_WINDOW, DEMO_SEED, SloConfig,
    SloSliConfig, SourceConfig, default_runbook_dirs, default_user,
};
use super::overrides::{check_keys, check_theme_overrides};
use super::secret::SecretRef;
use super::theme::{Theme, ThemeError};
use crate::slo::{TierSpec, Window, default_tiers};

type Checked<T> = Result<T, ConfigError>;

/// Validates a deserialized file. `base` is the config file's directory, for `token_file`.
pub(crate) fn validate(raw: RawConfig, base: Option<&Path>, at: &Locator<'_>) -> Checked<Config> {
    let mut sources = Vec::with_capacity(raw.source.len());
    for source in raw.source {
        let source = source.into_inner();
        if sources
            .iter()
            .any(|s: &SourceConfig| s.name == *source.name.get_ref())
        {
            return Err(at.at(
                Some(source.name.span()),
                format!(
                    "source name `{}` is used twice: names must be unique",
                    source.name.get_ref()
                ),
            ));
        }
        sources.push(validate_source(source, base, at)?);
    }
    let tiers = match raw.tier {
        None => default_tiers(),
        Some(tiers) => validate_tiers(tiers, at)?,
    };
    let mut slos: Vec<SloConfig> = Vec::with_capacity(raw.slo.len());
    for slo in raw.slo {
        let name_span = slo.get_ref().name.span();
        let slo = validate_slo(slo, &sources, &tiers, at)?;
        if slos
            .iter()
            .any(|s| s.service == slo.service && s.name == slo.name)
        {
            return Err(at.at(
                Some(name_span),
                format!("SLO `{}/{}` is defined twice", slo.service, slo.name),
            ));
        }
        slos.push(slo);
    }
    let files = super::slo_files::load(raw.slo_files, base, &sources, &tiers, &slos, at)?;
    slos.extend(files.slos);
    let theme = match raw.theme {
        Some(name) if !Theme::builtin_names().contains(&name.get_ref().as_str()) => {
            let error = ThemeError::UnknownTheme(name.get_ref().clone());
            return Err(at.at(Some(name.span()), error.to_string()));
        }
        other => other.map(Spanned::into_inner),
    };
    let user = match raw.user {
        Some(user) if user.get_ref().trim().is_empty() => {
            return Err(at.at(Some(user.span()), "user must not be empty"));
        }
        Some(user) => user.into_inner(),
        None => default_user(),
    };
    if let Some(keys) = &raw.keys {
        check_keys(keys, at)?;
    }
    if let Some(overrides) = &raw.theme_overrides {
        check_theme_overrides(overrides, at)?;
    }
    let runbook_dirs = match raw.runbook_dirs {
        None => default_runbook_dirs(),
        Some(dirs) => {
            let mut out = Vec::with_capacity(dirs.len());
            for dir in dirs {
                let dir = non_empty(dir, "a runbook_dirs entry", at)?;
                out.push(expand_dir(&dir, base));
            }
            out
        }
    };
    let step_timeout = match raw.step_timeout {
        Some(timeout) if timeout.get_ref().0.is_zero() => {
            return Err(at.at(
                Some(timeout.span()),
                "step_timeout must be above 0, e.g. 5m",
            ));
        }
        Some(timeout) => timeout.into_inner().0,
        None => DEFAULT_STEP_TIMEOUT,
    };
    Ok(Config {
        theme,
        user,
        readonly: raw.readonly,
        tiers,
        period_tiers: files.period_tiers,
        sources,
        slos,
        keys: raw.keys,
        theme_overrides: raw.theme_overrides,
        runbook_dirs,
        post_notes: raw.post_notes,
        runbook_trusted_urls: super::runbook_trust::trusted_urls(raw.runbook_trusted_urls, at)?,
        runbook_env: super::runbook_trust::env_names(raw.runbook_env, at)?,
        step_timeout,
        mouse: raw.mouse,
        ascii: raw.ascii,
        warnings: files.warnings,
        run_needs: Vec::new(),
    })
}

/// A runbook directory as written: `~/` is the home directory, relative paths start at the
/// config file's directory.
fn expand_dir(dir: &str, base: Option<&Path>) -> std::path::PathBuf {
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    match (dir.strip_prefix("~/"), home) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => {
            let path = Path::new(dir);
            match base {
                Some(base) if path.is_relative() => base.join(path),
                _ => path.to_path_buf(),
            }
        }
    }
}

fn non_empty(value: Spanned<String>, what: &str, at: &Locator<'_>) -> Checked<String> {
    if value.get_ref().trim().is_empty() {
        return Err(at.at(Some(value.span()), format!("{what} must not be empty")));
    }
    Ok(value.into_inner())
}

fn validate_source(
    mut raw: RawSource,
    base: Option<&Path>,
    at: &Locator<'_>,
) -> Checked<SourceConfig> {
    let incident_fields = RawIncidentFields::take(&mut raw);
    let log_fields = super::logs::RawLogFields::take(&mut raw);
    let change_fields = super::changes::RawChangeFields::take(&mut raw);
    let name_span = raw.name.span();
    let name = non_empty(raw.name, "the source name", at)?;
    let refresh = match raw.refresh {
        Some(refresh) if refresh.get_ref().0 < Duration::from_secs(1) => {
            return Err(at.at(
                Some(refresh.span()),
                format!(
                    "refresh {} is too short: poll at most once a second, e.g. 5s",
                    refresh.get_ref()
                ),
            ));
        }
        Some(refresh) => refresh.into_inner().0,
        None => raw.kind.default_refresh(),
    };
    let timeout = match raw.timeout {
        Some(timeout) if timeout.get_ref().0.is_zero() => {
            return Err(at.at(Some(timeout.span()), "timeout must be above 0, e.g. 10s"));
        }
        Some(timeout) => timeout.into_inner().0,
        None => DEFAULT_TIMEOUT,
    };
    let url = match raw.url {
        Some(url)
            if !(url.get_ref().starts_with("http://") || url.get_ref().starts_with("https://")) =>
        {
            return Err(at.at(
                Some(url.span()),
                format!("`{}` is not an http:// or https:// URL", url.get_ref()),
            ));
        }
        other => other.map(Spanned::into_inner),
    };
    let token = match (raw.token_env, raw.token_file) {
        (Some(_), Some(file)) => {
            return Err(at.at(Some(file.span()), "give token_env or token_file, not both"));
        }
        (Some(env), None) => {
            let name = env.get_ref();
            if name.is_empty()
                || name.contains(|c: char| c == '=' || c == '\0' || c.is_whitespace())
            {
                return Err(at.at(
                    Some(env.span()),
                    format!("{name:?} is not an environment variable name"),
                ));
            }
            Some(SecretRef::Env(env.into_inner()))
        }
        (None, Some(file)) => {
            let file = non_empty(file, "token_file", at)?;
            Some(SecretRef::file_relative_to(&file, base))
        }
        (None, None) => None,
    };
    let http = RawHttp {
        username: raw.username,
        password_env: raw.password_env,
        password_file: raw.password_file,
        headers: raw.headers,
        ca_file: raw.ca_file,
        has_token: token.is_some(),
    };
    let changes = super::changes::validate_changes(
        change_fields,
        raw.kind,
        url.is_some(),
        name_span.clone(),
        at,
    )?;
    let (incident, default_url) = validate_incident(
        incident_fields,
        raw.kind,
        url.as_deref(),
        token.is_some(),
        name_span,
        at,
    )?;
    Ok(SourceConfig {
        name,
        kind: raw.kind,
        refresh,
        timeout,
        seed: raw.seed.unwrap_or(DEMO_SEED),
        url: url.or(default_url),
        token,
        http: validate_http(http, base, at)?,
        recording_rules: raw.use_recording_rules,
        incident,
        logs: super::logs::validate_logs(log_fields, raw.kind, at)?,
        changes,
    })
}

fn validate_tiers(
    tiers: Spanned<Vec<Spanned<RawTier>>>,
    at: &Locator<'_>,
) -> Checked<Vec<TierSpec>> {
    if tiers.get_ref().is_empty() {
        return Err(at.at(
            Some(tiers.span()),
            "at least one tier is needed: leave out [[tier]] to use the default tiers",
        ));
    }
    let mut out = Vec::with_capacity(tiers.get_ref().len());
    for tier in tiers.into_inner() {
        let tier = tier.into_inner();
        let short = *tier.short_window.get_ref();
        if short >= tier.long_window {
            return Err(at.at(
                Some(tier.short_window.span()),
                format!(
                    "short window {short} must be shorter than the long window {}",
                    tier.long_window
                ),
            ));
        }
        let share = *tier.budget_share.get_ref();
        if !(share > 0.0 && share <= 1.0) {
            return Err(at.at(
                Some(tier.budget_share.span()),
                format!("budget_share {share} is a fraction of the budget: use a value above 0 and at most 1, e.g. 0.02"),
            ));
        }
        out.push(TierSpec {
            severity: tier.severity,
            long_window: tier.long_window,
            short_window: short,
            budget_share: share,
        });
    }
    Ok(out)
}

/// A percentage as written (`99.9`) to a fraction (`0.999`), without the float noise of a
/// plain division (99.9 / 100 is 0.9990000000000001).
/// A percentage as the fraction the math uses, rounded so `99.9` is exactly `0.999`.
pub(super) fn percent_to_fraction(percent: f64) -> f64 {
    (percent * 1e10).round() / 1e12
}

fn objective(value: &Spanned<f64>, at: &Locator<'_>) -> Checked<f64> {
    let percent = *value.get_ref();
    let problem = if !percent.is_finite() {
        Some("objective must be a percentage between 0 and 100, e.g. 99.9".to_string())
    } else if percent == 100.0 {
        Some("objective 100 leaves no error budget: use a value below 100, e.g. 99.99".to_string())
    } else if percent > 100.0 {
        Some(format!(
            "objective {percent} is above 100: it is a percentage, e.g. 99.9"
        ))
    } else if percent <= 0.0 {
        Some(format!(
            "objective {percent} must be above 0: it is the percentage of good events, e.g. 99.9"
        ))
    } else if percent < 1.0 {
        let meant = (percent * 1e12).round() / 1e10;
        Some(format!(
            "objective {percent} is a percentage, not a fraction: did you mean {meant}?"
        ))
    } else {
        None
    };
    match problem {
        Some(message) => Err(at.at(Some(value.span()), message)),
        None => Ok(percent_to_fraction(percent)),
    }
}

fn validate_slo(
    slo: Spanned<RawSlo>,
    sources: &[SourceConfig],
    tiers: &[TierSpec],
    at: &Locator<'_>,
) -> Checked<SloConfig> {
    let slo_span = slo.span();
    let raw = slo.into_inner();
    let name = non_empty(raw.name, "the SLO name", at)?;
    let service = non_empty(raw.service, "the service", at)?;
    let objective = objective(&raw.objective, at)?;
    let window = match raw.window {
        Some(window) => {
            let longest = tiers
                .iter()
                .map(|t| t.long_window)
                .max()
                .unwrap_or(Window::seconds(0));
            if *window.get_ref() <= longest {
                return Err(at.at(
                    Some(window.span()),
                    format!(
                        "window {} is not longer than the longest alert tier window ({longest}): use a period such as 28d or 30d",
                        window.get_ref()
                    ),
                ));
            }
            window.into_inner()
        }
        None => DEFAULT_WINDOW,
    };
    let sli = sli(
        slo_span.clone(),
        [raw.good, raw.bad, raw.total, raw.metric],
        raw.threshold,
        at,
    )?;
    let sli = match raw.group_by {
        Some(labels) => super::group_by::validate_group_by(labels, sli, at)?,
        None => sli,
    };
    let how = "set source = \"…\" on this [[slo]]";
    let source = match raw.source {
        Some(named) => super::slo_source::resolve(Some(named.get_ref()), sources, how)
            .map_err(|e| at.at(Some(named.span()), e))?,
        None => super::slo_source::resolve(None, sources, how).map_err(|e| {
            at.at(
                Some(slo_span.clone()),
                format!("SLO `{service}/{name}`: {e}"),
            )
        })?,
    };
    Ok(SloConfig {
        name,
        service,
        objective,
        window,
        period: None,
        source: Some(source),
        sli,
    })
}

const SLI_HELP: &str = "say what the SLO measures: good or bad with total (a ratio of events), or metric with threshold (latency)";

/// Reads the SLI from the flat `[[slo]]` fields: `good`|`bad` + `total`, or `metric` +
/// `threshold`.
fn sli(
    slo_span: Range<usize>,
    [good, bad, total, metric]: [Option<Spanned<String>>; 4],
    threshold: Option<Spanned<f64>>,
    at: &Locator<'_>,
) -> Checked<SloSliConfig> {
    let is_ratio = good.is_some() || bad.is_some() || total.is_some();
    let is_latency = metric.is_some() || threshold.is_some();
    if is_ratio && is_latency {
        let span = metric
            .as_ref()
            .map(Spanned::span)
            .or(threshold.as_ref().map(Spanned::span));
        return Err(at.at(
            span,
            "an SLO is a ratio (good or bad, with total) or latency (metric, threshold), not both",
        ));
    }
    if is_latency {
        let (metric, threshold) = match (metric, threshold) {
            (Some(metric), Some(threshold)) => (metric, threshold),
            (None, _) => {
                let message = "a latency SLO needs the histogram metric next to threshold";
                return Err(at.missing(slo_span, "metric", message));
            }
            (_, None) => {
                let message = "a latency SLO needs a threshold in seconds next to metric, e.g. 0.3";
                return Err(at.missing(slo_span, "threshold", message));
            }
        };
        let seconds = *threshold.get_ref();
        if !(seconds.is_finite() && seconds > 0.0) {
            return Err(at.at(
                Some(threshold.span()),
                format!("threshold {seconds} must be a positive number of seconds, e.g. 0.3"),
            ));
        }
        let metric_span = metric.span();
        let metric = non_empty(metric, "the metric", at)?;
        crate::sources::prometheus::latency::histogram(&metric, seconds)
            .map_err(|e| at.at(Some(metric_span), e))?;
        return Ok(SloSliConfig::Latency {
            metric,
            threshold: seconds,
        });
    }
    if !is_ratio {
        return Err(at.at(Some(slo_span), SLI_HELP));
    }
    let Some(total) = total else {
        let message = "a ratio SLO needs a total query next to good or bad";
        return Err(at.missing(slo_span, "total", message));
    };
    let total = counter(total, "the total query", at)?;
    match (good, bad) {
        (Some(good), None) => Ok(SloSliConfig::GoodRatio {
            good: counter(good, "the good query", at)?,
            total,
        }),
        (None, Some(bad)) => Ok(SloSliConfig::BadRatio {
            bad: counter(bad, "the bad query", at)?,
            total,
        }),
        (Some(_), Some(bad)) => Err(at.at(Some(bad.span()), "give good or bad, not both")),
        (None, None) => {
            let message = "a ratio SLO needs a good (or a bad) query next to total";
            Err(at.missing(slo_span, "good", message))
        }
    }
}

/// A `good`, `bad` or `total` query: a counter selector, which ondeck rates itself.
fn counter(value: Spanned<String>, what: &str, at: &Locator<'_>) -> Checked<String> {
    let span = value.span();
    let text = non_empty(value, what, at)?;
    super::slo_expr::check_counter(&text).map_err(|e| at.at(Some(span), e))?;
    Ok(text.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_become_exact_fractions() {
        assert_eq!(percent_to_fraction(99.9), 0.999);
        assert_eq!(percent_to_fraction(99.99), 0.9999);
        assert_eq!(percent_to_fraction(99.95), 0.9995);
        assert_eq!(percent_to_fraction(99.999), 0.99999);
        assert_eq!(percent_to_fraction(95.0), 0.95);
    }
}

//! Silences as a responder writes them: label matchers in Alertmanager's notation
//! (`service="checkout"`, `alertname=~"Disk.*"`, `env!=dev`, `team!~"a|b"`), a duration
//! (`30m`, `2h`, `1d`) and a comment — parsed and checked here, with no IO, so the cockpit's
//! dialog, the `:silence` command line and `ondeck silence add` accept exactly the same text
//! and refuse it with the same words before anything is queued.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use regex::Regex;
use serde::{Deserialize, Serialize};

use super::SilenceMatcher;

/// Longest silence ondeck creates: anything longer is almost certainly a typo (`200h`), and
/// a forgotten silence hides real pages.
pub const MAX_SILENCE_DAYS: i64 = 30;

/// What a silence write carries in the outbox: everything Alertmanager needs, fixed when the
/// responder confirmed, so a write delivered late still does exactly what was confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SilenceWrite {
    /// What the new silence matches (empty for extend and expire).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub matchers: Vec<SilenceMatcher>,
    /// When the silence ends: for a new one, confirmed time plus the duration; for an
    /// extension, the new end. Absolute, so a retried or late delivery never stretches it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<DateTime<Utc>>,
    /// Why (new silences).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub comment: String,
}

/// Why silence text was refused: said so the responder can fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SilenceTextError {
    /// Not `name OP value`.
    #[error(
        "`{0}` is not a matcher: write name=\"value\", name!=\"value\", name=~\"regex\" or name!~\"regex\""
    )]
    NotAMatcher(String),
    /// A label name Prometheus would not accept.
    #[error("`{0}` is not a label name: letters, digits and _, not starting with a digit")]
    BadName(String),
    /// A quoted value without its closing quote.
    #[error("the value of `{0}` has no closing quote")]
    Unclosed(String),
    /// A regular expression that does not compile.
    #[error("`{name}=~` has a regular expression that does not compile: {why}")]
    BadRegex {
        /// The label.
        name: String,
        /// The regex engine's words.
        why: String,
    },
    /// No matcher at all.
    #[error("a silence needs at least one matcher, like service=\"checkout\"")]
    NoMatchers,
    /// Every matcher matches alerts without the label: it would silence everything.
    #[error(
        "every matcher also matches an empty label, so the silence would match every alert; add one like alertname=\"…\""
    )]
    MatchesEverything,
    /// A duration that cannot be read or is out of range.
    #[error(
        "`{0}` is not a silence duration: write a whole number and m, h or d (30m, 2h, 1d), at most {MAX_SILENCE_DAYS}d"
    )]
    BadDuration(String),
    /// No comment: Alertmanager requires one, and the next responder needs it.
    #[error("a silence needs a comment saying why")]
    NoComment,
}

/// A silence to create, as typed: `MATCHER… DURATION COMMENT…`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SilenceSpec {
    /// What it matches.
    pub matchers: Vec<SilenceMatcher>,
    /// How long it lasts.
    pub duration: chrono::Duration,
    /// Why.
    pub comment: String,
}

/// Reads `30m`, `2h` or `1d` (a whole number and one unit), from one minute up to
/// [`MAX_SILENCE_DAYS`].
pub fn parse_duration(text: &str) -> Result<chrono::Duration, SilenceTextError> {
    let bad = || SilenceTextError::BadDuration(text.to_string());
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (digits, unit) = text.split_at(split);
    let n: i64 = digits.parse().map_err(|_| bad())?;
    let minutes = match unit {
        "m" => Some(n),
        "h" => n.checked_mul(60),
        "d" => n.checked_mul(24 * 60),
        _ => None,
    }
    .ok_or_else(bad)?;
    if !(1..=MAX_SILENCE_DAYS * 24 * 60).contains(&minutes) {
        return Err(bad());
    }
    Ok(chrono::Duration::minutes(minutes))
}

/// Reads whitespace-separated matchers; quoted values may hold spaces and `\"`.
pub fn parse_matchers(text: &str) -> Result<Vec<SilenceMatcher>, SilenceTextError> {
    let mut rest = text.trim_start();
    let mut matchers = Vec::new();
    while !rest.is_empty() {
        let (matcher, after) = next_matcher(rest)?;
        matchers.push(matcher);
        rest = after.trim_start();
    }
    Ok(matchers)
}

/// Reads one matcher given as one word by a shell (`ondeck silence add 'msg=two words'`):
/// everything after the operator is the value, unless it is quoted.
pub fn parse_matcher_word(word: &str) -> Result<SilenceMatcher, SilenceTextError> {
    let trimmed = word.trim();
    let Some((at, op)) = operator_at(trimmed) else {
        return Err(SilenceTextError::NotAMatcher(word.to_string()));
    };
    if trimmed[at + op.len()..].starts_with('"') {
        let (matcher, rest) = next_matcher(trimmed)?;
        if rest.trim().is_empty() {
            return Ok(matcher);
        }
        return Err(SilenceTextError::NotAMatcher(word.to_string()));
    }
    // Quote the value so spaces stay in it, then read it as usual (names and regexes checked).
    let value = trimmed[at + op.len()..]
        .replace('\\', "\\\\")
        .replace('"', "\\\"");
    let quoted = format!("{}{op}\"{value}\"", &trimmed[..at]);
    next_matcher(&quoted).map(|(matcher, _)| matcher)
}

/// Reads `MATCHER… DURATION COMMENT…` (the `:silence` command line and `ondeck silence
/// add`'s words): matchers up to the first word that is not one, then the duration, then
/// the rest is the comment.
pub fn parse_spec(text: &str) -> Result<SilenceSpec, SilenceTextError> {
    let mut rest = text.trim_start();
    let mut matchers = Vec::new();
    loop {
        let word = rest.split_whitespace().next().unwrap_or("");
        if word.is_empty() || operator_at(word).is_none() {
            break;
        }
        let (matcher, after) = next_matcher(rest)?;
        matchers.push(matcher);
        rest = after.trim_start();
    }
    let (duration, comment) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    if duration.is_empty() {
        return Err(SilenceTextError::BadDuration(String::new()));
    }
    let spec = SilenceSpec {
        matchers,
        duration: parse_duration(duration)?,
        comment: comment.trim().to_string(),
    };
    check(&spec.matchers, &spec.comment)?;
    Ok(spec)
}

/// What Alertmanager would refuse, refused first with words: no matchers, a regex that
/// does not compile, matchers that match every alert, no comment.
pub fn check(matchers: &[SilenceMatcher], comment: &str) -> Result<(), SilenceTextError> {
    if matchers.is_empty() {
        return Err(SilenceTextError::NoMatchers);
    }
    let empty = BTreeMap::new();
    if matchers.iter().all(|m| matcher_matches(m, &empty)) {
        return Err(SilenceTextError::MatchesEverything);
    }
    if comment.trim().is_empty() {
        return Err(SilenceTextError::NoComment);
    }
    Ok(())
}

/// Whether `matcher` matches `labels` (a missing label reads as `""`; regexes anchored, as
/// Alertmanager anchors them). A regex that does not compile matches nothing.
pub fn matcher_matches(matcher: &SilenceMatcher, labels: &BTreeMap<String, String>) -> bool {
    let value = labels.get(&matcher.name).map_or("", String::as_str);
    let equal = if matcher.is_regex {
        match Regex::new(&format!("^(?:{})$", matcher.value)) {
            Ok(re) => re.is_match(value),
            Err(_) => return false,
        }
    } else {
        value == matcher.value
    };
    equal == matcher.is_equal
}

/// Whether every matcher matches `labels`: the preview of what a silence would hide.
pub fn matches_all(matchers: &[SilenceMatcher], labels: &BTreeMap<String, String>) -> bool {
    matchers.iter().all(|m| matcher_matches(m, labels))
}

/// The operator in `word` and where it starts, if `word` looks like a matcher.
fn operator_at(word: &str) -> Option<(usize, &'static str)> {
    let at = word.find(['=', '!'])?;
    let op = ["=~", "!~", "!=", "="]
        .into_iter()
        .find(|op| word[at..].starts_with(op))?;
    Some((at, op))
}

/// One matcher at the start of `text`, and what follows it.
fn next_matcher(text: &str) -> Result<(SilenceMatcher, &str), SilenceTextError> {
    let word_end = text.find(char::is_whitespace).unwrap_or(text.len());
    let (at, op) = operator_at(&text[..word_end])
        .ok_or_else(|| SilenceTextError::NotAMatcher(text[..word_end].to_string()))?;
    let name = &text[..at];
    let valid_name = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid_name {
        return Err(SilenceTextError::BadName(name.to_string()));
    }
    let after_op = &text[at + op.len()..];
    let (value, rest) = match after_op.strip_prefix('"') {
        Some(quoted) => {
            unquote(quoted).ok_or_else(|| SilenceTextError::Unclosed(name.to_string()))?
        }
        None => {
            let end = after_op.find(char::is_whitespace).unwrap_or(after_op.len());
            (after_op[..end].to_string(), &after_op[end..])
        }
    };
    let matcher = SilenceMatcher {
        name: name.to_string(),
        is_regex: op.ends_with('~'),
        is_equal: op.starts_with('='),
        value,
    };
    if matcher.is_regex
        && let Err(error) = Regex::new(&matcher.value)
    {
        return Err(SilenceTextError::BadRegex {
            name: matcher.name,
            why: error
                .to_string()
                .lines()
                .last()
                .unwrap_or_default()
                .trim()
                .to_string(),
        });
    }
    Ok((matcher, rest))
}

/// The value of a quoted string whose opening quote is consumed, and what follows the
/// closing one; `\"` and `\\` are escapes, as in amtool and PromQL.
fn unquote(text: &str) -> Option<(String, &str)> {
    let mut value = String::new();
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((value, &text[i + 1..])),
            '\\' => {
                let (_, next) = chars.next()?;
                value.push(next);
            }
            c => value.push(c),
        }
    }
    None
}

/// `name="value" …` as [`parse_matchers`] reads it back, for prefilled fields.
pub fn display_matchers(matchers: &[SilenceMatcher]) -> String {
    matchers
        .iter()
        .map(SilenceMatcher::display)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(name: &str, op: &str, value: &str) -> SilenceMatcher {
        SilenceMatcher {
            name: name.into(),
            value: value.into(),
            is_regex: op.ends_with('~'),
            is_equal: op.starts_with('='),
        }
    }

    #[test]
    fn the_command_line_reads_matchers_then_duration_then_comment() {
        let spec = parse_spec(r#"service="checkout" alertname=~"Disk.*" 2h disk swap in progress"#)
            .unwrap();
        assert_eq!(
            spec.matchers,
            vec![
                m("service", "=", "checkout"),
                m("alertname", "=~", "Disk.*")
            ]
        );
        assert_eq!(spec.duration, chrono::Duration::hours(2));
        assert_eq!(spec.comment, "disk swap in progress");
    }

    #[test]
    fn every_operator_quoted_or_bare_and_spaces_inside_quotes() {
        let got = parse_matchers(r#"env!=dev team!~"a|b" msg="two words \"q\"" x=~y.*"#).unwrap();
        assert_eq!(
            got,
            vec![
                m("env", "!=", "dev"),
                m("team", "!~", "a|b"),
                m("msg", "=", r#"two words "q""#),
                m("x", "=~", "y.*"),
            ]
        );
        // What the dialog prefills reads back as the same matchers.
        assert_eq!(parse_matchers(&display_matchers(&got)).unwrap(), got);
    }

    #[test]
    fn text_alertmanager_would_refuse_is_refused_first_with_words() {
        let err = |t: &str| parse_spec(t).unwrap_err();
        assert_eq!(err("2h why"), SilenceTextError::NoMatchers);
        assert_eq!(err(r#"a="x" 2h"#), SilenceTextError::NoComment);
        assert_eq!(
            err(r#"a=~".*" 2h why"#),
            SilenceTextError::MatchesEverything
        );
        assert_eq!(err(r#"a!="x" 2h why"#), SilenceTextError::MatchesEverything);
        assert!(matches!(
            err(r#"a=~"(" 2h why"#),
            SilenceTextError::BadRegex { .. }
        ));
        assert_eq!(
            err(r#"9a="x" 2h why"#),
            SilenceTextError::BadName("9a".into())
        );
        assert_eq!(
            err(r#"a="x 2h why"#),
            SilenceTextError::Unclosed("a".into())
        );
        assert_eq!(
            err(r#"a="x" 2 why"#),
            SilenceTextError::BadDuration("2".into())
        );
        assert_eq!(
            err(r#"a="x" 31d why"#),
            SilenceTextError::BadDuration("31d".into())
        );
        assert_eq!(
            err(r#"a="x""#),
            SilenceTextError::BadDuration(String::new())
        );
    }

    #[test]
    fn a_shell_word_keeps_its_spaces_and_backslashes() {
        assert_eq!(
            parse_matcher_word(r"msg=two words \d"),
            Ok(m("msg", "=", r"two words \d"))
        );
        assert_eq!(parse_matcher_word(r#"a=~"x|y""#), Ok(m("a", "=~", "x|y")));
        assert!(parse_matcher_word("nonsense").is_err());
    }

    #[test]
    fn durations_in_minutes_hours_and_days() {
        assert_eq!(parse_duration("30m"), Ok(chrono::Duration::minutes(30)));
        assert_eq!(parse_duration("1d"), Ok(chrono::Duration::days(1)));
        assert!(parse_duration("0m").is_err());
        assert!(parse_duration("90s").is_err());
        assert!(parse_duration("h").is_err());
    }

    #[test]
    fn matching_reads_a_missing_label_as_empty_and_anchors_regexes() {
        let labels: BTreeMap<String, String> =
            [("alertname".to_string(), "DiskFull".to_string())].into();
        assert!(matches_all(&[m("alertname", "=~", "Disk.*")], &labels));
        assert!(!matches_all(&[m("alertname", "=~", "Disk")], &labels));
        assert!(matches_all(&[m("service", "=", "")], &labels));
        assert!(!matches_all(&[m("service", "!=", "")], &labels));
        assert!(matches_all(&[m("alertname", "!~", "CPU.*")], &labels));
    }
}

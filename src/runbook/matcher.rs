//! Label matchers as Prometheus writes them: `alertname = "HighErrorRate"`,
//! `service =~ "check.*"`, `env != "dev"`, `region !~ "eu-.*"`. Regexes are anchored.

use std::collections::BTreeMap;
use std::fmt;

use regex::Regex;

/// How a matcher compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchOp {
    /// `=`: equal.
    Eq,
    /// `!=`: not equal (a missing label counts as empty).
    Ne,
    /// `=~`: the whole value matches the regex.
    Re,
    /// `!~`: the whole value does not match the regex.
    NotRe,
}

/// One label matcher.
#[derive(Debug, Clone)]
pub struct Matcher {
    /// Label name.
    pub label: String,
    /// Comparison.
    pub op: MatchOp,
    /// Value or regex as written.
    pub value: String,
    regex: Option<Regex>,
}

impl PartialEq for Matcher {
    fn eq(&self, other: &Self) -> bool {
        self.label == other.label && self.op == other.op && self.value == other.value
    }
}

impl Matcher {
    /// Reads `name op "value"`; the error says what is wrong, without a location.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let name_end = text
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(text.len());
        let label = &text[..name_end];
        if label.is_empty() || label.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(format!(
                "matcher `{text}` must start with a label name, e.g. alertname = \"HighErrorRate\""
            ));
        }
        let rest = text[name_end..].trim_start();
        let (op, rest) = [
            ("=~", MatchOp::Re),
            ("!~", MatchOp::NotRe),
            ("!=", MatchOp::Ne),
            ("=", MatchOp::Eq),
        ]
        .into_iter()
        .find_map(|(sym, op)| rest.strip_prefix(sym).map(|r| (op, r)))
        .ok_or_else(|| {
            format!("matcher `{text}` needs an operator after `{label}`: =, !=, =~ or !~")
        })?;
        let quoted = rest.trim();
        let value = quoted
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .or_else(|| quoted.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
            .ok_or_else(|| format!("matcher `{text}`: quote the value, e.g. \"{quoted}\""))?;
        let regex = match op {
            MatchOp::Re | MatchOp::NotRe => Some(
                Regex::new(&format!("^(?:{value})$"))
                    .map_err(|e| format!("matcher `{text}`: bad regex: {e}"))?,
            ),
            MatchOp::Eq | MatchOp::Ne => None,
        };
        Ok(Self {
            label: label.to_string(),
            op,
            value: value.to_string(),
            regex,
        })
    }

    /// True when `labels` satisfy this matcher; a missing label reads as empty.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        let actual = labels.get(&self.label).map_or("", String::as_str);
        let re = |r: &Option<Regex>| r.as_ref().is_some_and(|r| r.is_match(actual));
        match self.op {
            MatchOp::Eq => actual == self.value,
            MatchOp::Ne => actual != self.value,
            MatchOp::Re => re(&self.regex),
            MatchOp::NotRe => !re(&self.regex),
        }
    }
}

impl fmt::Display for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = match self.op {
            MatchOp::Eq => "=",
            MatchOp::Ne => "!=",
            MatchOp::Re => "=~",
            MatchOp::NotRe => "!~",
        };
        write!(f, "{} {op} {:?}", self.label, self.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn each_operator_compares_the_whole_value() {
        let l = labels(&[("service", "checkout"), ("env", "prod")]);
        let m = |t: &str| Matcher::parse(t).unwrap().matches(&l);
        assert!(m(r#"service = "checkout""#));
        assert!(!m(r#"service = "check""#));
        assert!(m(r#"service =~ "check.*""#));
        assert!(!m(r#"service =~ "check""#), "regexes are anchored");
        assert!(m(r#"env != "dev""#));
        assert!(m(r#"region !~ "eu-.*""#), "a missing label is empty");
        assert!(!m(r#"env !~ "pr.d""#));
    }

    #[test]
    fn malformed_matchers_say_what_to_write() {
        let err = Matcher::parse("service checkout").unwrap_err();
        assert!(err.contains("needs an operator"), "{err}");
        let err = Matcher::parse("service = checkout").unwrap_err();
        assert!(err.contains("quote the value"), "{err}");
        let err = Matcher::parse(r#"service =~ "(""#).unwrap_err();
        assert!(err.contains("bad regex"), "{err}");
    }
}

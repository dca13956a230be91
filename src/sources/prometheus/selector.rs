//! The one PromQL form ondeck takes apart: an instant vector selector `metric{l="v",…}`.
//!
//! Anything else (functions, operators, `offset`, `{__name__=…}` without a metric name) is not
//! parsed and is sent to Prometheus verbatim. Matcher values keep their raw quoted text so a
//! selector is re-emitted exactly as written; only exact (`=`) values are unescaped, because
//! those are what results are matched back by.

use std::fmt::Write as _;

/// A label matcher as written: `code=~"5.."`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Matcher {
    /// Label name.
    pub label: String,
    /// `=`, `!=`, `=~` or `!~`.
    pub op: &'static str,
    /// The quoted literal exactly as written, quotes included.
    pub raw: String,
    /// The unescaped value, known for literals with simple escapes only.
    pub value: Option<String>,
}

/// `metric{matchers}` with the matchers in the order written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    /// Metric name.
    pub metric: String,
    /// Label matchers.
    pub matchers: Vec<Matcher>,
}

impl Matcher {
    /// An exact matcher on `label` with `value`, quoted and escaped for PromQL.
    pub fn exact(label: &str, value: &str) -> Self {
        Self {
            label: label.to_string(),
            op: "=",
            raw: quote(value),
            value: Some(value.to_string()),
        }
    }

    /// The matcher as PromQL text.
    pub fn render(&self) -> String {
        format!("{}{}{}", self.label, self.op, self.raw)
    }
}

impl Selector {
    /// Parses `metric` or `metric{l="v", l2=~"re", …}`; `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        let mut p = Parser {
            s: text.trim().as_bytes(),
            i: 0,
        };
        let metric = p.ident(true)?;
        p.skip_ws();
        let mut matchers = Vec::new();
        if p.eat(b'{') {
            loop {
                p.skip_ws();
                if p.eat(b'}') {
                    break;
                }
                let label = p.ident(false)?;
                p.skip_ws();
                let op = p.op()?;
                p.skip_ws();
                let (raw, value) = p.literal()?;
                matchers.push(Matcher {
                    label,
                    op,
                    raw,
                    value,
                });
                p.skip_ws();
                if p.eat(b',') {
                    continue;
                }
                p.skip_ws();
                if p.eat(b'}') {
                    break;
                }
                return None;
            }
        }
        p.skip_ws();
        (p.i == p.s.len()).then_some(Self { metric, matchers })
    }

    /// The selector as PromQL text, matchers in their current order.
    pub fn render(&self) -> String {
        let mut out = self.metric.clone();
        if !self.matchers.is_empty() {
            out.push('{');
            for (n, m) in self.matchers.iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                out.push_str(&m.render());
            }
            out.push('}');
        }
        out
    }
}

/// A PromQL double-quoted string literal holding `value`.
pub fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `value` escaped for an RE2 regular expression, so `=~"a|b"` alternatives match literally.
pub fn regex_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        let hit = self.peek() == Some(b);
        self.i += usize::from(hit);
        hit
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.i += 1;
        }
    }

    /// A metric name (`colons` allowed) or a label name.
    fn ident(&mut self, colons: bool) -> Option<String> {
        let start = self.i;
        while let Some(b) = self.peek() {
            let ok = b.is_ascii_alphabetic()
                || b == b'_'
                || (colons && b == b':')
                || (self.i > start && b.is_ascii_digit());
            if !ok {
                break;
            }
            self.i += 1;
        }
        let name = std::str::from_utf8(&self.s[start..self.i]).ok()?;
        (!name.is_empty()).then(|| name.to_string())
    }

    fn op(&mut self) -> Option<&'static str> {
        let rest = &self.s[self.i..];
        let op = if rest.starts_with(b"=~") {
            "=~"
        } else if rest.starts_with(b"!=") {
            "!="
        } else if rest.starts_with(b"!~") {
            "!~"
        } else if rest.starts_with(b"=") {
            "="
        } else {
            return None;
        };
        self.i += op.len();
        Some(op)
    }

    /// A quoted literal: its raw text and, when every escape is a simple one, its value.
    fn literal(&mut self) -> Option<(String, Option<String>)> {
        let start = self.i;
        let quote = self.peek().filter(|q| matches!(q, b'"' | b'\'' | b'`'))?;
        self.i += 1;
        let mut value = Some(Vec::new());
        loop {
            let b = self.peek()?;
            self.i += 1;
            if b == quote {
                break;
            }
            if b == b'\\' && quote != b'`' {
                let escaped = self.peek()?;
                self.i += 1;
                let plain = match escaped {
                    b'\\' | b'"' | b'\'' => Some(escaped),
                    b'n' => Some(b'\n'),
                    b't' => Some(b'\t'),
                    _ => None,
                };
                match (plain, value.as_mut()) {
                    (Some(p), Some(v)) => v.push(p),
                    _ => value = None,
                }
            } else if let Some(v) = value.as_mut() {
                v.push(b);
            }
        }
        let raw = std::str::from_utf8(&self.s[start..self.i])
            .ok()?
            .to_string();
        Some((raw, value.and_then(|v| String::from_utf8(v).ok())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_metric_and_matchers_as_written() {
        let s =
            Selector::parse(r#" http_requests_total{ service="checkout", code=~'5..' } "#).unwrap();
        assert_eq!(s.metric, "http_requests_total");
        assert_eq!(s.matchers.len(), 2);
        assert_eq!(s.matchers[0].value.as_deref(), Some("checkout"));
        assert_eq!(s.matchers[1].render(), "code=~'5..'");
        assert_eq!(
            s.render(),
            r#"http_requests_total{service="checkout",code=~'5..'}"#
        );
        assert_eq!(Selector::parse("up").unwrap().render(), "up");
        assert_eq!(
            Selector::parse("ns:req:rate5m{}").unwrap().metric,
            "ns:req:rate5m"
        );
    }

    #[test]
    fn escaped_values_round_trip() {
        let s = Selector::parse(r#"x{path="/a\"b\\c"}"#).unwrap();
        assert_eq!(s.matchers[0].value.as_deref(), Some(r#"/a"b\c"#));
        assert_eq!(quote(r#"/a"b\c"#), r#""/a\"b\\c""#);
        assert_eq!(regex_escape("a.b|c"), r"a\.b\|c");
    }

    #[test]
    fn everything_else_is_left_to_prometheus() {
        for text in [
            "",
            "sum(rate(x[5m]))",
            "x[5m]",
            "x offset 5m",
            r#"{__name__="x"}"#,
            r#"x{service="a""#,
            r#"x{service~"a"}"#,
            "x + y",
            "9x",
        ] {
            assert_eq!(Selector::parse(text), None, "{text}");
        }
    }
}

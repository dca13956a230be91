//! The form a counter query must have: ondeck wraps every `good`, `bad` and `total` in
//! `sum(rate(<expr>[window]))` itself, once per window, so the expression must be a plain
//! vector selector. One that already applies `rate`, `increase` or `sum` — the form most
//! dashboards and the old config example show — would be wrapped twice and never answer; it
//! is refused when the config is read, with the selector to write instead.

use crate::sources::prometheus::selector::Selector;

/// Functions whose presence means the author already did ondeck's wrapping.
const WRAPPERS: [&str; 7] = ["rate", "irate", "increase", "sum", "delta", "avg", "count"];

/// Checks that `expr` is a counter selector; the error says what to write instead.
pub(crate) fn check_counter(expr: &str) -> Result<(), String> {
    let expr = expr.trim();
    if is_selector(expr) {
        return Ok(());
    }
    let outside = outside_strings(expr);
    let applied: Vec<&str> = WRAPPERS
        .iter()
        .copied()
        .filter(|f| calls(&outside, f))
        .collect();
    let suggestion = inner_selector(expr)
        .map(|s| format!(": write the counter selector alone, `{s}`"))
        .unwrap_or_else(|| {
            ": write the counter selector alone, e.g. `http_requests_total{job=\"api\",code=~\"5..\"}`"
                .to_string()
        });
    if applied.is_empty() {
        Err(format!(
            "`{expr}` is not a counter selector; ondeck queries sum(rate(<selector>[window])) for every window itself{suggestion}"
        ))
    } else {
        Err(format!(
            "`{expr}` already applies {}; ondeck queries sum(rate(<selector>[window])) for every window itself{suggestion}",
            applied.join("/")
        ))
    }
}

/// `metric{…}` or a name-less `{…}` selector.
fn is_selector(expr: &str) -> bool {
    if Selector::parse(expr).is_some() {
        return true;
    }
    // `{__name__="x",…}`: braces around matchers only, nothing outside them.
    let outside = outside_strings(expr);
    outside.starts_with('{')
        && outside.ends_with('}')
        && !outside[1..outside.len() - 1].contains(['{', '}', '(', '[', ')', ']'])
}

/// The text with every quoted string blanked out, so brackets inside label values do not
/// count.
fn outside_strings(expr: &str) -> String {
    let mut out = String::with_capacity(expr.len());
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in expr.chars() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' && q != '`' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                    out.push(c);
                    continue;
                }
                out.push(' ');
            }
            None => {
                if matches!(c, '"' | '\'' | '`') {
                    quote = Some(c);
                }
                out.push(c);
            }
        }
    }
    out
}

/// Whether `text` calls `function` (`rate(`, `sum by (x) (`, `sum without(…)(`).
fn calls(text: &str, function: &str) -> bool {
    let bytes = text.as_bytes();
    text.match_indices(function).any(|(at, _)| {
        let before = at.checked_sub(1).map(|i| bytes[i]);
        let word_start =
            !before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b':');
        let rest = text[at + function.len()..].trim_start();
        word_start
            && (rest.starts_with('(') || rest.starts_with("by") || rest.starts_with("without"))
    })
}

/// The selector inside a wrapped expression: the text between the last `(` before the first
/// range `[` and that `[` (`sum(rate(x{a="b"}[5m]))` → `x{a="b"}`), or the innermost
/// parenthesised text, when it is a selector.
fn inner_selector(expr: &str) -> Option<String> {
    let outside = outside_strings(expr);
    let candidate = match outside.find('[') {
        Some(range) => {
            let open = outside[..range].rfind('(')?;
            expr[open + 1..range].trim()
        }
        None => {
            let close = outside.find(')')?;
            let open = outside[..close].rfind('(')?;
            expr[open + 1..close].trim()
        }
    };
    is_selector(candidate).then(|| candidate.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_pass() {
        for ok in [
            "http_requests_total",
            r#"http_requests_total{job="checkout",code=~"5.."}"#,
            r#"{__name__="http_requests_total",job="a"}"#,
            r#"x{path="/a(b)[c]"}"#,
        ] {
            assert_eq!(check_counter(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn wrapped_expressions_are_refused_with_the_selector_to_write() {
        assert_eq!(
            check_counter(r#"sum(rate(http_requests_total{job="checkout",code=~"5.."}[5m]))"#),
            Err(r#"`sum(rate(http_requests_total{job="checkout",code=~"5.."}[5m]))` already applies rate/sum; ondeck queries sum(rate(<selector>[window])) for every window itself: write the counter selector alone, `http_requests_total{job="checkout",code=~"5.."}`"#.to_string())
        );
        let increase = check_counter("sum by (job) (increase(x_total[1h]))").unwrap_err();
        assert!(
            increase.contains("already applies increase/sum") && increase.ends_with("`x_total`"),
            "{increase}"
        );
        let summed = check_counter(r#"sum(http_requests{code=~"2xx|4xx"})"#).unwrap_err();
        assert!(
            summed.contains("already applies sum")
                && summed.ends_with(r#"`http_requests{code=~"2xx|4xx"}`"#),
            "{summed}"
        );
        let other = check_counter("a_total + b_total").unwrap_err();
        assert!(other.contains("is not a counter selector"), "{other}");
        // A label value that merely mentions a function is still a selector.
        assert_eq!(check_counter(r#"x{handler="sum(rate"}"#), Ok(()));
    }
}

//! Queries with a window placeholder, as Sloth (and OpenSLO files written for Sloth) spell
//! it: Go template syntax, `{{.window}}`, `{{ .window }}`, `{{- .window -}}`.

use crate::config::WINDOW_PLACEHOLDER;

/// Rewrites every `{{.window}}` as Go templates accept it to [`WINDOW_PLACEHOLDER`]; `None`
/// when there is none.
pub(super) fn normalize_window(query: &str) -> Option<String> {
    let mut out = String::with_capacity(query.len());
    let mut rest = query;
    let mut found = false;
    while let Some(open) = rest.find("{{") {
        let inside = &rest[open + 2..];
        let Some(close) = inside.find("}}") else {
            break;
        };
        let action = inside[..close].trim_matches(|c: char| c == '-' || c.is_whitespace());
        out.push_str(&rest[..open]);
        if action == ".window" {
            out.push_str(WINDOW_PLACEHOLDER);
            found = true;
        } else {
            out.push_str(&rest[open..open + 2 + close + 2]);
        }
        rest = &inside[close + 2..];
    }
    out.push_str(rest);
    found.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_placeholders_are_read_in_every_go_template_spelling() {
        assert_eq!(
            normalize_window("sum(rate(x[{{ .window }}])) / sum(rate(y[{{-.window-}}]))")
                .as_deref(),
            Some("sum(rate(x[{{.window}}])) / sum(rate(y[{{.window}}]))")
        );
        assert_eq!(normalize_window("sum(rate(x[5m]))"), None);
        assert_eq!(
            normalize_window("x{a=\"{{.other}}\"}[{{.window}}]").as_deref(),
            Some("x{a=\"{{.other}}\"}[{{.window}}]")
        );
    }
}

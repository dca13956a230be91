//! Maps byte offsets in a TOML document to 1-based line/column and to the dotted field that
//! holds them (`slo[0].objective`), so every config error can point at its cause.

use std::ops::Range;

use toml::de::{DeTable, DeValue};

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

enum Segment<'a> {
    Key(&'a str),
    Index(usize),
}

fn covers(span: &Range<usize>, offset: usize) -> bool {
    span.contains(&offset) || (span.is_empty() && span.start == offset)
}

fn value_covers(value: &toml::Spanned<DeValue<'_>>, offset: usize) -> bool {
    if covers(&value.span(), offset) {
        return true;
    }
    match value.get_ref() {
        DeValue::Table(table) => table
            .iter()
            .any(|(k, v)| covers(&k.span(), offset) || value_covers(v, offset)),
        DeValue::Array(array) => array.iter().any(|v| value_covers(v, offset)),
        _ => false,
    }
}

fn descend_table<'a>(table: &'a DeTable<'a>, offset: usize, path: &mut Vec<Segment<'a>>) {
    for (key, value) in table.iter() {
        if covers(&key.span(), offset) {
            path.push(Segment::Key(key.get_ref()));
            return;
        }
        if value_covers(value, offset) {
            path.push(Segment::Key(key.get_ref()));
            descend_value(value.get_ref(), offset, path);
            return;
        }
    }
}

fn descend_value<'a>(value: &'a DeValue<'a>, offset: usize, path: &mut Vec<Segment<'a>>) {
    match value {
        DeValue::Table(table) => descend_table(table, offset, path),
        DeValue::Array(array) => {
            if let Some((index, item)) = array
                .iter()
                .enumerate()
                .find(|(_, item)| value_covers(item, offset))
            {
                path.push(Segment::Index(index));
                descend_value(item.get_ref(), offset, path);
            }
        }
        _ => {}
    }
}

fn is_bare(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// The dotted path of the innermost key or value at `offset`, e.g. `source[1].name` or
/// `keys.global."?"`; `None` when the offset is outside every key and value.
pub(crate) fn path_at(root: &DeTable<'_>, offset: usize) -> Option<String> {
    let mut path = Vec::new();
    descend_table(root, offset, &mut path);
    if path.is_empty() {
        return None;
    }
    let mut out = String::new();
    for segment in path {
        match segment {
            Segment::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                if is_bare(key) {
                    out.push_str(key);
                } else {
                    out.push_str(&format!("{key:?}"));
                }
            }
            Segment::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    Some(out)
}

/// Which part of a `key = value` pair to point at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    /// The key, for names that are wrong.
    Key,
    /// The value, for values that are wrong.
    Value,
}

/// The span of a key or value reached through nested tables (no arrays), e.g.
/// `["keys", "global", "x"]`.
pub(crate) fn span_of(root: &DeTable<'_>, path: &[&str], part: Part) -> Option<Range<usize>> {
    let (last, parents) = path.split_last()?;
    let mut table = root;
    for name in parents {
        let (_, value) = table.iter().find(|(k, _)| k.get_ref() == name)?;
        table = value.get_ref().as_table()?;
    }
    let (key, value) = table.iter().find(|(k, _)| k.get_ref() == last)?;
    Some(match part {
        Part::Key => key.span(),
        Part::Value => value.span(),
    })
}

/// Every key in the document, with its span, in no particular order.
pub(crate) fn all_keys<'a>(root: &'a DeTable<'a>) -> Vec<(&'a str, Range<usize>)> {
    fn walk<'a>(value: &'a DeValue<'a>, out: &mut Vec<(&'a str, Range<usize>)>) {
        match value {
            DeValue::Table(table) => {
                for (k, v) in table.iter() {
                    out.push((k.get_ref().as_ref(), k.span()));
                    walk(v.get_ref(), out);
                }
            }
            DeValue::Array(array) => array.iter().for_each(|v| walk(v.get_ref(), out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for (k, v) in root.iter() {
        out.push((k.get_ref().as_ref(), k.span()));
        walk(v.get_ref(), &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "readonly = true\n\n[[slo]]\nname = \"a\"\n\n[[slo]]\nname = \"b\"\nratio = { good = \"g\" }\n\n[keys.global]\n\"?\" = \"quit\"\n";

    fn at(needle: &str) -> usize {
        DOC.rfind(needle).unwrap()
    }

    #[test]
    fn paths_name_array_items_and_inline_tables() {
        let root = DeTable::parse(DOC).unwrap();
        let root = root.get_ref();
        assert_eq!(path_at(root, at("\"b\"")).as_deref(), Some("slo[1].name"));
        assert_eq!(
            path_at(root, at("\"g\"")).as_deref(),
            Some("slo[1].ratio.good")
        );
        assert_eq!(path_at(root, at("[[slo]]")).as_deref(), Some("slo[1]"));
        assert_eq!(
            path_at(root, at("\"quit\"")).as_deref(),
            Some("keys.global.\"?\"")
        );
        assert_eq!(path_at(root, 0).as_deref(), Some("readonly"));
    }

    #[test]
    fn lines_and_columns_are_one_based_and_count_characters() {
        assert_eq!(line_column("a = 1\nb = 2", 0), (1, 1));
        assert_eq!(line_column("a = 1\nb = 2", 10), (2, 5));
        assert_eq!(line_column("é = 1", 5), (1, 5));
        assert_eq!(line_column("ab", 99), (1, 3));
    }

    #[test]
    fn spans_are_found_by_table_path() {
        let root = DeTable::parse(DOC).unwrap();
        let span = span_of(root.get_ref(), &["keys", "global", "?"], Part::Value).unwrap();
        assert_eq!(&DOC[span], "\"quit\"");
        assert!(span_of(root.get_ref(), &["keys", "nowhere"], Part::Key).is_none());
    }
}

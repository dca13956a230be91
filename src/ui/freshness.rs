//! How the panes draw data that is not current: in the theme's `stale` role and with its age
//! in words, so it reads as old with or without colour. Panes ask
//! [`State::freshness_of`](crate::state::State::freshness_of) for a value's freshness and pass
//! it here; nothing else decides how old data looks.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::config::Theme;
use crate::sources::Feed;
use crate::state::{Freshness, State};

/// Width of an [`age`] cell: "59m ago".
pub const AGE_WIDTH: usize = 7;

/// `normal` for current data; the stale role for anything else.
pub fn style(freshness: Freshness, normal: Style, theme: &Theme) -> Style {
    if freshness.is_current() {
        normal
    } else {
        theme.stale
    }
}

/// An age in its largest unit, so it fits [`AGE_WIDTH`]: "42s", "12m", "5h", "3d".
pub fn short_age(secs: i64) -> String {
    let s = secs.max(0);
    match s {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}

/// "3m ago" for old data; `None` for current data (and for none at all).
pub fn age(freshness: Freshness) -> Option<String> {
    match freshness {
        Freshness::Old { age_secs, .. } => Some(format!("{} ago", short_age(age_secs))),
        Freshness::Current | Freshness::Missing { .. } => None,
    }
}

/// One source's state in words: "prom failed, data 3m old", "vm stale, data 2m old",
/// "pd failed, no data", "pd loading".
pub fn describe(name: &str, freshness: Freshness) -> String {
    match freshness {
        Freshness::Current => format!("{name} current"),
        Freshness::Old { age_secs, failed } => {
            let state = if failed { "failed" } else { "stale" };
            format!("{name} {state}, data {} old", short_age(age_secs))
        }
        Freshness::Missing { failed: true } => format!("{name} failed, no data"),
        Freshness::Missing { failed: false } => format!("{name} loading"),
    }
}

/// What a figure or list over `feed` must admit to: each source of the feed that is not
/// current, described — with its error when it has never answered, since nothing else on a
/// narrow screen may have room to say why; `None` when every one is current.
pub fn note(state: &State, feed: Feed) -> Option<String> {
    let parts: Vec<String> = state
        .not_current(feed)
        .into_iter()
        .map(|(name, freshness)| {
            let failure = state
                .feed_status(name, feed)
                .and_then(|s| s.failure.as_ref());
            match (freshness, failure) {
                (Freshness::Missing { failed: true }, Some(failure)) => {
                    format!("{name} failed: {}", failure.error)
                }
                _ => describe(name, freshness),
            }
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// A panel title, with the note on `feed`'s sources after it when they are not all current.
pub fn title(text: impl Into<String>, state: &State, feed: Feed, theme: &Theme) -> Line<'static> {
    let mut spans = vec![Span::raw(format!(" {} ", text.into()))];
    if let Some(note) = note(state, feed) {
        spans.push(Span::styled(format!("· {note} "), theme.stale));
    }
    Line::from(spans)
}

/// What an empty list over `feed` says: `empty` in `normal` style when every source is
/// current; otherwise `empty` with a doubt and the note, in the stale role — an empty list
/// from a source that stopped answering is not good news.
pub fn empty(
    empty: &str,
    normal: Style,
    state: &State,
    feed: Feed,
    theme: &Theme,
) -> Line<'static> {
    match note(state, feed) {
        None => Line::styled(empty.to_string(), normal),
        Some(note) => Line::styled(format!("{empty} — not certain: {note}"), theme.stale),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_fit_their_cell() {
        assert_eq!(short_age(42), "42s");
        assert_eq!(short_age(12 * 60 + 59), "12m");
        assert_eq!(short_age(5 * 3600 + 3599), "5h");
        assert_eq!(short_age(40 * 86_400), "40d");
        assert_eq!(short_age(-3), "0s");
        let widest = age(Freshness::Old {
            age_secs: 59 * 60,
            failed: true,
        });
        assert_eq!(widest.as_deref(), Some("59m ago"));
        assert_eq!(widest.map(|a| a.chars().count()), Some(AGE_WIDTH));
        assert_eq!(age(Freshness::Current), None);
    }

    #[test]
    fn old_data_takes_the_stale_role_and_says_why() {
        let theme = Theme::dark();
        let old = Freshness::Old {
            age_secs: 200,
            failed: true,
        };
        assert_eq!(style(old, theme.sev_critical, &theme), theme.stale);
        assert_eq!(
            style(Freshness::Current, theme.sev_critical, &theme),
            theme.sev_critical
        );
        assert_eq!(describe("prom", old), "prom failed, data 3m old");
        let late = Freshness::Old {
            age_secs: 50,
            failed: false,
        };
        assert_eq!(describe("vm", late), "vm stale, data 50s old");
        assert_eq!(
            describe("pd", Freshness::Missing { failed: true }),
            "pd failed, no data"
        );
        assert_eq!(
            describe("pd", Freshness::Missing { failed: false }),
            "pd loading"
        );
    }
}

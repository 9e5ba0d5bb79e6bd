//! Who may call an operation or receive an event (token types, app types), and where the
//! official overview page lists it.

use crate::diag::{Diagnostics, Loc};
use crate::ir::{Acknowledged, AppType, Overview, TokenType};
use crate::raw::RawOverview;

/// Parses each item of a list, reporting unknown ones; sorted and deduplicated.
pub fn parse_list<T: Ord>(
    items: &[String],
    loc: &Loc,
    what: &str,
    parse: impl Fn(&str) -> Option<T>,
    diags: &mut Diagnostics,
) -> Vec<T> {
    let mut out = Vec::new();
    for (i, s) in items.iter().enumerate() {
        match parse(s) {
            Some(v) => out.push(v),
            None => diags.error(
                &Loc::new(&loc.file, format!("{}[{i}]", loc.path)),
                format!("unknown {what} `{s}`"),
            ),
        }
    }
    out.sort();
    out.dedup();
    out
}

/// `tokens:` entries.
pub fn token_type(s: &str) -> Option<TokenType> {
    match s {
        "tenant" => Some(TokenType::Tenant),
        "user" => Some(TokenType::User),
        _ => None,
    }
}

/// `app_types:` entries.
pub fn app_type(s: &str) -> Option<AppType> {
    match s {
        "custom" => Some(AppType::Custom),
        "store" => Some(AppType::Store),
        _ => None,
    }
}

/// The `overview:` block, as is.
pub fn overview(o: &RawOverview) -> Overview {
    Overview {
        title: o.title.clone(),
        section: o.section.clone(),
        acknowledged: o
            .acknowledged
            .iter()
            .map(|a| Acknowledged {
                what: a.what.clone(),
                page: a.page.clone(),
                reason: a.reason.clone(),
            })
            .collect(),
    }
}

//! The comparison of a measured report with the checked-in `reports/coverage.json`.

use serde_json::Value;

/// Every way `now` covers less than `before`: a total (of a family, or of all of them) that went
/// down, a family or an item that went away, a ✓ that became ✗.
pub fn drops(before: &Value, now: &Value) -> Vec<String> {
    let mut out = totals("all families", &before["totals"], &now["totals"]);
    let families = now["families"].as_array().cloned().unwrap_or_default();
    for old in before["families"].as_array().into_iter().flatten() {
        let name = old["family"].as_str().unwrap_or("?");
        let Some(new) = families.iter().find(|f| f["family"] == old["family"]) else {
            out.push(format!("{name}: the family is gone from the report"));
            continue;
        };
        out.extend(totals(name, &old["totals"], &new["totals"]));
        out.extend(items(name, old, new));
    }
    out
}

fn totals(name: &str, before: &Value, now: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for (group, cols) in before.as_object().into_iter().flatten() {
        for (col, was) in cols.as_object().into_iter().flatten() {
            let (was, is) = (
                was.as_u64().unwrap_or(0),
                now[group][col].as_u64().unwrap_or(0),
            );
            if is < was {
                out.push(format!("{name}: {group} {col}: {is}, was {was}"));
            }
        }
    }
    out
}

fn items(name: &str, before: &Value, now: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for (group, key) in [("operations", "id"), ("events", "event_type")] {
        let items = now[group].as_array().cloned().unwrap_or_default();
        for old in before[group].as_array().into_iter().flatten() {
            let item = old[key].as_str().unwrap_or("?");
            let Some(new) = items.iter().find(|n| n[key] == old[key]) else {
                out.push(format!("{name}: {group}: {item} is gone from the report"));
                continue;
            };
            for (col, was) in old.as_object().into_iter().flatten() {
                if was == &Value::Bool(true) && new[col] != Value::Bool(true) {
                    out.push(format!(
                        "{name}: {item}: no longer {}",
                        col.replace('_', " ")
                    ));
                }
            }
        }
    }
    out
}

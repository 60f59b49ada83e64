//! Editing the scenario text with `toml_edit`: one key changes (or is added
//! to its table) and every comment, blank line and the order of the keys
//! stay as they were; lines of keys for messages.

use profspace::scenario::{Kind, Value};
use toml_edit::{DocumentMut, Item, Table};

/// The TOML value of `value` for a key of kind `kind`, or why it does not
/// fit.
pub(super) fn toml_value(kind: &Kind, value: &serde_json::Value) -> Result<Value, String> {
    use serde_json::Value as J;
    match (kind, value) {
        (Kind::Float { .. }, J::Number(n)) => n
            .as_f64()
            .filter(|x| x.is_finite())
            .map(Value::Float)
            .ok_or_else(|| format!("{n} is not a finite number")),
        (Kind::Int { .. }, J::Number(n)) => n
            .as_i64()
            .map(Value::Int)
            .ok_or_else(|| format!("{n} is not a whole number that fits")),
        (Kind::Bool, J::Bool(b)) => Ok(Value::Bool(*b)),
        (Kind::Choice(_) | Kind::Text { .. }, J::String(s)) => Ok(Value::Text(s.clone())),
        (kind, v) => Err(format!("{v} does not fit: expected {}", kind.allowed())),
    }
}

fn item_of(v: &Value) -> Item {
    match v {
        Value::Float(x) => toml_edit::value(*x),
        Value::Int(i) => toml_edit::value(*i),
        Value::Bool(b) => toml_edit::value(*b),
        Value::Text(s) => toml_edit::value(s.as_str()),
        Value::List(l) => {
            let mut a = toml_edit::Array::new();
            for x in l {
                a.push(*x);
            }
            toml_edit::value(a)
        }
    }
}

/// `text` with the key at `path` set to `value`: the value replaced where
/// it is (its comment kept in its column when there is room), or the key
/// added at the end of its table (the table made when missing).
pub(super) fn set(text: &str, path: &str, value: &Value) -> Result<String, String> {
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e| format!("the scenario text is not valid TOML: {e}"))?;
    let parts: Vec<&str> = path.split('.').collect();
    let (last, tables) = parts.split_last().ok_or("an empty key")?;
    let mut table: &mut Table = doc.as_table_mut();
    for (i, name) in tables.iter().enumerate() {
        let is_new = !table.contains_key(name);
        let entry = table.entry(name).or_insert_with(|| {
            let mut t = Table::new();
            t.set_implicit(i + 1 < tables.len());
            Item::Table(t)
        });
        if is_new && i + 1 == tables.len() {
            // A new table goes after the others, with a blank line before.
            if let Some(t) = entry.as_table_mut() {
                t.decor_mut().set_prefix("\n");
            }
        }
        table = entry
            .as_table_mut()
            .ok_or_else(|| format!("`{}` is not a table in the text", parts[..=i].join(".")))?;
    }
    let new = item_of(value);
    match table.get_mut(last) {
        Some(Item::Value(old)) => {
            let old_len = bare_len(old);
            let (prefix, suffix) = (old.decor().prefix().cloned(), old.decor().suffix().cloned());
            let Item::Value(mut v) = new else {
                return Err("internal: not a value".into());
            };
            let new_len = bare_len(&v);
            let decor = v.decor_mut();
            decor.set_prefix(
                prefix
                    .and_then(|p| p.as_str().map(str::to_string))
                    .unwrap_or(" ".into()),
            );
            if let Some(s) = suffix.and_then(|s| s.as_str().map(str::to_string)) {
                decor.set_suffix(keep_column(&s, old_len, new_len));
            }
            *old = v;
        }
        Some(_) => return Err(format!("`{path}` is a table in the text, not a value")),
        None => {
            table.insert(last, new);
        }
    }
    Ok(doc.to_string())
}

/// The length of a value as written, without the spaces and comment
/// around it.
fn bare_len(v: &toml_edit::Value) -> usize {
    let mut v = v.clone();
    v.decor_mut().clear();
    v.to_string().trim().len()
}

/// The suffix of a value (spaces, then a comment) with its spaces adjusted
/// so that the comment stays in its column when the value's length changes.
fn keep_column(suffix: &str, old_len: usize, new_len: usize) -> String {
    let rest = suffix.trim_start_matches(' ');
    if !rest.starts_with('#') {
        return suffix.to_string();
    }
    let spaces = suffix.len() - rest.len();
    let want = (spaces + old_len).saturating_sub(new_len).max(1);
    format!("{}{rest}", " ".repeat(want))
}

/// The 1-based line where the key or table at `path` is written, if it is.
pub(super) fn line_of(text: &str, path: &str) -> Option<usize> {
    let doc = toml_edit::Document::parse(text.to_string()).ok()?;
    let mut table = doc.as_table();
    let parts: Vec<&str> = path.split('.').collect();
    let (last, tables) = parts.split_last()?;
    for name in tables {
        table = table.get(name)?.as_table()?;
    }
    let span = table
        .key(last)
        .and_then(|k| k.span())
        .or_else(|| table.get(last).and_then(|i| i.span()))?;
    Some(text[..span.start.min(text.len())].matches('\n').count() + 1)
}

/// The line of the first header of table `name` (`[sweep]`, `[sweep.grid]`).
pub(super) fn table_line(text: &str, name: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            let t = l.trim_start();
            t.strip_prefix('[').is_some_and(|r| {
                let r = r.trim_start_matches('[').trim_start();
                r.starts_with(name) && r[name.len()..].trim_start().starts_with([']', '.'])
            })
        })
        .map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "# head\nseed = 42 # the seed\n\n[managers]\nfocus = 0.5             # priorities\nconnection = 0.5\n\n[professionals]\nneed = 0.7\n";

    #[test]
    fn a_value_changes_and_comments_stay() {
        let out = set(TEXT, "managers.focus", &Value::Float(0.75)).unwrap();
        assert!(
            out.contains("focus = 0.75            # priorities\n"),
            "{out}"
        );
        assert!(out.starts_with("# head\nseed = 42 # the seed\n"), "{out}");
        let out = set(&out, "seed", &Value::Int(7)).unwrap();
        assert!(out.contains("seed = 7  # the seed\n"), "{out}");
    }

    #[test]
    fn a_missing_key_joins_its_table() {
        let out = set(TEXT, "managers.energy", &Value::Float(0.3)).unwrap();
        let at = out.find("energy = 0.3").unwrap();
        assert!(
            at > out.find("connection").unwrap() && at < out.find("[professionals]").unwrap(),
            "{out}"
        );
        let out = set(TEXT, "organization.teams", &Value::Int(4)).unwrap();
        assert!(out.contains("\n[organization]\nteams = 4\n"), "{out}");
        let out = set(TEXT, "coupling", &Value::Text("zero_sum".into())).unwrap();
        let at = out.find("coupling = \"zero_sum\"").unwrap();
        assert!(at < out.find("[managers]").unwrap(), "{out}");
    }

    #[test]
    fn lines_are_found() {
        assert_eq!(line_of(TEXT, "seed"), Some(2));
        assert_eq!(line_of(TEXT, "managers.connection"), Some(6));
        assert_eq!(line_of(TEXT, "managers.energy"), None);
        assert_eq!(table_line("a = 1\n[sweep.grid]\n", "sweep"), Some(2));
        assert_eq!(table_line("[sweeping]\n", "sweep"), None);
    }
}

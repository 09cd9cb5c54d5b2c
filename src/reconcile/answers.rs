//! Minimal edits of `smgen.toml` for `smgen upgrade --set key.path=value`: the one value
//! changes, and every comment, blank line, key order and inline table of the user's file
//! stays (toml_edit keeps the document's formatting).
//!
//! The values are read exactly like `generate --set` reads them: TOML when the text is a TOML
//! value (`true`, `3`, `["a"]`), a string otherwise (`single`).

use crate::error::{Error, Result};
use toml_edit::{DocumentMut, InlineTable, Item, Table, TableLike, Value};

/// `text` with every `key.path=value` override applied.
pub fn set(text: &str, origin: &str, overrides: &[String]) -> Result<String> {
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| Error::Toml {
            origin: origin.into(),
            message: e.message().trim().replace('\n', "; "),
        })?;
    for arg in overrides {
        apply(&mut doc, arg)?;
    }
    Ok(doc.to_string())
}

fn apply(doc: &mut DocumentMut, arg: &str) -> Result<()> {
    let bad = |message: String| Error::BadOverride {
        arg: arg.to_string(),
        message,
    };
    let (path, raw) = arg
        .split_once('=')
        .ok_or_else(|| bad("expected key.path=value".into()))?;
    let keys: Vec<&str> = path.trim().split('.').collect();
    if keys.iter().any(|k| k.is_empty()) {
        return Err(bad("the key path has an empty segment".into()));
    }
    let (last, parents) = keys.split_last().expect("split yields at least one key");
    let mut table: &mut dyn TableLike = doc.as_table_mut();
    let mut inline = false;
    for (depth, key) in parents.iter().enumerate() {
        if !table.contains_key(key) {
            // A missing section: `{ }` inside an inline table, a dotted key inside dotted
            // keys, a `[a.b]` table otherwise (no header while it holds only subtables).
            let fresh = if inline {
                Item::Value(Value::InlineTable(InlineTable::new()))
            } else {
                let mut t = Table::new();
                t.set_implicit(true);
                t.set_dotted(table.is_dotted());
                Item::Table(t)
            };
            table.insert(key, fresh);
        }
        let item = table.get_mut(key).expect("present or inserted");
        inline = item.is_inline_table();
        table = item.as_table_like_mut().ok_or_else(|| {
            bad(format!(
                "'{}' is a value, not a section",
                keys[..=depth].join(".")
            ))
        })?;
    }
    let mut value = parse_value(raw.trim());
    match table.get_mut(last) {
        Some(Item::Value(old)) => {
            // Keep the spacing and the trailing comment of the old value.
            *value.decor_mut() = old.decor().clone();
            *old = value;
        }
        Some(Item::Table(_)) | Some(Item::ArrayOfTables(_)) => {
            return Err(bad(format!("'{path}' is a section, not a value")));
        }
        _ => {
            table.insert(last, Item::Value(value));
            if inline {
                // `{ a = 1 , b = 2 }` otherwise; a regular table keeps the user's alignment.
                table.fmt();
            }
        }
    }
    Ok(())
}

fn parse_value(raw: &str) -> Value {
    match format!("v = {raw}").parse::<DocumentMut>() {
        Ok(doc) => match doc.get("v") {
            Some(Item::Value(v)) => {
                let mut v = v.clone();
                v.decor_mut().clear();
                v
            }
            _ => Value::from(raw),
        },
        Err(_) => Value::from(raw),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const USER: &str = "# my project\n[project]\nname   = \"demo\"   # short\nregion = \"eu-west-1\"\n\n[network]\nnat = \"none\"   # no NAT yet\nvpc = { create = true, azs = 2 }\n";

    fn set1(text: &str, arg: &str) -> String {
        set(text, "smgen.toml", &[arg.to_string()]).unwrap()
    }

    #[test]
    fn one_value_changes_and_the_rest_stays() {
        let out = set1(USER, "network.nat=single");
        assert_eq!(out, USER.replace("nat = \"none\"", "nat = \"single\""));
    }

    #[test]
    fn typed_values_inline_tables_and_new_keys() {
        let out = set1(USER, "network.vpc.azs=3");
        assert!(out.contains("vpc = { create = true, azs = 3 }"), "{out}");
        let out = set1(USER, "studio.user_profiles=[\"ana\", \"bo\"]");
        assert!(
            out.ends_with("[studio]\nuser_profiles = [\"ana\", \"bo\"]\n"),
            "{out}"
        );
        let out = set1(USER, "network.flow_logs=false");
        assert!(out.contains("flow_logs = false"), "{out}");
        let out = set1(USER, "network.vpc.cidr=10.1.0.0/16");
        assert!(out.contains("azs = 2, cidr = \"10.1.0.0/16\" }"), "{out}");
        assert!(out.starts_with("# my project\n"));
    }

    #[test]
    fn the_result_reads_back_as_the_same_answers_as_generate_set() {
        let edited = set1(USER, "network.nat=single");
        let a: toml::Table = toml::from_str(&edited).unwrap();
        assert_eq!(a["network"]["nat"].as_str(), Some("single"));
        assert_eq!(a["network"]["vpc"]["azs"].as_integer(), Some(2));
    }

    #[test]
    fn bad_overrides_are_errors() {
        for (arg, needle) in [
            ("network.nat", "key.path=value"),
            ("network..nat=x", "empty segment"),
            ("project.name.x=1", "'project.name' is a value"),
            ("network=1", "is a section"),
        ] {
            let err = set(USER, "smgen.toml", &[arg.to_string()]).unwrap_err();
            assert!(err.to_string().contains(needle), "{arg}: {err}");
        }
    }
}

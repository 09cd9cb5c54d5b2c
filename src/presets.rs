//! Presets: partial specs shipped inside the binary (`presets/*.toml`). The first line of each
//! file is a `# ` comment with its one-line description.

use crate::error::{Error, Result};
use include_dir::{Dir, include_dir};

static PRESETS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/presets");

#[derive(Debug, Clone, Copy)]
pub struct Preset {
    pub name: &'static str,
    pub description: &'static str,
    pub text: &'static str,
}

/// All presets, sorted by name.
pub fn all() -> Vec<Preset> {
    let mut out: Vec<Preset> = PRESETS
        .files()
        .filter_map(|f| {
            let name = f.path().file_name()?.to_str()?.strip_suffix(".toml")?;
            let text = f.contents_utf8()?;
            let description = text
                .lines()
                .next()
                .and_then(|l| l.strip_prefix("# "))
                .unwrap_or("");
            Some(Preset {
                name,
                description,
                text,
            })
        })
        .collect();
    out.sort_by_key(|p| p.name);
    out
}

pub fn find(name: &str) -> Result<Preset> {
    let all = all();
    all.iter()
        .find(|p| p.name == name)
        .copied()
        .ok_or_else(|| Error::UnknownPreset {
            name: name.to_string(),
            available: all.iter().map(|p| p.name).collect::<Vec<_>>().join(", "),
        })
}

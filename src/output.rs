//! Writing a rendered file set to disk: everything is rendered before anything is written, a new
//! project directory appears whole (staged beside it, then renamed), files in an existing
//! project are replaced one by one atomically (temp file + rename), and no path leaves the
//! output directory.

use crate::error::{Error, Result};
use crate::render::FileSet;
use std::fs;
use std::path::{Component, Path, PathBuf};

/// What a write did, per file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Create,
    Update,
    Identical,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Written {
    pub path: String,
    pub action: Action,
}

/// Checks where the project may go: a missing or empty directory, or an smgen project.
pub fn check_target(out: &Path) -> Result<bool> {
    if out.as_os_str().is_empty() {
        return Err(Error::Output {
            path: out.into(),
            message: "the output directory is empty; pass --out DIR".into(),
        });
    }
    match fs::metadata(out) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(Error::io(format!("{}", out.display()), e)),
        Ok(m) if !m.is_dir() => Err(Error::Output {
            path: out.into(),
            message: "exists and is not a directory".into(),
        }),
        Ok(_) => {
            let mut entries =
                fs::read_dir(out).map_err(|e| Error::io(out.display().to_string(), e))?;
            let empty = entries.next().is_none();
            if empty {
                Ok(false)
            } else if out.join("smgen.toml").is_file() {
                Ok(true)
            } else {
                Err(Error::Output {
                    path: out.into(),
                    message: "is not empty and is not an smgen project (no smgen.toml); choose an empty or new directory".into(),
                })
            }
        }
    }
}

fn safe_relative(path: &str) -> Result<PathBuf> {
    let p = Path::new(path);
    let ok = !path.is_empty() && p.components().all(|c| matches!(c, Component::Normal(_)));
    if ok {
        Ok(p.to_path_buf())
    } else {
        Err(Error::Output {
            path: p.into(),
            message: "refusing to write a path outside the output directory".into(),
        })
    }
}

/// The per-file actions a write would take, without writing.
pub fn plan(set: &FileSet, out: &Path) -> Result<Vec<Written>> {
    set.files
        .iter()
        .map(|(path, contents)| {
            let target = out.join(safe_relative(path)?);
            let action = match fs::read(&target) {
                Ok(old) if old == contents.as_bytes() => Action::Identical,
                Ok(_) => Action::Update,
                Err(_) => Action::Create,
            };
            Ok(Written {
                path: path.clone(),
                action,
            })
        })
        .collect()
}

pub fn write(set: &FileSet, out: &Path) -> Result<Vec<Written>> {
    let existing = check_target(out)?;
    let planned = plan(set, out)?;
    if existing || out.is_dir() {
        for w in &planned {
            if w.action != Action::Identical {
                write_atomic(&out.join(&w.path), set.files[&w.path].as_bytes())?;
            }
        }
        return Ok(planned);
    }
    // A new directory: stage the whole project beside it, then rename it into place.
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent)
        .map_err(|e| Error::io(format!("creating {}", parent.display()), e))?;
    let leaf = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let stage = parent.join(format!(".{leaf}.smgen-{}", std::process::id()));
    let result = (|| {
        for (path, contents) in &set.files {
            let target = stage.join(safe_relative(path)?);
            if let Some(dir) = target.parent() {
                fs::create_dir_all(dir)
                    .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
            }
            fs::write(&target, contents)
                .map_err(|e| Error::io(format!("writing {}", target.display()), e))?;
        }
        if out.is_dir() {
            // An empty directory is in the way of the rename.
            fs::remove_dir(out)
                .map_err(|e| Error::io(format!("replacing {}", out.display()), e))?;
        }
        fs::rename(&stage, out)
            .map_err(|e| Error::io(format!("moving the project into {}", out.display()), e))
    })();
    if result.is_err() {
        let _ = fs::remove_dir_all(&stage);
    }
    result.map(|_| planned)
}

fn write_atomic(target: &Path, contents: &[u8]) -> Result<()> {
    let dir = target.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.smgen-tmp-{}", std::process::id()));
    fs::write(&tmp, contents).map_err(|e| Error::io(format!("writing {}", tmp.display()), e))?;
    fs::rename(&tmp, target).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        Error::io(format!("replacing {}", target.display()), e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_outside_are_refused() {
        assert!(safe_relative("../x").is_err());
        assert!(safe_relative("/etc/passwd").is_err());
        assert!(safe_relative("a/../../b").is_err());
        assert!(safe_relative("").is_err());
        assert!(safe_relative("tests/a.tftest.hcl").is_ok());
    }
}

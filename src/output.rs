//! Writing to disk, and never outside the output directory.
//!
//! - A new project directory appears whole: staged beside it, then renamed ([`write_new`]).
//! - In an existing directory every file is replaced atomically ([`write_atomic`]: a temporary
//!   file in the same directory, then a rename), so an interrupted run leaves the old or the
//!   new file, never a partial one.
//!
//! Durability. Atomicity against an interrupted or failing process (Ctrl-C, kill, a full
//! disk, an error half way) comes from the renames alone and holds for every file. Against a
//! power cut or kernel crash, which can leave a renamed file empty on some file systems, only
//! [`Durability::Sync`] writes are flushed (`fsync`) before their rename: the files that hold
//! something smgen cannot make again, the user's answers (`smgen.toml`) and merge results that
//! carry the user's edits. Everything else is a pure function of `smgen.toml` and the
//! templates (rendered files, `.smgen/base`, the lock, a new project): after a crash `smgen
//! diff` shows any damage and `smgen upgrade` or `generate` writes it again. One `fsync` per
//! generated file cost more than the whole render (tens of files, each a journal commit,
//! far more on a busy or networked disk), for files that need no such guarantee.
//! - Every path goes through [`Root::resolve`]: relative, no `..`, and no symlink (anywhere on
//!   the path) that leads outside the directory. Paths read from `.smgen/lock.toml` are
//!   untrusted input and are checked the same way.
//!
//! Test hook (debug builds only, so no release binary has it): with
//! `SMGEN_TEST_ABORT_BEFORE_RENAME=<relative path>`, the process aborts after writing that
//! file's temporary copy and before renaming it into place: a kill at the worst moment.

use crate::error::{Error, Result};
use crate::render::FileSet;
use std::fs;
use std::path::{Component, Path, PathBuf};

/// What is at `--out` before `generate` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Missing or an empty directory: the project is staged and renamed into place.
    New,
    /// An smgen project (it has `smgen.toml`): reconciled file by file.
    Project,
    /// A non-empty directory without `smgen.toml`, accepted because of `--force`.
    Foreign,
}

/// Checks where a project may go: a missing or empty directory, an smgen project, or (only
/// with `force`) any other directory.
pub fn check_target(out: &Path, force: bool) -> Result<Target> {
    if out.as_os_str().is_empty() {
        return Err(Error::Output {
            path: out.into(),
            message: "the output directory is empty; pass --out DIR".into(),
        });
    }
    match fs::metadata(out) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Target::New),
        Err(e) => Err(Error::io(format!("{}", out.display()), e)),
        Ok(m) if !m.is_dir() => Err(Error::Output {
            path: out.into(),
            message: "exists and is not a directory".into(),
        }),
        Ok(_) => {
            let mut entries =
                fs::read_dir(out).map_err(|e| Error::io(out.display().to_string(), e))?;
            if entries.next().is_none() {
                Ok(Target::New)
            } else if out.join(crate::project::ANSWERS).is_file() {
                Ok(Target::Project)
            } else if force {
                Ok(Target::Foreign)
            } else {
                Err(Error::Output {
                    path: out.into(),
                    message: "is not empty and is not an smgen project (no smgen.toml); choose an empty or new directory, or pass --force to write into it (files in the way are merged, never overwritten)".into(),
                })
            }
        }
    }
}

/// A relative, `/`-separated path made only of normal components.
pub fn safe_relative(path: &str) -> Result<PathBuf> {
    let p = Path::new(path);
    let ok = !path.is_empty()
        && !path.contains('\\')
        && p.components().all(|c| matches!(c, Component::Normal(_)));
    if ok {
        Ok(p.to_path_buf())
    } else {
        Err(Error::Output {
            path: p.into(),
            message: "refusing a path outside the output directory".into(),
        })
    }
}

/// An existing project directory. Every file smgen reads or writes in it is reached through
/// [`Root::resolve`].
#[derive(Debug, Clone)]
pub struct Root {
    /// As the user gave it (for messages).
    shown: PathBuf,
    /// Canonical (symlinks resolved): the boundary paths are checked against.
    real: PathBuf,
}

impl Root {
    pub fn open(dir: &Path) -> Result<Root> {
        let real = fs::canonicalize(dir).map_err(|e| Error::io(dir.display().to_string(), e))?;
        if !real.is_dir() {
            return Err(Error::Output {
                path: dir.into(),
                message: "is not a directory".into(),
            });
        }
        Ok(Root {
            shown: dir.to_path_buf(),
            real,
        })
    }

    /// The directory as the user gave it.
    pub fn shown(&self) -> &Path {
        &self.shown
    }

    /// The directory with symlinks resolved.
    pub fn real(&self) -> &Path {
        &self.real
    }

    /// Where `rel` is on disk. Refuses absolute paths, `..`, and a symlink anywhere on the
    /// way (the file itself included) that resolves outside the directory or not at all. A
    /// symlink that stays inside is followed, so writing through it replaces its target.
    pub fn resolve(&self, rel: &str) -> Result<PathBuf> {
        let relative = safe_relative(rel)?;
        let refuse = |message: String| Error::Output {
            path: self.shown.join(rel),
            message,
        };
        let mut current = self.real.clone();
        let mut parts = relative.components().peekable();
        while let Some(part) = parts.next() {
            let next = current.join(part);
            match fs::symlink_metadata(&next) {
                Ok(meta) if meta.file_type().is_symlink() => {
                    let target = fs::canonicalize(&next).map_err(|_| {
                        refuse("is or passes through a symlink that resolves nowhere; refusing to follow it".into())
                    })?;
                    if !target.starts_with(&self.real) {
                        return Err(refuse(format!(
                            "is or passes through a symlink to {}, outside the project directory; refusing to read or write through it",
                            target.display()
                        )));
                    }
                    current = target;
                }
                Ok(meta) if parts.peek().is_some() && !meta.is_dir() => {
                    return Err(refuse(format!(
                        "{} is not a directory",
                        next.strip_prefix(&self.real).unwrap_or(&next).display()
                    )));
                }
                Ok(_) => current = next,
                Err(_) => {
                    // Nothing exists from here on: the rest is created by smgen.
                    current = next;
                    current.extend(parts);
                    break;
                }
            }
        }
        Ok(current)
    }

    /// The contents of `rel`, `None` when there is no such file.
    pub fn read(&self, rel: &str) -> Result<Option<Vec<u8>>> {
        let path = self.resolve(rel)?;
        match fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) if path.is_dir() => Err(Error::Output {
                path: self.shown.join(rel),
                message: format!("is a directory where smgen writes a file ({e})"),
            }),
            Err(e) => Err(Error::io(
                format!("reading {}", self.shown.join(rel).display()),
                e,
            )),
        }
    }

    /// Replaces (or creates) `rel` atomically; `durability` says whether it must also survive
    /// a power cut (see the module documentation).
    pub fn write(&self, rel: &str, contents: &[u8], durability: Durability) -> Result<()> {
        write_atomic(&self.resolve(rel)?, contents, durability)
    }

    /// Removes `rel` if it exists, then any directories it leaves empty (never the root).
    pub fn remove(&self, rel: &str) -> Result<()> {
        let path = self.resolve(rel)?;
        match fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(format!("removing {}", path.display()), e)),
        }
        let mut dir = path.parent();
        while let Some(d) = dir {
            if !d.starts_with(&self.real) || d == self.real || fs::remove_dir(d).is_err() {
                break;
            }
            dir = d.parent();
        }
        Ok(())
    }
}

/// Writes a whole project into a directory that is missing or empty: staged beside it, then
/// renamed into place, so the directory appears complete or not at all.
pub fn write_new(set: &FileSet, out: &Path) -> Result<()> {
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
        // Each directory is created once, not once per file in it.
        let mut made = std::collections::BTreeSet::new();
        for (path, contents) in &set.files {
            let target = stage.join(safe_relative(path)?);
            if let Some(dir) = target.parent()
                && !made.contains(dir)
            {
                fs::create_dir_all(dir)
                    .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
                made.insert(dir.to_path_buf());
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
    result
}

const TMP_MARK: &str = ".smgen-tmp-";

/// Whether a write must survive a power cut, not only an interrupted process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// Flushed to disk before the rename: content smgen cannot make again.
    Sync,
    /// Atomic only: content smgen makes again from `smgen.toml`.
    Regenerable,
}

/// Replaces `target` atomically: the new contents go to a temporary file in the same
/// directory (with the old file's permissions; synced for [`Durability::Sync`]), which is then
/// renamed over `target`. Temporary files that an earlier, interrupted run left in that
/// directory are removed.
pub fn write_atomic(target: &Path, contents: &[u8], durability: Durability) -> Result<()> {
    let dir = target.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    remove_stale_temps(dir, &name);
    let tmp = dir.join(format!(".{name}{TMP_MARK}{}", std::process::id()));
    let result = (|| {
        let written = fs::File::create(&tmp).and_then(|mut f| {
            use std::io::Write;
            f.write_all(contents)?;
            if durability == Durability::Sync {
                // On disk before the rename, so that not even a power cut leaves it partial.
                f.sync_all()?;
            }
            Ok(())
        });
        written.map_err(|e| Error::io(format!("writing {}", tmp.display()), e))?;
        if let Ok(meta) = fs::metadata(target) {
            let _ = fs::set_permissions(&tmp, meta.permissions());
        }
        fault_before_rename(target);
        fs::rename(&tmp, target)
            .map_err(|e| Error::io(format!("replacing {}", target.display()), e))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Removes `.NAME.smgen-tmp-PID` files (left by a killed run) of one file name.
fn remove_stale_temps(dir: &Path, name: &str) {
    let prefix = format!(".{name}{TMP_MARK}");
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name();
        let file = file.to_string_lossy();
        let stale = file
            .strip_prefix(&prefix)
            .is_some_and(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()));
        if stale && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

#[cfg(debug_assertions)]
fn fault_before_rename(target: &Path) {
    if let Some(rel) = std::env::var_os("SMGEN_TEST_ABORT_BEFORE_RENAME")
        && !rel.is_empty()
        && target.ends_with(Path::new(&rel))
    {
        eprintln!(
            "SMGEN_TEST_ABORT_BEFORE_RENAME: aborting before {}",
            target.display()
        );
        std::process::abort();
    }
}

#[cfg(not(debug_assertions))]
fn fault_before_rename(_: &Path) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_outside_are_refused() {
        assert!(safe_relative("../x").is_err());
        assert!(safe_relative("/etc/passwd").is_err());
        assert!(safe_relative("a/../../b").is_err());
        assert!(safe_relative("a\\..\\b").is_err());
        assert!(safe_relative("").is_err());
        assert!(safe_relative("./a").is_err());
        assert!(safe_relative("tests/a.tftest.hcl").is_ok());
    }

    fn scratch() -> tempfile::TempDir {
        tempfile::Builder::new()
            .prefix("smgen-output-")
            .tempdir()
            .unwrap()
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_out_of_the_root_are_refused_and_inside_ones_followed() {
        use std::os::unix::fs::symlink;
        let outside = scratch();
        let tmp = scratch();
        let root_dir = tmp.path().join("p");
        fs::create_dir_all(root_dir.join("sub")).unwrap();
        fs::write(outside.path().join("secret"), "x").unwrap();
        symlink(outside.path().join("secret"), root_dir.join("a.tf")).unwrap();
        symlink(outside.path(), root_dir.join("policies")).unwrap();
        symlink(root_dir.join("sub"), root_dir.join("inner")).unwrap();
        symlink(root_dir.join("nowhere"), root_dir.join("dangling")).unwrap();
        let root = Root::open(&root_dir).unwrap();
        for bad in ["a.tf", "policies/x.json", "dangling"] {
            let err = root.resolve(bad).unwrap_err().to_string();
            assert!(err.contains("symlink"), "{bad}: {err}");
        }
        assert!(
            root.write("policies/x.json", b"y", Durability::Regenerable)
                .is_err()
        );
        assert!(!outside.path().join("x.json").exists());
        root.write("inner/b.tf", b"ok", Durability::Regenerable)
            .unwrap();
        assert_eq!(fs::read_to_string(root_dir.join("sub/b.tf")).unwrap(), "ok");
        assert!(
            root.resolve("sub/b.tf/c").is_err(),
            "a file is not a directory"
        );
    }

    #[test]
    fn atomic_writes_keep_permissions_and_clean_stale_temps() {
        let tmp = scratch();
        let target = tmp.path().join("f.txt");
        fs::write(&target, "old").unwrap();
        fs::write(tmp.path().join(".f.txt.smgen-tmp-123"), "partial").unwrap();
        fs::write(tmp.path().join(".f.txt.smgen-tmp-abc"), "not ours").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&target, fs::Permissions::from_mode(0o750)).unwrap();
        }
        write_atomic(&target, b"new", Durability::Sync).unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "new");
        let names: Vec<String> = fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(!names.iter().any(|n| n.ends_with("-123")), "{names:?}");
        assert!(names.iter().any(|n| n.ends_with("-abc")), "{names:?}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&target).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o750);
        }
    }

    #[test]
    fn remove_prunes_empty_directories_but_not_the_root() {
        let tmp = scratch();
        let root = Root::open(tmp.path()).unwrap();
        root.write("a/b/c.txt", b"x", Durability::Regenerable)
            .unwrap();
        root.remove("a/b/c.txt").unwrap();
        assert!(!tmp.path().join("a").exists());
        assert!(tmp.path().is_dir());
        root.remove("missing.txt").unwrap();
    }
}

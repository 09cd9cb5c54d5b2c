//! A small builder for running the `smgen` binary in a scratch directory (in the style of
//! just's `tests/test.rs`):
//!
//! ```ignore
//! let run = Smgen::new().args(["generate", "--preset", "regulated"]).out_dir().run();
//! run.assert_exit(0);
//! assert!(run.file("versions.tf").contains("required_providers"));
//! ```
//!
//! Every run gets its own temporary directory, which is also the working directory of the
//! process, so relative paths (`--out out`, `--config input.toml`) stay inside it and appear
//! in messages the way a user typed them.

// Each integration-test crate compiles this module on its own and uses a different part of it.
#![allow(dead_code)]

use assert_cmd::Command;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitStatus;
use tempfile::TempDir;

/// The six presets smgen ships, sorted by name.
pub const PRESETS: &[&str] = &[
    "existing-vpc",
    "notebook-private",
    "public-only",
    "regulated",
    "vpc-only-isolated",
    "vpc-only-nat",
];

/// Files every Terraform project must contain (README.md is checked separately, see
/// [`readme_template_exists`]).
pub const TERRAFORM_FILES: &[&str] = &[
    "versions.tf",
    "variables.tf",
    "outputs.tf",
    "tests/security.tftest.hcl",
    "smgen.toml",
];

/// The name of the output directory that [`Smgen::out_dir`] passes.
pub const OUT: &str = "out";

/// Whether the Terraform template set has a README yet.
pub fn readme_template_exists() -> bool {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("templates/terraform/README.md.tera")
        .is_file()
}

/// A minimal valid config (a VPC-only Studio with the secure defaults).
pub const MIN_CONFIG: &str = "[project]\nname = \"demo\"\nregion = \"eu-west-1\"\n";

pub struct Smgen {
    tmp: TempDir,
    args: Vec<OsString>,
    cwd: PathBuf,
    out: Option<PathBuf>,
}

impl Default for Smgen {
    fn default() -> Self {
        Self::new()
    }
}

impl Smgen {
    pub fn new() -> Self {
        let tmp = tempfile::Builder::new()
            .prefix("smgen-test-")
            .tempdir()
            .expect("temp dir");
        let cwd = tmp.path().to_path_buf();
        Smgen {
            tmp,
            args: vec![],
            cwd,
            out: None,
        }
    }

    /// The scratch directory (the working directory of the run unless [`Self::current_dir`]
    /// says otherwise).
    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    pub fn arg(mut self, arg: impl Into<OsString>) -> Self {
        self.args.push(arg.into());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// `--out out`: the project goes to `<tmp>/out`.
    pub fn out_dir(self) -> Self {
        self.out(OUT)
    }

    /// `--out PATH`, PATH taken as given (relative to the working directory).
    pub fn out(mut self, path: &str) -> Self {
        self.out = Some(self.cwd.join(path));
        self.args.push("--out".into());
        self.args.push(path.into());
        self
    }

    /// Writes a file (relative to the scratch directory) before the run.
    pub fn file(self, path: &str, contents: &str) -> Self {
        let p = self.tmp.path().join(path);
        if let Some(dir) = p.parent() {
            fs::create_dir_all(dir).expect("create dir");
        }
        fs::write(&p, contents).expect("write file");
        self
    }

    /// Creates an (empty) directory in the scratch directory before the run.
    pub fn dir(self, path: &str) -> Self {
        fs::create_dir_all(self.tmp.path().join(path)).expect("create dir");
        self
    }

    /// `--config input.toml` with these contents.
    pub fn config(self, contents: &str) -> Self {
        self.file("input.toml", contents)
            .args(["--config", "input.toml"])
    }

    /// Runs in a subdirectory of the scratch directory (created if missing).
    pub fn current_dir(mut self, rel: &str) -> Self {
        let dir = self.tmp.path().join(rel);
        fs::create_dir_all(&dir).expect("create cwd");
        self.cwd = dir;
        self
    }

    pub fn run(self) -> Run {
        let output = Command::cargo_bin("smgen")
            .expect("the smgen binary")
            .args(&self.args)
            .current_dir(&self.cwd)
            // No colours or terminal widths leaking into messages.
            .env("NO_COLOR", "1")
            .env_remove("COLUMNS")
            .output()
            .expect("run smgen");
        Run {
            status: output.status,
            stdout: String::from_utf8(output.stdout).expect("utf-8 stdout"),
            stderr: String::from_utf8(output.stderr).expect("utf-8 stderr"),
            out: self
                .out
                .unwrap_or_else(|| self.tmp.path().join(OUT))
                .to_path_buf(),
            args: self.args,
            tmp: self.tmp,
        }
    }
}

/// The result of one run; keeps the scratch directory alive.
pub struct Run {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
    pub tmp: TempDir,
    /// The output directory the run was given (absolute).
    pub out: PathBuf,
    pub args: Vec<OsString>,
}

impl Run {
    fn context(&self) -> String {
        format!(
            "smgen {}\n--- status: {:?}\n--- stdout:\n{}\n--- stderr:\n{}",
            self.args
                .iter()
                .map(|a| a.to_string_lossy())
                .collect::<Vec<_>>()
                .join(" "),
            self.status.code(),
            self.stdout,
            self.stderr
        )
    }

    pub fn code(&self) -> Option<i32> {
        self.status.code()
    }

    pub fn assert_exit(&self, code: i32) -> &Self {
        assert_eq!(
            self.status.code(),
            Some(code),
            "unexpected exit code\n{}",
            self.context()
        );
        self
    }

    pub fn assert_success(&self) -> &Self {
        self.assert_exit(0)
    }

    pub fn assert_stderr_contains(&self, needle: &str) -> &Self {
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}\n{}",
            self.context()
        );
        self
    }

    /// The contents of a file of the output directory.
    pub fn file(&self, path: &str) -> String {
        let p = self.out.join(path);
        fs::read_to_string(&p)
            .unwrap_or_else(|e| panic!("reading {}: {e}\n{}", p.display(), self.context()))
    }

    /// Every file under the output directory, as sorted `/`-separated relative paths.
    pub fn files(&self) -> Vec<String> {
        tree(&self.out).into_keys().collect()
    }

    /// The output directory as path → bytes.
    pub fn tree(&self) -> BTreeMap<String, Vec<u8>> {
        tree(&self.out)
    }

    /// stdout parsed as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON: {e}\n{}", self.context()))
    }
}

/// The three-environment fixture (`tests/fixtures/environments/smgen.toml`) or another answers
/// text with `[environments]`, rendered in process in `format`.
pub fn render_environments(text: &str, format: smgen::render::Format) -> smgen::render::FileSet {
    let valid = smgen::spec::load(
        &smgen::spec::SpecSource::Config {
            origin: "smgen.toml".into(),
            text: text.into(),
        },
        &[],
    )
    .expect("the answers are valid");
    let pairs: Vec<_> = valid
        .environments()
        .iter()
        .map(|e| (e.clone(), smgen::model::resolve(&e.spec)))
        .collect();
    smgen::render::render_environments(&pairs, &valid, format).expect("the answers render")
}

/// `smgen SUBCOMMAND DIR REST…` on an existing project directory.
pub fn smgen_in(dir: &Path, args: &[&str]) -> Run {
    Smgen::new().arg(args[0]).arg(dir).args(&args[1..]).run()
}

/// A file of a project directory, panicking with its path when it cannot be read.
pub fn read(dir: &Path, path: &str) -> String {
    fs::read_to_string(dir.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every file under `root` (recursively), path → bytes; empty if `root` does not exist.
/// Directories appear as `path/` with no contents so that empty directories count too.
pub fn tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let entry = entry.expect("dir entry");
            let path = entry.path();
            let rel = path
                .strip_prefix(root)
                .expect("under root")
                .to_string_lossy()
                .replace('\\', "/");
            let ty = entry.file_type().expect("file type");
            if ty.is_dir() {
                out.insert(format!("{rel}/"), vec![]);
                walk(root, &path, out);
            } else {
                out.insert(rel, fs::read(&path).expect("read file"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    // Only files are reported as files; keep directories only when they are empty.
    let dirs: Vec<String> = out.keys().filter(|k| k.ends_with('/')).cloned().collect();
    for d in dirs {
        if out.keys().any(|k| k != &d && k.starts_with(&d)) {
            out.remove(&d);
        }
    }
    out
}

/// A readable summary of two trees' differences (for assertion messages).
pub fn tree_diff(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>) -> String {
    let mut lines = vec![];
    for (k, v) in a {
        match b.get(k) {
            None => lines.push(format!("only in first: {k}")),
            Some(w) if w != v => lines.push(format!("differs: {k}")),
            _ => {}
        }
    }
    for k in b.keys() {
        if !a.contains_key(k) {
            lines.push(format!("only in second: {k}"));
        }
    }
    lines.join("\n")
}

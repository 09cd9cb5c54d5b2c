//! Benchmarks of the work one `smgen` run does, in process (no process start, no disk writes
//! except where a project on disk is the point). Results and how to read them: README.md §
//! Performance. Kept short on purpose (`cargo bench` in about two minutes): small samples,
//! one second of warm-up; pass criterion's own flags to measure longer.
//!
//! - `preset/<preset>/<format>`: resolve + render of one preset in one format (templates
//!   already parsed: the warm-up parses them once, as a process does on its first render).
//! - `all`: every preset in every format, one after the other.
//! - `unchanged`: what `smgen diff` and `generate --check` do on an unchanged project: read
//!   smgen.toml, resolve, render, compare with the files on disk.
//! - `scaling/*`: resolve + render (Terraform) as one dimension grows; time per element should
//!   stay flat (linear growth), which is what the README's table shows.
//! - `environments/<format>/<n>`: resolve + render of a project with `n` environments
//!   (`[environments.NAME]`), and `environments/check/<format>/50`: what `generate --check`
//!   does on an unchanged 50-environment project (read, resolve, render, compare).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use smgen::model;
use smgen::output::{self, Root};
use smgen::reconcile;
use smgen::render::{self, Format};
use smgen::spec::{self, EndpointChoice, Spec, SpecSource, Valid};
use std::hint::black_box;
use std::time::Duration;

/// The shipped presets' names (the bench follows `presets/` as it grows).
fn preset_names() -> Vec<&'static str> {
    smgen::presets::all().iter().map(|p| p.name).collect()
}
const FORMATS: &[Format] = &Format::ALL;

fn preset(name: &str) -> Valid {
    spec::load(&SpecSource::Preset(name.into()), &[]).expect("presets load")
}

/// A changed spec, validated again.
fn valid(spec: Spec) -> Valid {
    spec.validate().expect("the scaled spec is valid")
}

fn resolve_render(spec: &Valid, format: Format) -> usize {
    let model = model::resolve(spec);
    let set = render::render(&model, spec, format).expect("renders");
    set.files.values().map(String::len).sum()
}

fn presets(c: &mut Criterion) {
    let mut group = c.benchmark_group("preset");
    for name in preset_names() {
        let spec = preset(name);
        for &format in FORMATS {
            group.bench_function(BenchmarkId::new(name, format.name()), |b| {
                b.iter(|| resolve_render(black_box(&spec), format))
            });
        }
    }
    group.finish();

    let specs: Vec<Valid> = preset_names().iter().map(|p| preset(p)).collect();
    c.bench_function("all", |b| {
        b.iter(|| {
            let mut bytes = 0;
            for spec in &specs {
                for &format in FORMATS {
                    bytes += resolve_render(black_box(spec), format);
                }
            }
            bytes
        })
    });
}

/// `smgen diff` on a project that matches its render: load smgen.toml, resolve, render, read
/// and compare every file.
fn unchanged(c: &mut Criterion) {
    let tmp = tempfile::tempdir().expect("scratch dir");
    let dir = tmp.path().join("project");
    let spec = preset("regulated");
    let set = render::render(&model::resolve(&spec), &spec, Format::Terraform).unwrap();
    let mut all = set.clone();
    all.files.extend(
        reconcile::initial_state(&set, Format::Terraform, &spec)
            .unwrap()
            .files,
    );
    output::write_new(&all, &dir).unwrap();

    c.bench_function("unchanged/diff", |b| {
        b.iter(|| {
            let root = Root::open(&dir).unwrap();
            let lock = reconcile::read_lock(&root).unwrap().expect("a lock");
            let text =
                String::from_utf8(root.read(smgen::project::ANSWERS).unwrap().unwrap()).unwrap();
            let source = SpecSource::Config {
                origin: "smgen.toml".into(),
                text,
            };
            let spec = spec::load(&source, &[]).unwrap();
            let set = render::render(&model::resolve(&spec), &spec, lock.format()).unwrap();
            let drift = reconcile::drift(&root, Some(&lock), &set).unwrap();
            assert!(drift.is_empty(), "the project is unchanged");
        })
    });
}

fn scaling(c: &mut Criterion) {
    let base = {
        let mut s = preset("regulated").into_spec();
        // The Region with the most zones in smgen's table (five: its constrained zone is left
        // out), so that `azs` goes as far as validation allows.
        s.project.region = "us-east-1".into();
        s
    };

    let mut group = c.benchmark_group("scaling/user_profiles");
    for n in [1usize, 10, 100, 1000] {
        let mut spec = base.clone();
        spec.studio.user_profiles = (0..n).map(|i| format!("user-{i}")).collect();
        let spec = valid(spec);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &spec, |b, spec| {
            b.iter(|| resolve_render(spec, Format::Terraform))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("scaling/azs");
    let zones = smgen::aws::region::lookup(&base.project.region).map_or(1, |r| r.az_ids.len());
    for n in 1..=u8::try_from(zones).unwrap_or(u8::MAX) {
        let mut spec = base.clone();
        spec.network.vpc.azs = n;
        let spec = valid(spec);
        group.throughput(Throughput::Elements(u64::from(n)));
        group.bench_with_input(BenchmarkId::from_parameter(n), &spec, |b, spec| {
            b.iter(|| resolve_render(spec, Format::Terraform))
        });
    }
    group.finish();

    let keys = smgen::aws::endpoints::keys();
    let mut group = c.benchmark_group("scaling/endpoints");
    let mut counts = vec![0, keys.len() / 4, keys.len() / 2, keys.len()];
    counts.dedup();
    for n in counts {
        let mut spec = base.clone();
        spec.network.endpoints =
            EndpointChoice::List(keys[..n].iter().map(|k| k.to_string()).collect());
        let spec = valid(spec);
        group.throughput(Throughput::Elements(n.max(1) as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &spec, |b, spec| {
            b.iter(|| resolve_render(spec, Format::Terraform))
        });
    }
    group.finish();
}

/// Answers with `n` environments: one account and one VPC block each, every fifth in another
/// Region (a structure of its own), every tenth a production one.
pub fn environments_config(n: usize) -> String {
    let mut s = String::from(
        "[project]\nname = \"scale\"\nregion = \"eu-west-1\"\n[studio]\nuser_profiles = [\"ana\"]\n",
    );
    for i in 0..n {
        s.push_str(&format!(
            "[environments.e{i}.project]\naccount_id = \"{:012}\"\ntags = {{ env = \"e{i}\" }}\n{}{}\
             [environments.e{i}.network.vpc]\ncidr = \"10.{i}.0.0/16\"\n",
            100_000_000_000u64 + i as u64,
            if i % 5 == 4 { "region = \"eu-central-1\"\n" } else { "" },
            if i % 10 == 9 { "stage = \"production\"\n" } else { "" },
        ));
    }
    s
}

fn load_text(text: &str) -> Valid {
    spec::load(
        &SpecSource::Config {
            origin: "smgen.toml".into(),
            text: text.into(),
        },
        &[],
    )
    .expect("the environments config is valid")
}

/// Resolve + render of every environment, as `smgen generate` does.
fn render_environments(spec: &Valid, format: Format) -> render::FileSet {
    let pairs: Vec<(spec::Environment, model::Model)> = spec
        .environments()
        .iter()
        .map(|e| (e.clone(), model::resolve(&e.spec)))
        .collect();
    render::render_environments(&pairs, spec, format).expect("renders")
}

fn environments(c: &mut Criterion) {
    let mut group = c.benchmark_group("environments");
    for &format in FORMATS {
        for n in [10, 25, 50] {
            let text = environments_config(n);
            group.throughput(Throughput::Elements(n as u64));
            group.bench_with_input(BenchmarkId::new(format.name(), n), &text, |b, text| {
                b.iter(|| {
                    let spec = load_text(text);
                    render_environments(&spec, format).files.len()
                })
            });
        }
    }
    group.finish();
    let text = environments_config(50);
    let tmp = tempfile::tempdir().expect("scratch dir");
    for &format in FORMATS {
        let dir = tmp.path().join(format.name());
        let spec = load_text(&text);
        let set = render_environments(&spec, format);
        let mut all = set.clone();
        all.files
            .extend(reconcile::initial_state(&set, format, &spec).unwrap().files);
        output::write_new(&all, &dir).unwrap();
        c.bench_function(&format!("environments/check/{}/50", format.name()), |b| {
            b.iter(|| {
                let root = Root::open(&dir).unwrap();
                let lock = reconcile::read_lock(&root).unwrap().expect("a lock");
                let text = String::from_utf8(root.read(smgen::project::ANSWERS).unwrap().unwrap())
                    .unwrap();
                let spec = load_text(&text);
                let set = render_environments(&spec, lock.format());
                let drift = reconcile::drift(&root, Some(&lock), &set).unwrap();
                assert!(drift.is_empty(), "the project is unchanged");
            })
        });
    }
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2))
        .without_plots()
}

criterion_group! {
    name = benches;
    config = config();
    targets = presets, unchanged, scaling, environments
}
criterion_main!(benches);

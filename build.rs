//! The templates, presets and the condition-key table are embedded with include_dir /
//! include_str; tell cargo to rebuild when they change (include_dir does not on stable).
fn main() {
    for dir in ["templates", "presets", "data"] {
        println!("cargo:rerun-if-changed={dir}");
    }
}

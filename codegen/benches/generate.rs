//! How long a full regeneration of the real spec takes (load, lower, validate, emit, render).

use criterion::{criterion_group, criterion_main, Criterion};
use std::path::Path;

fn generate(c: &mut Criterion) {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    let files = lark_codegen::read_spec_dir(&spec).expect("spec readable");
    c.bench_function("generate real spec (in memory)", |b| {
        b.iter(|| lark_codegen::generate(&files).expect("spec valid"))
    });
    let out = tempfile::tempdir().expect("temp dir");
    c.bench_function(
        "cargo xtask codegen equivalent (read, generate, sync to disk)",
        |b| {
            b.iter(|| {
                let generated = lark_codegen::generate_dir(&spec).expect("spec valid");
                lark_codegen::sync(out.path(), &generated.files, lark_codegen::Mode::Write)
                    .expect("written")
            })
        },
    );
}

criterion_group!(benches, generate);
criterion_main!(benches);

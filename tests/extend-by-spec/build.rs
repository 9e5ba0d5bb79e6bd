//! Rebuilds the crate when a spec file is added to `spec/` (the proc-macro tracks the files it
//! read; a new file is no input of the build until this says so).

fn main() {
    println!("cargo:rerun-if-changed=spec");
}

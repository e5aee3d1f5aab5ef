//! Embeds every `.rego` file under `policies/` into the binary, so the built-in
//! policy set ships with `blastwall` and users can still read it in the repository.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=policies");
    let mut files = Vec::new();
    collect(Path::new("policies"), &mut files);
    files.sort();
    let mut out = String::from("/// `(path, source)` of every built-in policy file, sorted by path.\npub static BUILTIN_POLICIES: &[(&str, &str)] = &[\n");
    for file in files {
        let shown = file.replace('\\', "/");
        let absolute = std::fs::canonicalize(&file).expect("policy path");
        writeln!(
            out,
            "    ({shown:?}, include_str!({:?})),",
            absolute.display().to_string()
        )
        .unwrap();
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("builtin_policies.rs");
    std::fs::write(dest, out).expect("write builtin_policies.rs");
}

fn collect(dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "rego") {
            println!("cargo:rerun-if-changed={}", path.display());
            out.push(path.to_string_lossy().into_owned());
        }
    }
}

//! Embeds every `.rego` file under `policies/` into the binary, so the built-in
//! policy set ships with `blastwall` and users can still read it in the repository.
//! Also hashes the Rust sources into `BLASTWALL_SOURCE_HASH`: the cache of a
//! build must not serve another build's facts, even at the same version.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=policies");
    let mut files = Vec::new();
    collect(Path::new("policies"), "rego", &mut files);
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

    println!("cargo:rerun-if-changed=Cargo.lock");
    let mut sources = Vec::new();
    collect(Path::new("src"), "rs", &mut sources);
    sources.push("Cargo.lock".to_owned());
    sources.sort();
    // FNV-1a, as src/hash.rs (a build script cannot use the crate it builds).
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for file in sources {
        let bytes = std::fs::read(&file).unwrap_or_default();
        let file = file.replace('\\', "/");
        for byte in file.as_bytes().iter().chain(&bytes) {
            hash = (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    println!("cargo:rustc-env=BLASTWALL_SOURCE_HASH={hash:016x}");
}

/// Files under `dir` with extension `ext`, each watched for changes.
fn collect(dir: &Path, ext: &str, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            collect(&path, ext, out);
        } else if path.extension().is_some_and(|e| e == ext) {
            println!("cargo:rerun-if-changed={}", path.display());
            out.push(path.to_string_lossy().into_owned());
        }
    }
}

//! Runs the real `blastwall` binary.

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn testdata() -> PathBuf {
    repo_root().join("testdata")
}

/// Runs `blastwall ARGS` in `cwd`, with colour off and the built-in policies.
pub fn blastwall(cwd: &Path, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_blastwall"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env_remove("BLASTWALL_BUILTIN_POLICIES")
        .output()
        .expect("run blastwall");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// JSON output with the run-dependent duration zeroed, for snapshots.
pub fn stable_json(run: &Run) -> serde_json::Value {
    let mut json = run.json();
    json["summary"]["duration_ms"] = serde_json::json!(0);
    json
}

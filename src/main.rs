//! `blastwall`: the binary. Parses flags, runs one command, picks the exit code
//! (0 clean, 1 findings at or above `--fail-on`, 2 usage or internal error).

use std::process::ExitCode;

use blastwall::{cli, commands};
use clap::Parser;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli.command) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("blastwall: error: {err:#}");
            ExitCode::from(2)
        }
    }
}

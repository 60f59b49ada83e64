//! The `profspace` binary: the command line (`src/cli/`) over the library.

mod exit;
#[macro_use]
mod cli;
mod serve;

fn main() {
    std::process::exit(cli::main());
}

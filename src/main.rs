//! The `profspace` binary: the command line (`src/cli/`) over the library.

mod cli;
mod serve;

fn main() {
    std::process::exit(cli::main());
}

//! The `profspace` binary: everything is in the library's `cli` module.

fn main() {
    std::process::exit(profspace::cli::main());
}

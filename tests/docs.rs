//! Documentation that is generated must match its source.

#[test]
fn parameter_reference_matches_the_registry() {
    let generated = profspace::scenario::params::reference_markdown();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/parameters.md");
    if std::env::var_os("PROFSPACE_BLESS").is_some() {
        std::fs::write(path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap();
    assert!(
        committed == generated,
        "docs/parameters.md is out of date: run `cargo run -- params --markdown > docs/parameters.md` \
         (or PROFSPACE_BLESS=1 cargo test --test docs)"
    );
}

//! `docs/tutorial.md` never drifts: every file it shows is written, every
//! command it shows is run (in a fresh folder, in order), every line of its
//! quoted output must appear in what the commands before it printed, and
//! every number it quotes in bold in the prose must be one the commands
//! printed.
//!
//! The page's conventions: ```` ```toml NAME ```` is a file to save as NAME;
//! ```` ```sh ```` holds `profspace …` commands, one per line; ```` ```text ````
//! holds lines of their standard output (any subset, in any order).

use std::path::Path;

#[derive(Debug)]
enum Block {
    File { name: String, text: String },
    Commands(Vec<String>),
    Output(Vec<String>),
    Prose(String),
}

fn blocks(page: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut lines = page.lines();
    let mut prose = String::new();
    while let Some(line) = lines.next() {
        let Some(info) = line.strip_prefix("```") else {
            prose.push_str(line);
            prose.push('\n');
            continue;
        };
        out.push(Block::Prose(std::mem::take(&mut prose)));
        let body: Vec<String> = lines
            .by_ref()
            .take_while(|l| !l.starts_with("```"))
            .map(str::to_string)
            .collect();
        let mut words = info.split_whitespace();
        match (words.next(), words.next()) {
            (Some("toml"), Some(name)) => out.push(Block::File {
                name: name.to_string(),
                text: body.join("\n") + "\n",
            }),
            (Some("sh"), _) => out.push(Block::Commands(body)),
            (Some("text"), _) => out.push(Block::Output(body)),
            _ => {}
        }
    }
    out.push(Block::Prose(prose));
    out
}

/// Runs `profspace ARGS` in `dir`; returns its standard output.
fn run(dir: &Path, command: &str) -> String {
    let args: Vec<&str> = command.split_whitespace().collect();
    assert_eq!(
        args.first(),
        Some(&"profspace"),
        "the tutorial's commands start with `profspace`: {command}"
    );
    let output = assert_cmd::Command::cargo_bin("profspace")
        .unwrap()
        .current_dir(dir)
        .args(&args[1..])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "`{command}` failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// Lines compared with runs of spaces collapsed.
fn squeeze(line: &str) -> String {
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The numbers written in bold in prose: `**0.679**`.
fn bold_numbers(prose: &str) -> Vec<String> {
    prose
        .split("**")
        .skip(1)
        .step_by(2)
        .filter(|t| t.parse::<f64>().is_ok())
        .map(str::to_string)
        .collect()
}

#[test]
fn the_tutorial_prints_what_it_says() {
    let page =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/tutorial.md")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut last = String::new();
    let mut everything = String::new();
    let mut quoted = Vec::new();
    let (mut commands, mut outputs) = (0, 0);
    for block in blocks(&page) {
        match block {
            Block::File { name, text } => std::fs::write(dir.path().join(name), text).unwrap(),
            Block::Commands(lines) => {
                last.clear();
                for command in lines.iter().filter(|l| !l.trim().is_empty()) {
                    last.push_str(&run(dir.path(), command));
                    commands += 1;
                }
                everything.push_str(&last);
            }
            Block::Output(lines) => {
                let printed: Vec<String> = last.lines().map(squeeze).collect();
                for line in lines.iter().filter(|l| !l.trim().is_empty()) {
                    assert!(
                        printed.contains(&squeeze(line)),
                        "docs/tutorial.md quotes a line the commands before it did not print:\n  {line}\nthey printed:\n{last}"
                    );
                }
                outputs += 1;
            }
            Block::Prose(text) => quoted.extend(bold_numbers(&text)),
        }
    }
    for number in &quoted {
        assert!(
            everything
                .split(|c: char| c.is_whitespace() || c == ',')
                .any(|w| w == number),
            "docs/tutorial.md quotes {number} in its text, but no command printed it"
        );
    }
    // The page must exercise something: commands, quoted output, numbers.
    assert!(
        commands >= 3 && outputs >= 3 && quoted.len() >= 10,
        "{commands} commands, {outputs} outputs, {} numbers",
        quoted.len()
    );
}

//! The layering of `ARCHITECTURE.md`, held by a check of the imports: every
//! `crate::…` and `profspace::…` path in `src/` names a module of the same
//! layer or one below, and the modules' imports have no cycle. And the
//! length of functions: none in `src/` or `python/rust/` is over
//! [`MAX_LINES`] lines, but the models' hot loops ([`HOT_LOOPS`]).
//!
//! ```text
//! app     cli, serve, exit (the binary)
//! plot    plot
//! engine  output, sweep, analysis, calibrate
//! core    params, rng, lanes, pages, observe, stats, error, model, scenario, sensitivity
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const LAYERS: [(&str, &[&str]); 4] = [
    (
        "core",
        &[
            "params",
            "rng",
            "lanes",
            "pages",
            "observe",
            "stats",
            "error",
            "model",
            "scenario",
            "sensitivity",
        ],
    ),
    ("engine", &["output", "sweep", "analysis", "calibrate"]),
    ("plot", &["plot"]),
    ("app", &["cli", "serve", "exit"]),
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|(_, ms)| ms.contains(&module))
}

/// Every `.rs` file under `dir`.
fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The top-level modules each module imports: (module, imported, file).
fn imports() -> BTreeMap<String, BTreeMap<String, String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    files(&src, &mut all);
    let mut out: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for path in all {
        let rel = path.strip_prefix(&src).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if top == "lib" || top == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for line in text.lines() {
            let code = line.split("//").next().unwrap_or("");
            for prefix in ["crate::", "profspace::"] {
                for (at, _) in code.match_indices(prefix) {
                    let rest = &code[at + prefix.len()..];
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if name != top && layer_of(&name).is_some() {
                        out.entry(top.clone())
                            .or_default()
                            .entry(name)
                            .or_insert_with(|| rel.display().to_string());
                    }
                }
            }
        }
    }
    out
}

#[test]
fn no_module_imports_a_layer_above_it() {
    let mut wrong = Vec::new();
    for (module, deps) in imports() {
        let Some(own) = layer_of(&module) else {
            wrong.push(format!(
                "{module} is in no layer: add it to ARCHITECTURE.md and this check"
            ));
            continue;
        };
        for (dep, file) in deps {
            if layer_of(&dep).is_some_and(|l| l > own) {
                wrong.push(format!(
                    "{module} ({}) imports {dep} ({}) in src/{file}",
                    LAYERS[own].0,
                    LAYERS[layer_of(&dep).unwrap()].0
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layering:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_modules_have_no_cycle() {
    let graph = imports();
    // Depth-first search for a back edge.
    fn visit(
        m: &str,
        graph: &BTreeMap<String, BTreeMap<String, String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == m) {
            let mut cycle = path[i..].to_vec();
            cycle.push(m.to_string());
            return Some(cycle);
        }
        if done.contains(m) {
            return None;
        }
        path.push(m.to_string());
        for dep in graph.get(m).into_iter().flat_map(|d| d.keys()) {
            if let Some(c) = visit(dep, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(m.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for m in graph.keys() {
        if let Some(cycle) = visit(m, &graph, &mut Vec::new(), &mut done) {
            panic!("a cycle of imports: {}", cycle.join(" → "));
        }
    }
}

/// The most lines a function may span, from its `fn` line to its closing
/// brace.
const MAX_LINES: usize = 100;

/// The functions that may be longer (file, function): the models' per-tick
/// hot loops, the equations of one professional and the walk of a team in
/// lanes of four (`kernel.rs`), and one period of March's model. Each is
/// one pass over the state that must compile to one loop body: split into
/// helpers, it would depend on the inliner for its speed, and the AVX2 and
/// portable builds must keep giving the same bits (`hot_loops::`). Nothing
/// else belongs here.
const HOT_LOOPS: [(&str, &str); 3] = [
    ("src/model/psm/kernel.rs", "professional"),
    ("src/model/psm/kernel.rs", "team"),
    ("src/model/march/mod.rs", "step"),
];

/// `text` with every comment and the inside of every string and character
/// literal turned into spaces, newlines kept: what is left of braces is
/// code.
fn code_only(text: &str) -> String {
    let s: Vec<char> = text.chars().collect();
    let mut out = s.clone();
    let blank = |out: &mut Vec<char>, from: usize, to: usize| {
        for c in &mut out[from..to.min(s.len())] {
            if *c != '\n' {
                *c = ' ';
            }
        }
    };
    let ident = |i: usize| i < s.len() && (s[i].is_alphanumeric() || s[i] == '_');
    let mut i = 0;
    while i < s.len() {
        let at = |k: usize, p: &str| s[k..].iter().take(p.len()).copied().eq(p.chars());
        let start = i;
        if at(i, "//") {
            while i < s.len() && s[i] != '\n' {
                i += 1;
            }
        } else if at(i, "/*") {
            let mut depth = 0;
            while i < s.len() {
                if at(i, "/*") {
                    depth += 1;
                    i += 2;
                } else if at(i, "*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if s[i] == 'r'
            && (i == 0 || !ident(i - 1) || (s[i - 1] == 'b' && (i == 1 || !ident(i - 2))))
            && s[i + 1..].iter().find(|&&c| c != '#') == Some(&'"')
        {
            // A raw string: r"…", r#"…"#, br"…".
            let hashes = s[i + 1..].iter().take_while(|&&c| c == '#').count();
            let close = format!("\"{}", "#".repeat(hashes));
            i += hashes + 2;
            while i < s.len() && !at(i, &close) {
                i += 1;
            }
            i += close.len();
        } else if s[i] == '"' {
            i += 1;
            while i < s.len() && s[i] != '"' {
                i += if s[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
        } else if s[i] == '\'' && i + 2 < s.len() && (s[i + 1] == '\\' || s[i + 2] == '\'') {
            // A character literal ('x', '\n', '\u{…}'), not a lifetime.
            i += 2;
            while i < s.len() && s[i] != '\'' {
                i += 1;
            }
            i += 1;
        } else {
            i += 1;
            continue;
        }
        blank(&mut out, start, i);
    }
    out.into_iter().collect()
}

/// Every function with a body in `text`: (name, line of `fn`, lines).
fn function_lengths(text: &str) -> Vec<(String, usize, usize)> {
    let code: Vec<char> = code_only(text).chars().collect();
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let line_of = |i: usize| 1 + code[..i].iter().filter(|&&c| c == '\n').count();
    let mut out = Vec::new();
    for i in 0..code.len().saturating_sub(2) {
        if code[i] != 'f'
            || code[i + 1] != 'n'
            || !code[i + 2].is_whitespace()
            || (i > 0 && ident(code[i - 1]))
        {
            continue;
        }
        let mut j = i + 2;
        while j < code.len() && code[j].is_whitespace() {
            j += 1;
        }
        let name: String = code[j..].iter().take_while(|&&c| ident(c)).collect();
        if name.is_empty() {
            continue;
        }
        // The body's opening brace: the first `{` outside the signature's
        // parentheses and brackets; a `;` first means no body.
        let mut depth = 0i32;
        let mut open = None;
        for (k, &c) in code.iter().enumerate().skip(j) {
            match c {
                '(' | '[' => depth += 1,
                ')' | ']' => depth -= 1,
                ';' if depth == 0 => break,
                '{' if depth == 0 => {
                    open = Some(k);
                    break;
                }
                _ => {}
            }
        }
        let Some(open) = open else { continue };
        let mut depth = 0;
        for (k, &c) in code.iter().enumerate().skip(open) {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => continue,
            }
            if depth == 0 {
                let first = line_of(i);
                out.push((name, first, line_of(k) - first + 1));
                break;
            }
        }
    }
    out
}

/// Every function of `src/` and `python/rust/`: (file, name, line, lines).
fn all_functions() -> Vec<(String, String, usize, usize)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut all = Vec::new();
    for dir in ["src", "python/rust"] {
        files(&root.join(dir), &mut all);
    }
    all.sort();
    let mut out = Vec::new();
    for path in all {
        let rel = path.strip_prefix(root).unwrap().display().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        for (name, line, lines) in function_lengths(&text) {
            out.push((rel.clone(), name, line, lines));
        }
    }
    out
}

#[test]
fn no_function_outside_a_hot_loop_is_over_100_lines() {
    let all = all_functions();
    let long: Vec<String> = all
        .iter()
        .filter(|(file, name, _, lines)| {
            *lines > MAX_LINES && !HOT_LOOPS.contains(&(file.as_str(), name.as_str()))
        })
        .map(|(file, name, line, lines)| format!("{file}:{line}: {name} is {lines} lines"))
        .collect();
    assert!(
        long.is_empty(),
        "functions over {MAX_LINES} lines (split them by meaning into named helpers):\n{}",
        long.join("\n")
    );
    for (file, name) in HOT_LOOPS {
        assert!(
            all.iter().any(|(f, n, _, _)| f == file && n == name),
            "the hot loop {file} {name} is gone: update HOT_LOOPS in tests/it/layering.rs"
        );
    }
}

#[test]
fn function_lengths_skip_braces_in_literals_and_comments() {
    let text = r####"
trait T {
    fn declared(&self) -> [u8; 2];
}
fn outer<'a>(x: &'a str) -> usize {
    let _ = ('{', '\'', '\u{7d}', "}\"{", r#"}"#, b'}', br"{");
    // }
    /* } /* { */ } */
    fn inner() {}
    x.len()
}
"####;
    assert_eq!(
        function_lengths(text),
        [("outer".to_string(), 5, 7), ("inner".to_string(), 9, 1)]
    );
}

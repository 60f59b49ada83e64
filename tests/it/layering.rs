//! The layering of `ARCHITECTURE.md`, held by a check of the imports: every
//! `crate::…` and `profspace::…` path in `src/` names a module of the same
//! layer or one below, and the modules' imports have no cycle.
//!
//! ```text
//! app     cli, serve, exit (the binary)
//! plot    plot
//! engine  output, sweep, analysis, calibrate
//! core    params, rng, lanes, observe, stats, error, model, scenario, sensitivity
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

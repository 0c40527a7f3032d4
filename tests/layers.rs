//! The layer order: a module imports only modules of lower layers, never a peer or a higher one.
//! The layers are the numbered list in `src/lib.rs`'s header (the one place they are written);
//! every `crate::` path (and every `super::` that climbs to the crate root) in `src/` is checked
//! against it, tests included, comments not. Runs with `cargo test`, so in CI.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The numbered layer lines of `src/lib.rs`'s `//!` header: `//! 3. `app`, `ui`: ...`.
fn layers(lib_rs: &str) -> Vec<Vec<String>> {
    lib_rs
        .lines()
        .filter_map(|l| l.strip_prefix("//! "))
        .filter_map(|l| {
            let (number, rest) = l.split_once(". ")?;
            number.parse::<usize>().ok()?;
            let names = rest.split(':').next()?;
            Some(
                names
                    .split('`')
                    .skip(1)
                    .step_by(2)
                    .map(str::to_string)
                    .collect(),
            )
        })
        .collect()
}

/// The modules `src/lib.rs` declares.
fn declared(lib_rs: &str) -> Vec<String> {
    lib_rs
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod "))
        .map(|l| l.trim_end_matches(';').to_string())
        .collect()
}

/// `text` without `//` comments (doc comments included) and `/* */` blocks; string literals are
/// kept (a `crate::` inside one is rare and would only make the check stricter).
fn code(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while !rest.is_empty() {
        match (rest.find("//"), rest.find("/*")) {
            (Some(a), b) if b.is_none_or(|b| a < b) => {
                out.push_str(&rest[..a]);
                rest = rest[a..].find('\n').map_or("", |n| &rest[a + n..]);
            }
            (_, Some(b)) => {
                out.push_str(&rest[..b]);
                rest = rest[b..].find("*/").map_or("", |e| &rest[b + e + 2..]);
            }
            _ => {
                out.push_str(rest);
                rest = "";
            }
        }
    }
    out
}

fn ident_at(s: &str) -> String {
    s.chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// The top-level modules `source` (of module path `module`, e.g. `["app", "update"]`) refers
/// to: `crate::x`, `crate::{x, y::z}` and `super::...::x` reaching the crate root.
fn references(module: &[String], source: &str) -> Vec<String> {
    let text = code(source);
    let mut found = Vec::new();
    for (at, _) in text.match_indices("crate::") {
        let before = text[..at].chars().last();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let after = &text[at + "crate::".len()..];
        if let Some(group) = after.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            found.extend(group.split(',').map(|p| ident_at(p.trim())));
        } else {
            found.push(ident_at(after));
        }
    }
    for (at, _) in text.match_indices("super::") {
        let before = text[..at].chars().last();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let mut rest = &text[at..];
        let mut depth = module.len();
        while let Some(r) = rest.strip_prefix("super::") {
            depth = depth.saturating_sub(1);
            rest = r;
        }
        if depth == 0 {
            found.push(ident_at(rest));
        }
    }
    found.retain(|m| !m.is_empty() && m != "self");
    found
}

/// Every `.rs` file under `dir` with its module path (`src/app/mod.rs` → `["app"]`).
fn sources(src: &Path) -> Vec<(Vec<String>, PathBuf)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("read src") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(src, &mut files);
    files
        .into_iter()
        .filter_map(|f| {
            let rel = f.strip_prefix(src).ok()?.with_extension("");
            let mut parts: Vec<String> = rel.iter().map(|c| c.to_string_lossy().into()).collect();
            if parts.last().is_some_and(|p| p == "mod") {
                parts.pop();
            }
            (!matches!(parts[..].first().map(String::as_str), Some("lib" | "main")))
                .then_some((parts, f))
        })
        .collect()
}

/// Every import that breaks the order: "from → to (layer a → b)".
fn violations(rank: &BTreeMap<String, usize>, files: &[(Vec<String>, String)]) -> Vec<String> {
    let mut bad = Vec::new();
    for (module, text) in files {
        let from = &module[0];
        let Some(&low) = rank.get(from) else {
            bad.push(format!("{from} is in no layer of src/lib.rs"));
            continue;
        };
        for to in references(module, text) {
            if &to == from {
                continue;
            }
            match rank.get(&to) {
                Some(&high) if high < low => {}
                Some(&high) => bad.push(format!(
                    "{} imports {to} (layer {low} → {high})",
                    module.join("::")
                )),
                None => {} // not a crate module (e.g. a macro path); nothing to order
            }
        }
    }
    bad.sort();
    bad.dedup();
    bad
}

fn ranks(layers: &[Vec<String>]) -> BTreeMap<String, usize> {
    let mut rank = BTreeMap::new();
    for (i, layer) in layers.iter().enumerate() {
        for m in layer {
            assert!(rank.insert(m.clone(), i).is_none(), "{m} is in two layers");
        }
    }
    rank
}

#[test]
fn no_module_imports_a_peer_or_a_higher_layer() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let lib_rs = std::fs::read_to_string(root.join("src/lib.rs")).expect("src/lib.rs");
    let layers = layers(&lib_rs);
    assert!(layers.len() >= 5, "no layer list in src/lib.rs: {layers:?}");
    let rank = ranks(&layers);
    let mut declared = declared(&lib_rs);
    declared.sort();
    let listed: Vec<String> = rank.keys().cloned().collect();
    assert_eq!(
        listed, declared,
        "src/lib.rs's layers and its modules differ"
    );
    let files: Vec<(Vec<String>, String)> = sources(&root.join("src"))
        .into_iter()
        .map(|(m, f)| (m, std::fs::read_to_string(&f).expect("read source")))
        .collect();
    assert!(files.len() > 50, "{} files", files.len());
    let bad = violations(&rank, &files);
    assert!(
        bad.is_empty(),
        "imports against the layer order:\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_check_catches_an_upward_a_peer_and_a_grouped_import_but_not_a_comment() {
    let layers = layers(
        "//! Layers:\n//! 0. `core`: values\n//! 1. `store`, `audio`: subsystems\n\
         //! 2. `app`: logic\n//! 3. `runtime`: the loop\n",
    );
    let rank = ranks(&layers);
    let file = |m: &[&str], t: &str| (m.iter().map(|s| s.to_string()).collect(), t.to_string());
    let files = vec![
        file(
            &["app", "update"],
            "use crate::core::Track;\nuse crate::runtime::Runtime;\n",
        ),
        file(&["store"], "use crate::{core::Track, audio::Engine};\n"),
        file(
            &["audio", "decode"],
            "// see crate::runtime\nuse super::super::core::X;\n",
        ),
        file(&["core"], "fn f() { super::app::g() }\n"),
    ];
    assert_eq!(
        violations(&rank, &files),
        [
            "app::update imports runtime (layer 2 → 3)",
            "core imports app (layer 0 → 2)",
            "store imports audio (layer 1 → 1)",
        ]
    );
}

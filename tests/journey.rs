//! `mien journey` on the bundled library, the real binary: scanned, tagged by the real mood
//! model, then planned. The JSON has exactly the documented shape; the plan starts near the
//! listener and does not repeat; without a stored mood it says what it needs.

mod common;

use std::collections::HashSet;
use std::path::PathBuf;

use common::mien;

fn library() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("library")
}

fn audio_files() -> Vec<String> {
    let mut out = Vec::new();
    for album in std::fs::read_dir(library().join("Maxstack")).unwrap() {
        for f in std::fs::read_dir(album.unwrap().path()).unwrap() {
            let p = f.unwrap().path();
            if !p.extension().is_some_and(|e| e == "jpg" || e == "md") {
                out.push(p.display().to_string());
            }
        }
    }
    out
}

#[test]
fn journey_json_on_the_bundled_library_has_the_documented_shape() {
    let dir = tempfile::tempdir().unwrap();
    let lib = library().display().to_string();
    let run = |args: &[&str]| {
        let mut all = vec!["--library", lib.as_str()];
        all.extend_from_slice(args);
        mien(dir.path(), &all)
    };
    let out = run(&["journey", "--to", "calm"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("run `mien scan` first"));
    assert!(run(&["scan"]).status.success());
    let files = audio_files();
    let mut tag = vec!["tag"];
    tag.extend(files.iter().map(String::as_str));
    let out = run(&tag);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = run(&["journey", "--to", "calm"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("pass --from LABEL|V,A"), "{err}");

    let out = run(&[
        "journey",
        "--to",
        "calm",
        "--from",
        "sad",
        "--minutes",
        "20",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let keys: HashSet<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, HashSet::from(["from", "to", "minutes", "steps"]));
    assert_eq!(
        v["from"],
        serde_json::json!({"valence": -0.7, "arousal": -0.4})
    );
    assert_eq!(
        v["to"],
        serde_json::json!({"valence": 0.5, "arousal": -0.5})
    );
    assert_eq!(v["minutes"], 20);
    let steps = v["steps"].as_array().unwrap();
    assert!(!steps.is_empty() && steps.len() <= files.len());
    let mut paths = HashSet::new();
    let mut last_start = -1.0;
    for s in steps {
        let keys: HashSet<&str> = s.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            HashSet::from([
                "path",
                "title",
                "artist",
                "valence",
                "arousal",
                "start_minute"
            ])
        );
        assert!(
            paths.insert(s["path"].as_str().unwrap().to_string()),
            "a repeat"
        );
        let start = s["start_minute"].as_f64().unwrap();
        assert!(start > last_start);
        last_start = start;
    }
    assert_eq!(steps[0]["start_minute"], 0.0);
    // The first step is the tagged track nearest the sad listener.
    let d = |s: &serde_json::Value| {
        let (x, y) = (
            s["valence"].as_f64().unwrap(),
            s["arousal"].as_f64().unwrap(),
        );
        ((x + 0.7).powi(2) + (y + 0.4).powi(2)).sqrt()
    };
    let first = d(&steps[0]);
    let tagged = run(&["tag", "--json"]
        .into_iter()
        .chain(files.iter().map(String::as_str))
        .collect::<Vec<_>>());
    let all: serde_json::Value = serde_json::from_slice(&tagged.stdout).unwrap();
    let nearest = all
        .as_array()
        .unwrap()
        .iter()
        .map(|t| d(&t["mood"]))
        .fold(f64::INFINITY, f64::min);
    assert!(
        first <= nearest + 0.35,
        "first step {first}, nearest {nearest}"
    );

    let out = run(&["journey", "--to", "nowhere", "--from", "sad"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("use happy, tense, sad, calm, focus, sleep")
    );
}

//! `mien eval-mood DIR_OR_TSV [--json] [--dump FILE]`: the mood model scored on labelled music.
//! Runs on the main thread, one clip after another, without the database (an evaluation always
//! tags afresh).
//!
//! The labels are a TSV (`labels.tsv` in DIR, or the file given): `file<TAB>quadrant[<TAB>...]`,
//! an optional header row (its second column `quadrant`), `#` comments; `quadrant` is one of
//! `happy`, `tense`, `sad`, `calm` (or `Q1`..`Q4`, or the mood labels' full names). A `file` is
//! relative to the TSV's folder, or to its `clips/` subfolder (the 4Q data set's layout).
//!
//! Output (`--json`): `{"n", "accuracy", "valence_sign", "arousal_sign", "per_quadrant_recall":
//! {quadrant: x}, "quadrants": [...], "confusion": [[...]] (rows = true quadrant), "confident":
//! {"below", "coverage", "accuracy"}, "failed": [{"path", "error"}], "seconds"}`.
//! `--dump FILE` also writes one JSON line per clip, `{"file", "quadrant", "inputs": {name: x},
//! "patches": [{name: x}, ...]}`, with everything the head can read (both musicnn networks, and
//! each network's pooled mid-end features `PREFIX_pool:i`), as the means over the patches and for
//! each audible patch: what `tools/mood/fit_head.py` and `explore_pool.py` fit.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context as _;
use serde_json::json;

use crate::cli::MoodModelArgs;
use crate::mood::{ModelFiles, MoodLabel};

/// The four quadrants in the order of the confusion matrix.
pub const QUADRANTS: [MoodLabel; 4] = [
    MoodLabel::EnergeticHappy,
    MoodLabel::TenseAngry,
    MoodLabel::MelancholicSad,
    MoodLabel::CalmPeaceful,
];

/// The short names used in label files and reports, in [`QUADRANTS`] order.
pub const QUADRANT_NAMES: [&str; 4] = ["happy", "tense", "sad", "calm"];

/// One labelled clip.
#[derive(Clone, Debug, PartialEq)]
pub struct Labelled {
    pub path: PathBuf,
    /// Index into [`QUADRANTS`].
    pub quadrant: usize,
}

/// The quadrant index of a label name (see the module docs for the names accepted).
pub fn parse_quadrant(name: &str) -> Option<usize> {
    let name = name.trim().to_ascii_lowercase();
    QUADRANT_NAMES
        .iter()
        .position(|q| *q == name)
        .or_else(|| ["q1", "q2", "q3", "q4"].iter().position(|q| *q == name))
        .or_else(|| QUADRANTS.iter().position(|q| q.name() == name))
}

/// Reads a label file; errors name the file and line.
pub fn read_labels(path: &Path) -> anyhow::Result<Vec<Labelled>> {
    let tsv = if path.is_dir() {
        path.join("labels.tsv")
    } else {
        path.to_path_buf()
    };
    let text =
        std::fs::read_to_string(&tsv).with_context(|| format!("cannot read {}", tsv.display()))?;
    let dir = tsv.parent().unwrap_or(Path::new("."));
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let mut cols = line.split('\t');
        let (file, quadrant) = (cols.next().unwrap_or(""), cols.next().unwrap_or(""));
        if i == 0 && quadrant.trim().eq_ignore_ascii_case("quadrant") {
            continue;
        }
        let Some(q) = parse_quadrant(quadrant) else {
            anyhow::bail!(
                "{}:{}: `{quadrant}` is not a quadrant (happy, tense, sad or calm)",
                tsv.display(),
                i + 1
            );
        };
        let beside = dir.join(file);
        let path = if beside.exists() {
            beside
        } else {
            dir.join("clips").join(file)
        };
        out.push(Labelled { path, quadrant: q });
    }
    anyhow::ensure!(!out.is_empty(), "{}: no labelled clips", tsv.display());
    Ok(out)
}

/// Scores of predictions against labels.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scores {
    /// `confusion[true][predicted]`, in [`QUADRANTS`] order.
    pub confusion: [[usize; 4]; 4],
    /// Clips whose confidence was at least the threshold, and how many of them were right.
    pub confident: (usize, usize),
}

impl Scores {
    pub fn add(&mut self, truth: usize, predicted: usize, confident: bool) {
        self.confusion[truth][predicted] += 1;
        if confident {
            self.confident.0 += 1;
            self.confident.1 += usize::from(truth == predicted);
        }
    }

    pub fn n(&self) -> usize {
        self.confusion.iter().flatten().sum()
    }

    pub fn accuracy(&self) -> f64 {
        ratio((0..4).map(|q| self.confusion[q][q]).sum(), self.n())
    }

    /// Share of clips whose predicted quadrant has the right sign on an axis: valence (happy
    /// and calm are positive) or arousal (happy and tense are high).
    pub fn sign_accuracy(&self, positive: [bool; 4]) -> f64 {
        let mut right = 0;
        for (t, row) in self.confusion.iter().enumerate() {
            for (p, &n) in row.iter().enumerate() {
                if positive[t] == positive[p] {
                    right += n;
                }
            }
        }
        ratio(right, self.n())
    }

    pub fn recall(&self, q: usize) -> f64 {
        ratio(self.confusion[q][q], self.confusion[q].iter().sum())
    }
}

/// Positive-valence quadrants (happy, calm) and high-arousal ones (happy, tense).
pub const VALENCE_POSITIVE: [bool; 4] = [true, false, false, true];
pub const AROUSAL_HIGH: [bool; 4] = [true, true, false, false];

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

pub fn run(
    labels: &Path,
    json: bool,
    dump: Option<&Path>,
    args: &MoodModelArgs,
) -> anyhow::Result<()> {
    let clips = read_labels(labels)?;
    let mut files = ModelFiles::shipped();
    if dump.is_some() {
        // A dump carries every input the head could read: MTT's too when its file is there
        // (models/MUSICNN.md says how to convert it; the shipped head does not read it). Without
        // a head file (fitting the first one) the moods are left neutral.
        let mtt =
            crate::mood::weights::models_file(crate::mood::weights::Checkpoint::Mtt.file_name());
        if mtt.is_file() {
            files.mtt = Some(mtt);
        }
        if args.head.is_none() && files.head.as_ref().is_some_and(|h| !h.is_file()) {
            files.head = None;
        }
    }
    let (mut tagger, _) = crate::commands::tag::tagger(args, files)?;
    tagger.with_pooled |= dump.is_some();
    let mut out = match dump {
        Some(p) => Some(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))?,
        )),
        None => None,
    };
    let started = Instant::now();
    let mut scores = Scores::default();
    let mut failed = Vec::new();
    for (i, clip) in clips.iter().enumerate() {
        if !json {
            crate::logging::eprint_line(&format!(
                "[{}/{}] {}",
                i + 1,
                clips.len(),
                clip.path.display()
            ));
        }
        let result = match tagger.tag_file(&clip.path) {
            Ok(r) => r,
            Err(e) => {
                failed
                    .push(json!({"path": clip.path.display().to_string(), "error": e.to_string()}));
                continue;
            }
        };
        let predicted = QUADRANTS
            .iter()
            .position(|q| *q == result.mood.label)
            .unwrap_or(3);
        let confident = result.mood.confidence >= crate::core::MOOD_UNCERTAIN_BELOW;
        scores.add(clip.quadrant, predicted, confident);
        if let Some(w) = out.as_mut() {
            let name = clip
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let as_json = |inputs: &crate::mood::head::HeadInputs| {
                inputs
                    .iter()
                    .map(|(k, v)| (k.clone(), json!(v)))
                    .collect::<serde_json::Map<String, serde_json::Value>>()
            };
            let patches: Vec<_> = result.patch_inputs.iter().map(as_json).collect();
            let line = json!({
                "file": name,
                "quadrant": QUADRANT_NAMES[clip.quadrant],
                "inputs": as_json(&result.inputs),
                "patches": patches,
            });
            writeln!(w, "{line}").context("cannot write the dump")?;
        }
    }
    if let Some(mut w) = out {
        w.flush().context("cannot write the dump")?;
    }
    anyhow::ensure!(
        scores.n() > 0,
        "none of the {} clips could be tagged",
        clips.len()
    );
    let report = json!({
        "n": scores.n(),
        "accuracy": round(scores.accuracy()),
        "valence_sign": round(scores.sign_accuracy(VALENCE_POSITIVE)),
        "arousal_sign": round(scores.sign_accuracy(AROUSAL_HIGH)),
        "per_quadrant_recall": QUADRANT_NAMES.iter().enumerate()
            .map(|(q, name)| (name.to_string(), json!(round(scores.recall(q)))))
            .collect::<serde_json::Map<_, _>>(),
        "quadrants": QUADRANT_NAMES,
        "confusion": scores.confusion,
        "confident": {
            "below": round(f64::from(crate::core::MOOD_UNCERTAIN_BELOW)),
            "coverage": round(ratio(scores.confident.0, scores.n())),
            "accuracy": round(ratio(scores.confident.1, scores.confident.0)),
        },
        "failed": failed,
        "seconds": round(started.elapsed().as_secs_f64()),
    });
    if json {
        println!("{report}");
    } else {
        print!("{}", summary(&scores, failed.len()));
    }
    Ok(())
}

fn summary(s: &Scores, failed: usize) -> String {
    let mut text = format!(
        "{} clips: quadrant accuracy {:.3}, valence sign {:.3}, arousal sign {:.3}\n",
        s.n(),
        s.accuracy(),
        s.sign_accuracy(VALENCE_POSITIVE),
        s.sign_accuracy(AROUSAL_HIGH)
    );
    text.push_str("true \\ predicted   happy  tense    sad   calm   recall\n");
    for (q, name) in QUADRANT_NAMES.iter().enumerate() {
        let row = &s.confusion[q];
        text.push_str(&format!(
            "{name:<17} {:>6} {:>6} {:>6} {:>6}   {:.3}\n",
            row[0],
            row[1],
            row[2],
            row[3],
            s.recall(q)
        ));
    }
    text.push_str(&format!(
        "confident (≥ {}): {} of {} clips, accuracy {:.3}\n",
        crate::core::MOOD_UNCERTAIN_BELOW,
        s.confident.0,
        s.n(),
        ratio(s.confident.1, s.confident.0)
    ));
    if failed > 0 {
        text.push_str(&format!("{failed} clip(s) could not be tagged\n"));
    }
    text
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quadrant_names_in_every_accepted_spelling() {
        assert_eq!(parse_quadrant("happy"), Some(0));
        assert_eq!(parse_quadrant(" Q2 "), Some(1));
        assert_eq!(parse_quadrant("melancholic/sad"), Some(2));
        assert_eq!(parse_quadrant("CALM"), Some(3));
        assert_eq!(parse_quadrant("angry"), None);
    }

    #[test]
    fn scores_count_quadrants_signs_and_recall() {
        let mut s = Scores::default();
        s.add(0, 0, true); // happy right
        s.add(0, 3, false); // happy called calm: valence right, arousal wrong
        s.add(2, 1, true); // sad called tense: valence right, arousal wrong
        s.add(1, 1, true);
        assert_eq!(s.n(), 4);
        assert_eq!(s.accuracy(), 0.5);
        assert_eq!(s.sign_accuracy(VALENCE_POSITIVE), 1.0);
        assert_eq!(s.sign_accuracy(AROUSAL_HIGH), 0.5);
        assert_eq!(s.recall(0), 0.5);
        assert_eq!(s.recall(3), 0.0);
        assert_eq!(s.confident, (3, 2));
    }

    #[test]
    fn a_bad_quadrant_names_the_file_and_line() {
        let dir = tempfile::tempdir().expect("tempdir");
        let tsv = dir.path().join("labels.tsv");
        std::fs::write(&tsv, "file\tquadrant\na.mp3\thappy\nb.mp3\tjoyful\n").expect("write");
        let err = read_labels(dir.path()).unwrap_err().to_string();
        assert!(
            err.ends_with("labels.tsv:3: `joyful` is not a quadrant (happy, tense, sad or calm)"),
            "{err}"
        );
        std::fs::write(&tsv, "# comment\na.mp3\tQ4\textra\n").expect("write");
        let clips = read_labels(&tsv).expect("labels");
        assert_eq!(
            clips,
            vec![Labelled {
                path: dir.path().join("clips/a.mp3"),
                quadrant: 3
            }]
        );
    }
}

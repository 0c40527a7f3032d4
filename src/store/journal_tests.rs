//! Unit tests of the journal's format, torn and damaged lines, and compaction.

use super::*;
use crate::core::PlayOutcome;
use std::io::Write;

fn play(n: u64) -> PlayRecord {
    PlayRecord {
        at_ms: n,
        track: TrackId(n),
        path: PathBuf::from(format!("/m/{n}.flac")),
        outcome: PlayOutcome::Completed,
        position_ms: 0,
    }
}

fn rating(n: u64, stars: u8) -> Record {
    Record::Rating {
        track: TrackId(n),
        stars,
    }
}

#[test]
fn records_come_back_in_order_with_the_latest_rating_and_queue() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(JOURNAL_FILE);
    let (mut j, contents) = Journal::open(&path).expect("open");
    assert!(contents.is_empty());
    j.append(&[rating(1, 3), Record::Play { play: play(1) }, rating(1, 5)])
        .expect("append");
    j.append(&[reco_record(&[1, 2, 255]), rating(2, 0)])
        .expect("append");
    drop(j);
    let c = read(&path).expect("read");
    assert_eq!(c.ratings.get(&TrackId(1)), Some(&5));
    assert_eq!(c.ratings.get(&TrackId(2)), Some(&0), "a clear is kept");
    assert_eq!(c.plays, vec![play(1)]);
    assert_eq!(c.reco, vec![vec![1, 2, 255]]);
    assert!(c.bad_lines.is_empty());
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&fs::metadata(&path).expect("stat").permissions());
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn a_torn_last_line_is_cut_off_and_a_flipped_byte_skips_only_its_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(JOURNAL_FILE);
    let (mut j, _) = Journal::open(&path).expect("open");
    j.append(&[rating(1, 1), rating(2, 2), rating(3, 3)])
        .expect("append");
    drop(j);
    let mut bytes = fs::read(&path).expect("read");
    let second = bytes.iter().position(|b| *b == b'\n').expect("newline") + 12;
    bytes[second] ^= 0x01;
    bytes.extend_from_slice(b"0badc0de {\"t\":\"rat");
    fs::write(&path, &bytes).expect("write");
    let (mut j, c) = Journal::open(&path).expect("open");
    assert_eq!(c.bad_lines, vec![2]);
    assert_eq!(c.ratings.len(), 2);
    j.append(&[rating(4, 4)])
        .expect("append after the torn line");
    drop(j);
    let c = read(&path).expect("read");
    assert_eq!(
        c.ratings.get(&TrackId(4)),
        Some(&4),
        "not glued to the torn line"
    );
    assert_eq!(c.bad_lines, vec![2]);
}

#[test]
fn compaction_keeps_only_live_records_and_bounds_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(JOURNAL_FILE);
    let (mut j, _) = Journal::open(&path).expect("open");
    let queue = |n: usize| SavedQueue {
        paths: (0..200)
            .map(|i| PathBuf::from(format!("/music/{n}/{i}.flac")))
            .collect(),
        current: Some(n),
        position_ms: 0,
        ..Default::default()
    };
    j.append(&[Record::Play { play: play(7) }]).expect("append");
    let mut biggest = 0;
    for n in 0..600 {
        j.append(&[
            Record::Queue { queue: queue(n) },
            rating(n as u64 % 3, 1 + (n % 5) as u8),
        ])
        .expect("append");
        j.compact_if_due();
        biggest = biggest.max(fs::metadata(&path).expect("stat").len());
    }
    assert!(
        biggest < 3 * COMPACT_MIN_BYTES,
        "journal grew to {biggest} bytes"
    );
    j.compact().expect("compact");
    drop(j);
    let c = read(&path).expect("read");
    assert_eq!(c.queue, Some(queue(599)));
    assert_eq!(c.plays, vec![play(7)]);
    assert_eq!(c.ratings.len(), 3);
    assert_eq!(
        c.ratings.get(&TrackId(599 % 3)),
        Some(&(1 + (599 % 5) as u8))
    );
    assert!(!dir.path().join("journal.jsonl.tmp").exists());
    let mut f = OpenOptions::new().append(true).open(&path).expect("open");
    f.write_all(b"").expect("still appendable");
}

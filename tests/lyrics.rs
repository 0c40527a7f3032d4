//! Lyrics end to end below the terminal: embedded lyrics written with lofty into copies of the
//! bundled library's files and read back, an `.lrc` beside a track winning over its tags, the
//! view's keys and wake-ups through the keymap and `update`, and the highlighted line on a whole
//! 80×24 screen drawn on `TestBackend`.

mod common;

use std::path::{Path, PathBuf};

use common::screen::{assert_shows, draw, lines};
use common::{Player, AWAKE};
use lofty::config::WriteOptions;
use lofty::id3::v2::{
    BinaryFrame, Frame, FrameId, Id3v2Tag, SyncTextContentType, SynchronizedTextFrame,
    TimestampFormat, UnsynchronizedTextFrame,
};
use lofty::ogg::VorbisComments;
use lofty::tag::{ItemKey, ItemValue, Tag, TagExt, TagItem, TagType};
use lofty::TextEncoding;
use mien::app::lyrics::{LyricsLoad, LyricsWake};
use mien::app::{Effect, Msg, Remote};
use mien::audio::EngineEvent;
use mien::library::lyrics::{load, LyricLine, LyricsBody, LyricsReport, LyricsSource};
use mien::ui::Theme;

const ALBUM: &str = "library/Maxstack/Endgame Singularity (Advanced Research)";
const ALBUM2: &str = "library/Maxstack/Endgame Singularity Original Soundtrack";

/// A copy of a bundled file in a fresh folder, named `song.<ext>`.
fn copy(dir: &Path, from: &str) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join(from);
    let ext = src.extension().expect("ext").to_string_lossy().into_owned();
    let to = dir.join(format!("song.{ext}"));
    std::fs::copy(&src, &to).expect("copy a bundled file");
    to
}

fn synced(report: &LyricsReport) -> Vec<(u64, &str)> {
    match &report.lyrics.as_ref().expect("lyrics").body {
        LyricsBody::Synced(l) => l.iter().map(|l| (l.at_ms, l.text.as_str())).collect(),
        other => panic!("not synced: {other:?}"),
    }
}

fn source(report: &LyricsReport) -> &LyricsSource {
    &report.lyrics.as_ref().expect("lyrics").source
}

fn generic_tag(kind: TagType, key: ItemKey, text: &str) -> Tag {
    let mut tag = Tag::new(kind);
    tag.insert(TagItem::new(key, ItemValue::Text(text.into())));
    tag
}

fn id3_with(sylt: Option<Vec<(u32, String)>>, uslt: &str) -> Id3v2Tag {
    let mut tag = Id3v2Tag::new();
    if let Some(content) = sylt {
        let frame = SynchronizedTextFrame::new(
            TextEncoding::UTF8,
            *b"eng",
            TimestampFormat::MS,
            SyncTextContentType::Lyrics,
            None,
            content,
        );
        let bytes = frame.as_bytes().expect("SYLT bytes");
        let id = FrameId::new("SYLT").expect("id");
        tag.insert(Frame::Binary(BinaryFrame::new(id, bytes)));
    }
    tag.insert(Frame::UnsynchronizedText(UnsynchronizedTextFrame::new(
        TextEncoding::UTF8,
        *b"eng",
        String::new(),
        uslt.into(),
    )));
    tag
}

#[test]
fn an_mp3s_sylt_frame_is_synced_lyrics_and_its_uslt_the_fallback() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mp3 = copy(dir.path(), &format!("{ALBUM}/01 - Aberrations.mp3"));
    let lines = vec![(4_000, "second".to_string()), (1_500, "first".to_string())];
    id3_with(Some(lines), "plain words\nsecond line")
        .save_to_path(&mp3, WriteOptions::default())
        .expect("write ID3v2");
    let report = load(&mp3);
    assert_eq!(synced(&report), [(1_500, "first"), (4_000, "second")]);
    assert_eq!(source(&report), &LyricsSource::Embedded("ID3v2 SYLT"));
    assert!(report.problems.is_empty(), "{report:?}");

    id3_with(None, "plain words\nsecond line")
        .save_to_path(&mp3, WriteOptions::default())
        .expect("write ID3v2");
    let report = load(&mp3);
    let lyrics = report.lyrics.expect("USLT");
    assert_eq!(
        lyrics.body,
        LyricsBody::Unsynced(vec!["plain words".into(), "second line".into()])
    );
    assert_eq!(lyrics.source, LyricsSource::Embedded("ID3v2 USLT"));
}

#[test]
fn sylt_syllables_are_joined_into_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mp3 = copy(dir.path(), &format!("{ALBUM}/01 - Aberrations.mp3"));
    let syllables = [
        (1_000, "Hel"),
        (1_300, "lo "),
        (1_600, "you"),
        (3_000, "\nNext "),
        (3_500, "line"),
    ];
    let content = syllables.iter().map(|(t, s)| (*t, s.to_string())).collect();
    id3_with(Some(content), "")
        .save_to_path(&mp3, WriteOptions::default())
        .expect("write ID3v2");
    assert_eq!(
        synced(&load(&mp3)),
        [(1_000, "Hello you"), (3_000, "Next line")]
    );
}

#[test]
fn a_vorbis_lyrics_comment_with_lrc_stamps_is_synced() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ogg = copy(dir.path(), &format!("{ALBUM}/02 - Enemy Unknown.ogg"));
    let text = "[ar:Maxstack]\n[offset:+200]\n[00:02.00]enemy\n[00:01.00][00:03.00]unknown";
    generic_tag(TagType::VorbisComments, ItemKey::Lyrics, text)
        .save_to_path(&ogg, WriteOptions::default())
        .expect("write Vorbis comments");
    let report = load(&ogg);
    assert_eq!(
        synced(&report),
        [(800, "unknown"), (1_800, "enemy"), (2_800, "unknown")]
    );
    assert_eq!(source(&report), &LyricsSource::Embedded("Vorbis LYRICS"));
}

#[test]
fn a_flac_unsyncedlyrics_comment_is_unsynced_text() {
    let dir = tempfile::tempdir().expect("tempdir");
    let flac = copy(dir.path(), &format!("{ALBUM2}/02 - Awakening.flac"));
    let mut comments = VorbisComments::default();
    comments.push("UNSYNCEDLYRICS".into(), "no stamps\n\nat all".into());
    comments
        .save_to_path(&flac, WriteOptions::default())
        .expect("write Vorbis comments");
    let report = load(&flac);
    let lyrics = report.lyrics.expect("lyrics");
    assert_eq!(
        lyrics.body,
        LyricsBody::Unsynced(vec!["no stamps".into(), String::new(), "at all".into()])
    );
    assert_eq!(
        lyrics.source,
        LyricsSource::Embedded("Vorbis UNSYNCEDLYRICS")
    );
}

#[test]
fn an_mp4_lyr_atom_is_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let m4a = copy(dir.path(), &format!("{ALBUM2}/03 - Chimes They Fade.m4a"));
    generic_tag(TagType::Mp4Ilst, ItemKey::Lyrics, "[00:00.50]chimes")
        .save_to_path(&m4a, WriteOptions::default())
        .expect("write ilst");
    let report = load(&m4a);
    assert_eq!(synced(&report), [(500, "chimes")]);
    assert_eq!(source(&report), &LyricsSource::Embedded("MP4 ©lyr"));
}

#[test]
fn an_lrc_file_wins_over_tags_and_a_damaged_one_leaves_the_tags_to_show() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mp3 = copy(dir.path(), &format!("{ALBUM}/01 - Aberrations.mp3"));
    id3_with(None, "from the tag")
        .save_to_path(&mp3, WriteOptions::default())
        .expect("write ID3v2");
    let lrc = dir.path().join("song.lrc");
    std::fs::write(&lrc, "[00:01.00]from the file\n").expect("write");
    let report = load(&mp3);
    assert_eq!(synced(&report), [(1_000, "from the file")]);
    assert_eq!(source(&report), &LyricsSource::File(lrc.clone()));

    std::fs::write(&lrc, [0x5b, 0xff, 0xfe, 0xfd, 0x00, 0x81]).expect("write junk");
    let report = load(&mp3);
    assert_eq!(source(&report), &LyricsSource::Embedded("ID3v2 USLT"));
    assert_eq!(
        report.problems,
        [format!(
            "{}: not UTF-8 or UTF-16 text (invalid byte at offset 1)",
            lrc.display()
        )]
    );
}

#[test]
fn an_undecodable_audio_file_is_a_problem_named_by_its_path_not_a_panic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let flac = copy(dir.path(), &format!("{ALBUM2}/02 - Awakening.flac"));
    // The FLAC marker and half of its first block: lofty knows the format and cannot read it.
    let bytes = std::fs::read(&flac).expect("read");
    std::fs::write(&flac, &bytes[..20]).expect("truncate");
    let report = load(&flac);
    assert_eq!(report.lyrics, None);
    assert_eq!(report.problems.len(), 1, "{report:?}");
    assert!(
        report.problems[0].starts_with(&format!("{}: tags unreadable: ", flac.display())),
        "{report:?}"
    );
}

// --- The view through keys and update -----------------------------------------------------

fn song() -> LyricsReport {
    let line = |at_ms, text: &str| LyricLine {
        at_ms,
        text: text.into(),
    };
    LyricsReport {
        lyrics: Some(mien::library::lyrics::Lyrics {
            body: LyricsBody::Synced(vec![
                line(1_200, "I woke before the light"),
                line(2_600, "and the street was blue"),
                line(3_000, "every window closed"),
                line(7_000, "but one"),
            ]),
            source: LyricsSource::File("/music/ada/blue/01.lrc".into()),
            skipped: 0,
        }),
        problems: Vec::new(),
    }
}

fn playing(p: &mut Player) -> Vec<Effect> {
    p.press("P"); // the library's first row (Ada Lin → Awake)
    p.send(Msg::Engine(EngineEvent::TrackStarted {
        path: AWAKE.into(),
        duration_ms: Some(296_000),
    }))
}

fn position(p: &mut Player, ms: u64) -> Vec<Effect> {
    p.send(Msg::Engine(EngineEvent::Position {
        path: AWAKE.into(),
        position_ms: ms,
        duration_ms: Some(296_000),
    }))
}

/// The player with Ada Lin → Awake playing and `song()` loaded as its lyrics (view hidden).
fn with_song() -> Player {
    let mut p = Player::new();
    p.press("g g enter enter");
    playing(&mut p);
    p.send(Msg::LyricsLoaded {
        path: AWAKE.into(),
        report: song(),
    });
    p
}

fn wakes(effects: &[Effect]) -> Vec<Option<LyricsWake>> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::LyricsWake(w) => Some(w.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_track_start_loads_its_lyrics_and_a_late_answer_for_another_track_is_dropped() {
    let mut p = Player::new();
    p.press("g g enter enter"); // into Ada Lin → Blue Hour
    let effects = playing(&mut p);
    assert!(
        effects.contains(&Effect::LoadLyrics(AWAKE.into())),
        "{effects:?}"
    );
    assert_eq!(p.state.lyrics.loaded, LyricsLoad::Loading);
    p.send(Msg::LyricsLoaded {
        path: "/music/other.flac".into(),
        report: song(),
    });
    assert_eq!(p.state.lyrics.loaded, LyricsLoad::Loading, "stale");
    p.send(Msg::LyricsLoaded {
        path: AWAKE.into(),
        report: LyricsReport {
            lyrics: None,
            problems: vec!["/music/ada/blue/01.lrc: not UTF-8 or UTF-16 text".into()],
        },
    });
    let status = p.state.status.clone().expect("status");
    assert_eq!(
        status.text,
        "lyrics of 01.wav: /music/ada/blue/01.lrc: not UTF-8 or UTF-16 text"
    );
    assert!(matches!(p.state.lyrics.loaded, LyricsLoad::Failed(_)));
}

#[test]
fn the_highlight_wakes_up_exactly_when_the_next_line_starts_and_only_while_shown() {
    let mut p = with_song();
    assert!(
        wakes(&position(&mut p, 1_000)).is_empty(),
        "view hidden: no wake-ups"
    );
    let on = p.press("L");
    assert!(p.state.lyrics.shown);
    assert_eq!(
        wakes(&on),
        [Some(LyricsWake {
            wake: 1,
            after_ms: 200,
            position_ms: 1_200
        })]
    );
    // The wake-up moves the position to the line's start and asks for the next one, 1.4 s on:
    // later than the engine's next position, so none.
    let tick = p.send(Msg::LyricsTick {
        wake: 1,
        position_ms: 1_200,
    });
    assert_eq!(p.state.player.position_ms, 1_200);
    assert!(wakes(&tick).is_empty(), "{tick:?}");
    let w = wakes(&position(&mut p, 2_010));
    assert_eq!(
        w,
        [Some(LyricsWake {
            wake: 2,
            after_ms: 590,
            position_ms: 2_600
        })]
    );
    // Lines 400 ms apart: the tick arms the next.
    let tick = p.send(Msg::LyricsTick {
        wake: 2,
        position_ms: 2_600,
    });
    assert_eq!(
        wakes(&tick),
        [Some(LyricsWake {
            wake: 3,
            after_ms: 400,
            position_ms: 3_000
        })]
    );
    // Paused: the pending wake-up is cancelled, and its tick, if it comes, changes nothing.
    let paused = p.send(Msg::Engine(EngineEvent::Paused));
    assert_eq!(wakes(&paused), [None]);
    let stale = p.send(Msg::LyricsTick {
        wake: 3,
        position_ms: 3_000,
    });
    assert!(stale.is_empty());
    assert_eq!(p.state.player.position_ms, 2_600);
    // Hidden again: nothing more.
    p.send(Msg::Engine(EngineEvent::Resumed));
    p.press("L");
    assert!(wakes(&position(&mut p, 2_700)).is_empty());
}

#[test]
fn a_seek_from_a_key_the_mouse_mpris_or_the_socket_makes_the_pending_wake_up_stale() {
    let mut p = with_song();
    p.press("L");
    for (how, seek) in [
        ("key", None),
        ("remote seek-to", Some(Remote::SeekTo(2_000))),
        ("remote seek-by", Some(Remote::SeekBy(-3_000))),
    ] {
        // Shown, 500 ms before "but one": a wake-up is pending for 7 s.
        let armed = position(&mut p, 6_500);
        let Some(Some(w)) = wakes(&armed).pop() else {
            panic!("{how}: no wake-up armed: {armed:?}");
        };
        assert_eq!(w.position_ms, 7_000, "{how}");
        match seek {
            None => p.press("h"),
            Some(r) => p.send(Msg::Remote(r)),
        };
        // The old wake-up's tick arrives after the seek: it must not move the position on to
        // the old line's start.
        let stale = p.send(Msg::LyricsTick {
            wake: w.wake,
            position_ms: 7_000,
        });
        assert!(stale.is_empty(), "{how}: {stale:?}");
        assert_eq!(p.state.player.position_ms, 6_500, "{how}");
    }
}

#[test]
fn in_the_view_move_keys_scroll_it_library_keys_rest_and_back_closes_it() {
    let mut p = Player::new();
    p.press("g g enter enter");
    playing(&mut p);
    let queued = p.state.queue.len();
    p.press("L j j");
    assert_eq!(p.state.lyrics.scroll, 2);
    assert_eq!(p.state.browser.cursor, 0, "the hidden library did not move");
    p.press("e enter");
    assert_eq!(
        p.state.queue.len(),
        queued,
        "nothing queued from hidden rows"
    );
    let rated = p.press("4");
    let Some(Effect::SaveRating { id, .. }) = rated.first() else {
        panic!("{rated:?}");
    };
    assert_eq!(*id, common::id(AWAKE), "the playing track is rated");
    p.press("tab j");
    assert_eq!(
        p.state.lyrics.scroll, 2,
        "the queue has the keys when focused"
    );
    p.press("backtab backspace");
    assert!(!p.state.lyrics.shown);
    p.press("L /");
    assert!(
        !p.state.lyrics.shown && p.state.search_input.is_some(),
        "search brings the library back"
    );
}

#[test]
fn the_whole_screen_shows_the_current_line_highlighted_in_the_middle_of_the_pane() {
    let mut p = with_song();
    p.press("L");
    let theme = Theme::default();
    for (ms, current) in [
        (1_200, "I woke before the light"),
        (2_900, "and the street was blue"),
        (3_000, "every window closed"),
        (60_000, "but one"),
    ] {
        position(&mut p, ms);
        let b = draw(&p, 80, 24);
        let y = assert_shows(&b, current);
        // The pane is rows 0..13 (11 inside): the middle row inside is row 6.
        assert_eq!(y, 6, "at {ms} ms:\n{}", lines(&b).join("\n"));
        let x = lines(&b)[y].find(current).expect("x");
        let x = lines(&b)[y][..x].chars().count() as u16;
        assert_eq!(b[(x, y as u16)].fg, theme.playing, "highlighted at {ms} ms");
        assert!(lines(&b)[0].contains("lyrics · 01.lrc"), "{}", lines(&b)[0]);
        assert!(lines(&b)[12].contains("└ L closes ─"), "{}", lines(&b)[12]);
        assert_shows(&b, "Queue");
    }
    let b = draw(&p, 80, 24);
    let above = assert_shows(&b, "every window closed");
    assert_eq!(above, 5);
    let x = lines(&b)[above].find("every").expect("x");
    let x = lines(&b)[above][..x].chars().count() as u16;
    assert_eq!(b[(x, above as u16)].fg, theme.dim, "a sung line is dimmed");
}

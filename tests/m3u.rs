//! Playlist tests over real files in temp dirs: writing then reading back, and reading playlists
//! as other players write them (relative paths, CRLF, `file://` URIs, stream URLs, Latin-1).

use mien::library::m3u::{read_m3u, write_m3u, PlaylistEntry, PlaylistError};
use std::fs;
use std::path::{Path, PathBuf};

fn entry(path: &Path, artist: Option<&str>, title: Option<&str>, ms: Option<u64>) -> PlaylistEntry {
    PlaylistEntry {
        path: path.to_path_buf(),
        duration_ms: ms,
        artist: artist.map(str::to_string),
        title: title.map(str::to_string),
    }
}

#[test]
fn a_written_playlist_reads_back_as_the_same_paths() {
    let dir = tempfile::tempdir().unwrap();
    let tracks = [
        entry(
            &dir.path().join("a b/01 Été.flac"),
            Some("Artist"),
            Some("Été"),
            Some(241_400),
        ),
        entry(&dir.path().join("c.mp3"), None, Some("Only title"), None),
        entry(&dir.path().join("d.ogg"), None, None, Some(1_000)),
    ];
    let playlist = dir.path().join("queue.m3u8");
    write_m3u(&playlist, &tracks).unwrap();

    let text = fs::read_to_string(&playlist).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "#EXTM3U");
    assert_eq!(lines[1], "#EXTINF:241,Artist - Été");
    assert_eq!(
        lines[2],
        dir.path().join("a b/01 Été.flac").to_str().unwrap()
    );
    assert_eq!(lines[3], "#EXTINF:-1,Only title");
    assert_eq!(lines[5], "#EXTINF:1,d");
    assert_eq!(lines.len(), 7);

    let read = read_m3u(&playlist).unwrap();
    let paths: Vec<PathBuf> = tracks.iter().map(|t| t.path.clone()).collect();
    assert_eq!(read.entries, paths);
    assert!(read.ignored.is_empty());
}

#[test]
fn writing_replaces_an_existing_playlist_and_leaves_no_temp_file() {
    let dir = tempfile::tempdir().unwrap();
    let playlist = dir.path().join("q.m3u");
    fs::write(&playlist, "old contents\n").unwrap();
    write_m3u(
        &playlist,
        &[entry(Path::new("/m/x.flac"), None, None, None)],
    )
    .unwrap();
    assert_eq!(
        read_m3u(&playlist).unwrap().entries,
        [PathBuf::from("/m/x.flac")]
    );
    let names: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["q.m3u"]);
}

#[test]
fn relative_entries_resolve_against_the_playlist_folder() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("lists")).unwrap();
    let playlist = dir.path().join("lists/mix.m3u");
    fs::write(
        &playlist,
        "#EXTM3U\nsong.mp3\n./sub/b.flac\n../up.ogg\n/abs/c.wav\n",
    )
    .unwrap();
    let read = read_m3u(&playlist).unwrap();
    let lists = dir.path().join("lists");
    let expected = [
        lists.join("song.mp3"),
        lists.join("sub/b.flac"),
        lists.join("../up.ogg"),
        PathBuf::from("/abs/c.wav"),
    ];
    assert_eq!(read.entries, expected);
}

#[test]
fn crlf_comments_blank_lines_and_a_bom_are_handled() {
    let dir = tempfile::tempdir().unwrap();
    let playlist = dir.path().join("win.m3u8");
    let text =
        "\u{feff}#EXTM3U\r\n#EXTINF:10,A - B\r\n/m/a.mp3\r\n\r\n   \r\n#PLAYLIST:x\r\n/m/b.mp3\r\n";
    fs::write(&playlist, text).unwrap();
    let read = read_m3u(&playlist).unwrap();
    assert_eq!(
        read.entries,
        [PathBuf::from("/m/a.mp3"), PathBuf::from("/m/b.mp3")]
    );
}

#[test]
fn file_uris_are_percent_decoded() {
    let dir = tempfile::tempdir().unwrap();
    let playlist = dir.path().join("uris.m3u");
    let text = "file:///music/My%20Album/01%20Intro.mp3\nfile://localhost/m/%C3%A9.flac\n";
    fs::write(&playlist, text).unwrap();
    let read = read_m3u(&playlist).unwrap();
    let expected = [
        PathBuf::from("/music/My Album/01 Intro.mp3"),
        PathBuf::from("/m/é.flac"),
    ];
    assert_eq!(read.entries, expected);
}

#[test]
fn stream_urls_are_ignored_with_their_line_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let playlist = dir.path().join("radio.m3u");
    let text = "#EXTM3U\nhttp://radio.example/live\n/m/a.mp3\nHTTPS://x.example/s.mp3\n";
    fs::write(&playlist, text).unwrap();
    let read = read_m3u(&playlist).unwrap();
    assert_eq!(read.entries, [PathBuf::from("/m/a.mp3")]);
    let lines: Vec<(usize, &str)> = read
        .ignored
        .iter()
        .map(|i| (i.line, i.entry.as_str()))
        .collect();
    assert_eq!(
        lines,
        [
            (2, "http://radio.example/live"),
            (4, "HTTPS://x.example/s.mp3")
        ]
    );
    assert!(read.ignored.iter().all(|i| !i.reason.is_empty()));
}

#[test]
fn plain_m3u_falls_back_to_latin1_but_m3u8_must_be_utf8() {
    let dir = tempfile::tempdir().unwrap();
    let latin1 = b"/m/caf\xe9.mp3\n";
    let plain = dir.path().join("old.m3u");
    fs::write(&plain, latin1).unwrap();
    assert_eq!(
        read_m3u(&plain).unwrap().entries,
        [PathBuf::from("/m/café.mp3")]
    );

    let utf8 = dir.path().join("old.m3u8");
    fs::write(&utf8, [b"#EXTM3U\n".as_slice(), latin1].concat()).unwrap();
    let err = read_m3u(&utf8).unwrap_err();
    assert!(
        matches!(err, PlaylistError::NotUtf8 { line: 2, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("old.m3u8"), "{err}");
}

#[test]
fn a_missing_playlist_error_names_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nowhere.m3u");
    let err = read_m3u(&missing).unwrap_err();
    assert!(matches!(err, PlaylistError::Read { ref path, .. } if path == &missing));
    assert!(err.to_string().contains("nowhere.m3u"), "{err}");

    let in_missing_dir = dir.path().join("no/such/dir.m3u");
    let err = write_m3u(&in_missing_dir, &[]).unwrap_err();
    assert!(err.to_string().contains("no/such/dir.m3u"), "{err}");
}

#[cfg(unix)]
#[test]
fn awkward_paths_round_trip_as_file_uris() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let odd = [
        dir.path().join(OsStr::from_bytes(b"caf\xe9.mp3")),
        dir.path().join("two\nlines.mp3"),
        dir.path().join(" padded .mp3"),
    ];
    let entries: Vec<PlaylistEntry> = odd.iter().map(|p| entry(p, None, None, None)).collect();
    let playlist = dir.path().join("odd.m3u8");
    write_m3u(&playlist, &entries).unwrap();
    assert!(fs::read_to_string(&playlist).is_ok(), "written as UTF-8");
    assert_eq!(read_m3u(&playlist).unwrap().entries, odd);
}

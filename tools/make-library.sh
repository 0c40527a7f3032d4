#!/usr/bin/env bash
# make-library.sh - rebuild mien's bundled sample music library.
#
# Downloads the Debian package `singularity-music` (music from the game
# Endgame: Singularity by Max McCracken, CC BY-SA 3.0), cuts short excerpts
# from the middle of eight tracks, transcodes them into the eight audio
# formats mien supports (MP3, FLAC, Ogg Vorbis, Ogg Opus, WAV, AIFF, AAC and
# ALAC in M4A), tags them, computes real ReplayGain values for the FLAC and
# Vorbis files (the Opus file has none: mien measures its loudness itself),
# embeds a cover image in the MP3, and writes LICENSE.md with the attribution
# and every ffmpeg command that was run.
#
# Usage: tools/make-library.sh [OUTPUT_DIR]        (default: library)
#
# Environment:
#   SINGULARITY_DEB   use this already-downloaded .deb instead of apt-get download
#   PKG_VERSION       Debian package version to download (default 007-2)
#
# Needs: apt-get (or SINGULARITY_DEB), dpkg-deb, ffmpeg, ffprobe.
# ffmpeg is only a build tool for these files; mien itself never runs it.

set -euo pipefail

OUT=${1:-library}
PKG=singularity-music
PKG_VERSION=${PKG_VERSION:-007-2}
NICE=(nice -n 10)

die() { printf 'make-library: %s\n' "$*" >&2; exit 1; }

for tool in dpkg-deb ffmpeg ffprobe; do
    command -v "$tool" >/dev/null || die "$tool is required (apt-get install ffmpeg dpkg)"
done
if [[ -e $OUT ]] && [[ -n $(ls -A "$OUT" 2>/dev/null) ]]; then
    die "$OUT already exists and is not empty; remove it first"
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# --- 1. fetch and unpack the package --------------------------------------
if [[ -n ${SINGULARITY_DEB:-} ]]; then
    DEB=$SINGULARITY_DEB
else
    # (as root, apt warns that the download is "performed unsandboxed"; harmless)
    (cd "$WORK" && apt-get download "$PKG=$PKG_VERSION" >/dev/null)
    DEB=$(ls "$WORK"/"$PKG"_*.deb)
fi
DEB_VERSION=$(dpkg-deb -f "$DEB" Version)
dpkg-deb -x "$DEB" "$WORK/pkg"
MUSIC=$WORK/pkg/usr/share/games/singularity/music
COPYRIGHT=$WORK/pkg/usr/share/doc/$PKG/copyright
README=$WORK/pkg/usr/share/doc/$PKG/README
[[ -d $MUSIC && -f $COPYRIGHT ]] || die "unexpected package layout in $DEB"

# --- common tag values ------------------------------------------------------
# Titles, artist, album names and year are the ones in the original files'
# own Vorbis comments (ARTIST=Maxstack, the pseudonym of Max McCracken, who is
# named in the package's copyright file; DATE=2012-12-15). Folder names drop
# the ':' of the album names. Track numbers are ours: the originals have none.
ARTIST="Maxstack"
COMPOSER="Max McCracken"
ALBUM_OST="Endgame: Singularity Original Soundtrack"
ALBUM_AR="Endgame: Singularity (Advanced Research)"
YEAR=2012
GENRE=Soundtrack
COMMENT="Excerpt of music by Max McCracken (Maxstack) from Endgame: Singularity, Debian package $PKG $DEB_VERSION. CC BY-SA 3.0 https://creativecommons.org/licenses/by-sa/3.0/"
DIR_OST=$OUT/$ARTIST/${ALBUM_OST//:/}
DIR_AR=$OUT/$ARTIST/${ALBUM_AR//:/}
mkdir -p "$DIR_OST" "$DIR_AR"

# check that a source file carries the title/album we are about to write
check_source() {
    local src=$1 title=$2 album=$3 got
    got=$(ffprobe -v error -show_entries stream_tags=TITLE,ALBUM,ARTIST -of default=nw=1:nk=0 "$src")
    grep -qxF "TAG:TITLE=$title" <<<"$got" || die "$src: expected TITLE=$title, got: $got"
    grep -qxF "TAG:ALBUM=$album" <<<"$got" || die "$src: expected ALBUM=$album, got: $got"
    grep -qxF "TAG:ARTIST=$ARTIST" <<<"$got" || die "$src: expected ARTIST=$ARTIST, got: $got"
}

# Every ffmpeg command is logged (with the temporary paths replaced by
# $MUSIC / $WORK / $OUT) so LICENSE.md can list exactly what was run.
CMDLOG=$WORK/commands.txt
: >"$CMDLOG"
q() { printf '%q' "$1"; }
run() {
    local line
    line=$(printf '%q ' "$@")
    line=${line//"$(q "$MUSIC")"/\$MUSIC}
    line=${line//"$(q "$WORK")"/\$WORK}
    line=${line//"$(q "$OUT")"/\$OUT}
    printf '%s\n' "${line% }" >>"$CMDLOG"
    "${NICE[@]}" "$@"
}
# -map_metadata -1: drop the source's own tags, only ours are written.
FF=(ffmpeg -hide_banner -nostdin -loglevel error -y)
# asetpts restarts the timestamps at 0 so that -t cuts exactly that many
# seconds (after a seek the first decoded frame does not start at 0 exactly);
# short fades so the excerpts do not start or stop with a click.
fades() { printf 'asetpts=N/SR/TB,afade=t=in:d=0.5,afade=t=out:st=%s:d=0.5' "$(($1 - 1)).5"; }

# tags ALBUM TRACK TOTAL TITLE STYLE -> ffmpeg -metadata arguments in TAGS
tags() {
    local album=$1 track=$2 total=$3 title=$4
    TAGS=(-map_metadata -1
          -metadata "title=$title" -metadata "artist=$ARTIST" -metadata "album=$album"
          -metadata "album_artist=$ARTIST" -metadata "composer=$COMPOSER"
          -metadata "date=$YEAR" -metadata "genre=$GENRE" -metadata "comment=$COMMENT")
    case $5 in
        pair)   # ID3v2 TRCK/TPOS and MP4 trkn/disk hold "n/total"
            TAGS+=(-metadata "track=$track/$total" -metadata "disc=1/1") ;;
        vorbis) # Vorbis comments: the usual upper-case field names, plain
                # numbers plus separate totals (ffmpeg stores "comment" as
                # DESCRIPTION whatever its case)
            TAGS=(-map_metadata -1
                  -metadata "TITLE=$title" -metadata "ARTIST=$ARTIST" -metadata "ALBUM=$album"
                  -metadata "ALBUMARTIST=$ARTIST" -metadata "COMPOSER=$COMPOSER"
                  -metadata "DATE=$YEAR" -metadata "GENRE=$GENRE" -metadata "DESCRIPTION=$COMMENT"
                  -metadata "TRACKNUMBER=$track" -metadata "TRACKTOTAL=$total"
                  -metadata "DISCNUMBER=1" -metadata "DISCTOTAL=1") ;;
        riff)   # RIFF INFO (as ffmpeg writes it) has no album artist,
                # composer, disc or track-total field
            TAGS=(-map_metadata -1
                  -metadata "INAM=$title" -metadata "IART=$ARTIST" -metadata "IPRD=$album"
                  -metadata "IPRT=$track" -metadata "ICRD=$YEAR" -metadata "IGNR=$GENRE"
                  -metadata "ICMT=$COMMENT") ;;
    esac
}

# replaygain FILE -> sets RG_GAIN ("+1.23 dB") and RG_PEAK ("0.123456")
replaygain() {
    local report
    report=$(run ffmpeg -hide_banner -nostdin -nostats -i "$1" -af replaygain -f null - 2>&1)
    RG_GAIN=$(sed -n 's/.*track_gain = \(.*\)$/\1/p' <<<"$report")
    RG_PEAK=$(sed -n 's/.*track_peak = \(.*\)$/\1/p' <<<"$report")
    [[ -n $RG_GAIN && -n $RG_PEAK ]] || die "replaygain measurement failed for $1"
}

# --- cover image --------------------------------------------------------------
COVER=$WORK/cover.jpg
run "${FF[@]}" -f lavfi \
    -i "gradients=s=200x200:c0=0x335577:c1=0xd0a060:x0=0:y0=0:x1=199:y1=199:nb_colors=2:speed=0.00001:duration=1:rate=1" \
    -frames:v 1 -q:v 3 -fflags +bitexact -flags:v +bitexact "$COVER"

# --- 2-4. excerpts ------------------------------------------------------------
# -ss before -i seeks in the source; -t after -i makes the output exactly that
# long.

# Album "Endgame: Singularity Original Soundtrack", five tracks, cover.jpg.

# 01 M4A AAC-LC: 20 s, stereo 44.1 kHz, 128 kbit/s
SRC="$MUSIC/win/Apex Aleph.ogg"
check_source "$SRC" "Apex Aleph" "$ALBUM_OST"
tags "$ALBUM_OST" 1 5 "Apex Aleph" pair
run "${FF[@]}" -ss 40 -i "$SRC" -t 20 -af "$(fades 20)" \
    -c:a aac -b:a 128k -ar 44100 -ac 2 "${TAGS[@]}" \
    -movflags +faststart -fflags +bitexact \
    "$DIR_OST/01 - Apex Aleph.m4a"

# 02 FLAC: 10 s, stereo 44.1 kHz 16-bit, ReplayGain
SRC="$MUSIC/Awakening.ogg"
check_source "$SRC" "Awakening" "$ALBUM_OST"
tags "$ALBUM_OST" 2 5 "Awakening" vorbis
run "${FF[@]}" -ss 90 -i "$SRC" -t 10 -af "$(fades 10)" -map_metadata -1 \
    -c:a flac -compression_level 8 -sample_fmt s16 -ar 44100 -ac 2 \
    -fflags +bitexact "$WORK/02.flac"
replaygain "$WORK/02.flac"
FLAC_GAIN=$RG_GAIN FLAC_PEAK=$RG_PEAK
run "${FF[@]}" -i "$WORK/02.flac" -map 0:a -c copy "${TAGS[@]}" \
    -metadata "REPLAYGAIN_TRACK_GAIN=$RG_GAIN" -metadata "REPLAYGAIN_TRACK_PEAK=$RG_PEAK" \
    -metadata "REPLAYGAIN_ALBUM_GAIN=$RG_GAIN" -metadata "REPLAYGAIN_ALBUM_PEAK=$RG_PEAK" \
    -fflags +bitexact "$DIR_OST/02 - Awakening.flac"

# 03 M4A ALAC: 8 s, mono 22050 Hz, 16-bit
SRC="$MUSIC/lose/Chimes They Fade.ogg"
check_source "$SRC" "Chimes They Fade" "$ALBUM_OST"
tags "$ALBUM_OST" 3 5 "Chimes They Fade" pair
run "${FF[@]}" -ss 16 -i "$SRC" -t 8 -af "$(fades 8)" \
    -c:a alac -sample_fmt s16p -ar 22050 -ac 1 "${TAGS[@]}" \
    -movflags +faststart -fflags +bitexact \
    "$DIR_OST/03 - Chimes They Fade.m4a"

# 04 WAV: 8 s, mono 22050 Hz, PCM 16-bit little-endian, RIFF INFO tags
SRC="$MUSIC/Coherence.ogg"
check_source "$SRC" "Coherence" "$ALBUM_OST"
tags "$ALBUM_OST" 4 5 "Coherence" riff
run "${FF[@]}" -ss 100 -i "$SRC" -t 8 -af "$(fades 8)" \
    -c:a pcm_s16le -ar 22050 -ac 1 "${TAGS[@]}" -fflags +bitexact \
    "$DIR_OST/04 - Coherence.wav"

# 05 AIFF: 8 s, mono 22050 Hz, PCM 16-bit big-endian, ID3v2.3 chunk
SRC="$MUSIC/Deprecation.ogg"
check_source "$SRC" "Deprecation" "$ALBUM_OST"
tags "$ALBUM_OST" 5 5 "Deprecation" pair
run "${FF[@]}" -ss 120 -i "$SRC" -t 8 -af "$(fades 8)" \
    -c:a pcm_s16be -ar 22050 -ac 1 "${TAGS[@]}" \
    -write_id3v2 1 -id3v2_version 3 -fflags +bitexact \
    "$DIR_OST/05 - Deprecation.aiff"

run cp "$COVER" "$DIR_OST/cover.jpg"

# Album "Endgame: Singularity (Advanced Research)", three tracks.

# 01 MP3: 20 s, stereo 44.1 kHz, 128 kbit/s CBR, ID3v2.3 + front cover (APIC)
SRC="$MUSIC/Aberrations.ogg"
check_source "$SRC" "Aberrations" "$ALBUM_AR"
tags "$ALBUM_AR" 1 3 "Aberrations" pair
run "${FF[@]}" -ss 120 -i "$SRC" -i "$COVER" -t 20 \
    -map 0:a -map 1:v -af "$(fades 20)" \
    -c:a libmp3lame -b:a 128k -ar 44100 -ac 2 \
    -c:v copy -disposition:v attached_pic \
    -metadata:s:v "title=Album cover" -metadata:s:v "comment=Cover (front)" \
    "${TAGS[@]}" -id3v2_version 3 -write_id3v1 0 -fflags +bitexact \
    "$DIR_AR/01 - Aberrations.mp3"

# 02 Ogg Vorbis: 20 s, stereo 44.1 kHz, quality 3, ReplayGain
SRC="$MUSIC/Enemy Unknown.ogg"
check_source "$SRC" "Enemy Unknown" "$ALBUM_AR"
tags "$ALBUM_AR" 2 3 "Enemy Unknown" vorbis
run "${FF[@]}" -ss 100 -i "$SRC" -t 20 -af "$(fades 20)" -map_metadata -1 \
    -c:a libvorbis -q:a 3 -ar 44100 -ac 2 -fflags +bitexact "$WORK/02.ogg"
replaygain "$WORK/02.ogg"
OGG_GAIN=$RG_GAIN OGG_PEAK=$RG_PEAK
run "${FF[@]}" -i "$WORK/02.ogg" -map 0:a -c copy "${TAGS[@]}" \
    -metadata "REPLAYGAIN_TRACK_GAIN=$RG_GAIN" -metadata "REPLAYGAIN_TRACK_PEAK=$RG_PEAK" \
    -metadata "REPLAYGAIN_ALBUM_GAIN=$RG_GAIN" -metadata "REPLAYGAIN_ALBUM_PEAK=$RG_PEAK" \
    -fflags +bitexact "$DIR_AR/02 - Enemy Unknown.ogg"

# 03 Ogg Opus: 20 s, stereo 48 kHz (Opus's own rate), 96 kbit/s, no ReplayGain
SRC="$MUSIC/Nebula.ogg"
check_source "$SRC" "Nebula" "$ALBUM_AR"
tags "$ALBUM_AR" 3 3 "Nebula" vorbis
run "${FF[@]}" -ss 60 -i "$SRC" -t 20 -af "$(fades 20)" \
    -c:a libopus -b:a 96k -ar 48000 -ac 2 "${TAGS[@]}" -fflags +bitexact \
    "$DIR_AR/03 - Nebula.opus"

# --- LICENSE.md ---------------------------------------------------------------
A=$ARTIST/${ALBUM_OST//:/}
B=$ARTIST/${ALBUM_AR//:/}
{
cat <<EOF
# Bundled sample music: licence and attribution

The audio files in this folder are short **excerpts** of music by
**Max McCracken** (credited as "Maxstack" in the files' own tags), written for
the game *Endgame: Singularity*, taken from the Debian package \`$PKG\`
version \`$DEB_VERSION\` (<https://packages.debian.org/bookworm/$PKG>;
upstream <https://code.google.com/p/endgame-singularity/>,
<http://emhsoft.com/singularity/>).

The original works are licensed under the
**Creative Commons Attribution-ShareAlike 3.0** licence (CC BY-SA 3.0),
<https://creativecommons.org/licenses/by-sa/3.0/>.

**Changes made.** These files are an adaptation of the original works, made
for the mien project: each track was cut to a short excerpt from the middle of
the piece, given a 0.5 s fade-in and fade-out, in most cases resampled (from 48 kHz), in some
cases down-mixed to mono, and transcoded to another audio format; tags (track
numbers, composer, genre, a comment, ReplayGain values) and a generated cover
image were added. Titles, artist ("Maxstack"), album names and year (from
\`DATE=2012-12-15\`) are those of the original files' Vorbis comments; the
folder names drop the ':' of the album names; the track numbers are ours (the
originals have none). **These excerpts are shared under the same licence,
CC BY-SA 3.0** (<https://creativecommons.org/licenses/by-sa/3.0/>). The
generated cover image (a plain colour gradient, \`cover.jpg\`, also embedded in
the MP3) is offered under the same licence.

Neither Max McCracken nor the Endgame: Singularity project endorses mien or
this use of the music.

## Files

| File | Original track (file in the package) | Composer | Excerpt | Format |
|---|---|---|---|---|
| \`$A/01 - Apex Aleph.m4a\` | "Apex Aleph" (\`music/win/Apex Aleph.ogg\`) | Max McCracken | 0:40-1:00 | AAC-LC 128 kbit/s in MP4, 44.1 kHz stereo |
| \`$A/02 - Awakening.flac\` | "Awakening" (\`music/Awakening.ogg\`) | Max McCracken | 1:30-1:40 | FLAC 16-bit, 44.1 kHz stereo |
| \`$A/03 - Chimes They Fade.m4a\` | "Chimes They Fade" (\`music/lose/Chimes They Fade.ogg\`) | Max McCracken | 0:16-0:24 | ALAC 16-bit in MP4, 22.05 kHz mono |
| \`$A/04 - Coherence.wav\` | "Coherence" (\`music/Coherence.ogg\`) | Max McCracken | 1:40-1:48 | WAV PCM 16-bit, 22.05 kHz mono |
| \`$A/05 - Deprecation.aiff\` | "Deprecation" (\`music/Deprecation.ogg\`) | Max McCracken | 2:00-2:08 | AIFF PCM 16-bit, 22.05 kHz mono |
| \`$A/cover.jpg\` | generated 200x200 colour gradient | - | - | JPEG |
| \`$B/01 - Aberrations.mp3\` | "Aberrations" (\`music/Aberrations.ogg\`) | Max McCracken | 2:00-2:20 | MP3 128 kbit/s, 44.1 kHz stereo, ID3v2.3 with embedded cover |
| \`$B/02 - Enemy Unknown.ogg\` | "Enemy Unknown" (\`music/Enemy Unknown.ogg\`) | Max McCracken | 1:40-2:00 | Ogg Vorbis q3, 44.1 kHz stereo |
| \`$B/03 - Nebula.opus\` | "Nebula" (\`music/Nebula.ogg\`) | Max McCracken | 1:00-1:20 | Ogg Opus 96 kbit/s (libopus), 48 kHz stereo, no ReplayGain tags |

ReplayGain values, measured with ffmpeg's \`replaygain\` filter on the encoded
excerpt (album values are set equal to the track values; the Opus file has
none, so that it shows mien's own loudness measurement):

- \`02 - Awakening.flac\`: gain $FLAC_GAIN, peak $FLAC_PEAK
- \`02 - Enemy Unknown.ogg\`: gain $OGG_GAIN, peak $OGG_PEAK

## Licence notice of the original package

From \`/usr/share/doc/$PKG/copyright\` (what follows this in that file is the
full legal code of CC BY-SA 3.0,
<https://creativecommons.org/licenses/by-sa/3.0/legalcode>):

\`\`\`
EOF
sed -n '1,/^Copyright (C)/p' "$COPYRIGHT"
cat <<EOF
\`\`\`

From \`/usr/share/doc/$PKG/README\`:

\`\`\`
EOF
sed -n '/^Thanks to Max McCracken/,/^$/p' "$README" | sed '/^$/d'
cat <<EOF
\`\`\`

The original files' own tags also say
\`LICENSE=http://creativecommons.org/licenses/by-sa/3.0/\`.

## How these files were made

They are rebuilt from scratch by \`tools/make-library.sh\` in the mien
repository, here with ffmpeg $(ffmpeg -version | sed -n '1s/^ffmpeg version \([^ ]*\).*/\1/p'). The script downloads the
package with \`apt-get download $PKG=$PKG_VERSION\`, unpacks it with
\`dpkg-deb -x\` into \`\$WORK/pkg\` (so \`\$MUSIC\` is
\`\$WORK/pkg/usr/share/games/singularity/music\`), and runs these commands,
each under \`nice -n 10\` (\`\$OUT\` is this folder, \`\$WORK\` a temporary
folder):

\`\`\`sh
EOF
cat "$CMDLOG"
cat <<EOF
\`\`\`
EOF
} >"$OUT/LICENSE.md"

echo "make-library: wrote $(du -sb "$OUT" | cut -f1) bytes to $OUT"

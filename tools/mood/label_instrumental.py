#!/usr/bin/env python3
"""Label the instrumental development set from the tracks' titles (docs/MOOD.md).

Walks DIR/<package>/ (unpacked by tools/mood/fetch-instrumental.sh) for music files of at least
30 s, takes each track's title (its TITLE tag if it has exactly one, else the file name) and the
game context its folder gives (Endgame: Singularity's win/ and lose/ folders; 0 A.D.'s battle,
victory and defeat playlists, from its gui/common/music.js), and gives it a quadrant when the
words name one. A word counts only if it names both sides of the quadrant, the valence and the
arousal (a battle is unpleasant and agitated; a lament unpleasant and slow): scene words that
name only one side ("dark", "fear", "hell", "nature", "graveyard") are not used.

  tense  (-V +A): battle(s) boss attack war(s) strike fight chase invasion siege
  happy  (+V +A): victory victorious triumph win won festival carnival celebration dance disco
                  party joy happy jolly race sprint speed
  sad    (-V -A): lament elegy requiem mourning grief sorrow(s) tears epitaph farewell lost lose
                  fade
  calm   (+V -A): calm peace peaceful tranquil serene gentle idyll lullaby dream(s) rest safe
                  breeze stroll elysian contemplation(s)

A track whose words name two quadrants ("Between Peace and War") or none is left out. Titles in
Hungarian (Mars Shooter) are read in translation (TRANSLATIONS). Output: a TSV on stdout,
`file<TAB>quadrant<TAB>package<TAB>title<TAB>word`, with paths relative to DIR (what
`mien eval-mood DIR` reads; `package` is the group for cross-validation).

Usage: python3 tools/mood/label_instrumental.py DIR > DIR/labels.tsv   (needs mutagen)
"""
import os
import re
import sys

import mutagen

WORDS = {
    'tense': ['battle', 'battles', 'boss', 'attack', 'war', 'wars', 'strike', 'fight', 'chase',
              'invasion', 'siege'],
    'happy': ['victory', 'victorious', 'triumph', 'win', 'won', 'festival', 'carnival',
              'celebration', 'dance', 'disco', 'party', 'joy', 'happy', 'jolly', 'race',
              'sprint', 'speed'],
    'sad': ['lament', 'elegy', 'requiem', 'mourning', 'grief', 'sorrow', 'sorrows', 'tears',
            'epitaph', 'farewell', 'lost', 'lose', 'fade'],
    'calm': ['calm', 'peace', 'peaceful', 'tranquil', 'serene', 'gentle', 'idyll', 'lullaby',
             'dream', 'dreams', 'rest', 'safe', 'breeze', 'stroll', 'elysian', 'contemplation',
             'contemplations'],
}

# The game's own use of a track, by package and path fragment.
CONTEXT = {
    ('singularity-music', '/win/'): 'win',
    ('singularity-music', '/lose/'): 'lose',
    ('0ad-data', 'Taiko_1'): 'battle',  # DEFAULT_BATTLE_TRACKS
    ('0ad-data', 'Taiko_2'): 'battle',
    ('0ad-data', 'You_are_Victorious'): 'victory',  # DEFAULT_VICTORY_TRACKS
    ('0ad-data', 'Dried_Tears'): 'lose',  # DEFAULT_DEFEAT_TRACKS
}

TRANSLATIONS = {
    'Elveszett Lelkek': 'Lost Souls',
    'Ezer Év': 'A Thousand Years',
    'Vérmocsár': 'Blood Swamp',
}

EXTENSIONS = ('.ogg', '.mp3', '.flac', '.opus', '.wav')
SKIP = re.compile(r'/(sounds?|sfx|voice|speech|units|campaigns|intro|toon)/', re.I)


def title_of(path):
    """(the TITLE tag or None, duration in s). A tag holding several titles (Hyperrogue's files
    carry the whole album's) is no title."""
    try:
        f = mutagen.File(path)
    except Exception:
        return None, 0
    if f is None:
        return None, 0
    tags = f.tags if f.tags is not None else {}
    for key in ('title', 'TITLE', 'TIT2'):
        if key in tags:
            value = tags[key]
            values = list(value) if isinstance(value, list) else [str(value)]
            if len(values) == 1 and values[0].strip():
                return values[0].strip(), f.info.length
    return None, f.info.length


def words_of(text):
    """Lower-case words; camel case is split ("GameLost" -> game, lost)."""
    text = re.sub(r'([a-z])([A-Z])', r'\1 \2', text)
    return re.findall(r'[a-z]+', text.lower())


def label(package, rel, title):
    words = set(words_of(title))
    for (pkg, fragment), word in CONTEXT.items():
        if pkg == package and fragment in '/' + rel:
            words.add(word)
    found = {q: sorted(w for w in ws if w in words) for q, ws in WORDS.items()}
    found = {q: ws for q, ws in found.items() if ws}
    if len(found) != 1:
        return None, None
    (q, ws), = found.items()
    return q, ws[0]


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    root = sys.argv[1]
    print('file\tquadrant\tpackage\ttitle\tword')
    for package in sorted(os.listdir(root)):
        base = os.path.join(root, package)
        if package == 'debs' or not os.path.isdir(base):
            continue
        for dirpath, _, names in sorted(os.walk(base)):
            for name in sorted(names):
                if not name.lower().endswith(EXTENSIONS):
                    continue
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, root)
                if SKIP.search('/' + rel):
                    continue
                tag, seconds = title_of(path)
                if seconds < 30:
                    continue
                stem = os.path.splitext(name)[0]
                title = TRANSLATIONS.get(tag or '', tag) or re.sub(r'[_\-]+', ' ', stem)
                q, word = label(package, os.path.relpath(path, base), title)
                if q:
                    print(f'{rel}\t{q}\t{package}\t{title}\t{word}')


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
"""Label Naev's music from the game's own use of it: extra training data for the mood head.

Debian's `naev-data` (0.8.2) keeps 55 music files and the script that picks them,
`dat/snd/music.lua`, which sorts them by scene. This reads that script, not the audio:

  tense  every track any combat list names (`combat = {...}`, `factional_combat`): the music
         the game plays while the player is under attack
  calm   the neutral ambient list (`ambient_neutral`): what it plays while the player travels in
         peace, four of them titled peace1..peace6
  happy  the one track titled "upbeat" (a landing song; the other landing, take-off and faction
         songs are left out: their use says where the player is, not how the scene feels)

A track on two of those lists is left out. The labels are contextual, like 0 A.D.'s playlists
in tools/mood/label_instrumental.py, and nobody listened to them. They are **training data
only** (tools/mood/fit_head.py `--set ...:train`): adding them to the scored instrumental set
would raise its figure without the head getting better on other music.

Output: a TSV on stdout, `file<TAB>quadrant<TAB>package<TAB>title<TAB>word`, with paths
relative to DIR, as `mien eval-mood DIR` reads it.

Usage: python3 tools/mood/label_naev.py DIR > DIR/labels.tsv
  where DIR/naev-data/ holds the unpacked package (tools/mood/fetch-naev.sh does both).
"""
import os
import re
import sys

SND = 'naev-data/usr/share/naev/dat/snd'


def lists(lua, name):
    """Every track named in the tables assigned to `name` (`name = { ... }`, nested tables
    included): the quoted words up to the matching closing brace."""
    out = set()
    for m in re.finditer(r'\b' + re.escape(name) + r'\s*=\s*\{', lua):
        depth, i = 1, m.end()
        while depth and i < len(lua):
            depth += {'{': 1, '}': -1}.get(lua[i], 0)
            i += 1
        out |= set(re.findall(r'"([a-z0-9_]+)"', lua[m.end():i]))
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    root = sys.argv[1]
    with open(os.path.join(root, SND, 'music.lua')) as f:
        lua = re.sub(r'--[^\n]*', '', f.read())
    found = {
        'tense': lists(lua, 'combat') | lists(lua, 'factional_combat'),
        'calm': lists(lua, 'ambient_neutral'),
        'happy': {'upbeat'},
    }
    print('file\tquadrant\tpackage\ttitle\tword')
    for name in sorted(os.listdir(os.path.join(root, SND, 'music'))):
        stem, ext = os.path.splitext(name)
        if ext != '.ogg':
            continue
        qs = [q for q, names in found.items() if stem in names]
        if len(qs) != 1:
            continue
        word = {'tense': 'combat list', 'calm': 'ambient_neutral', 'happy': 'upbeat'}[qs[0]]
        print(f'{SND}/music/{name}\t{qs[0]}\tnaev-data\t{stem}\t{word}')


if __name__ == '__main__':
    main()

#!/usr/bin/env bash
# Fetches Debian's naev-data by name and unpacks only its music and the script that picks it
# (dat/snd/music.lua) under DIR/naev-data/, then writes DIR/labels.tsv with
# tools/mood/label_naev.py (labels from the game's own use of each track). Training data only
# for tools/mood/fit_head.py (`--set DUMP:DIR/labels.tsv:package:train`); nothing is committed.
#
# Usage: tools/mood/fetch-naev.sh DIR [PYTHON]
#   then: mien eval-mood DIR --patches 10 --dump FILE
set -euo pipefail
dir=${1:?usage: fetch-naev.sh DIR [PYTHON]}
python=${2:-python3}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dir/debs"
(cd "$dir/debs" && { ls naev-data_*.deb >/dev/null 2>&1 || apt-get download -q naev-data; })
if [ ! -d "$dir/naev-data" ]; then
  mkdir -p "$dir/naev-data.tmp"
  dpkg-deb --fsys-tarfile "$dir"/debs/naev-data_*.deb |
    tar -x -C "$dir/naev-data.tmp" ./usr/share/naev/dat/snd/music ./usr/share/naev/dat/snd/music.lua
  mv "$dir/naev-data.tmp" "$dir/naev-data"
fi
"$python" "$here/label_naev.py" "$dir" > "$dir/labels.tsv"
echo "wrote $dir/labels.tsv: $(grep -vc '^file' "$dir/labels.tsv") labelled tracks" >&2

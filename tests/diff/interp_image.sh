#!/bin/sh
# interp_image.sh build --loam=LOAM -o IMAGE FILE.loam — stands in for
# `loam build` so that tests/run/runner.sh runs its programs with the
# interpreter (ctest run.interp): it writes IMAGE as a script that runs
# `LOAM run --interp --argv0=IMAGE FILE.loam ARGS...`, so that binding
# messages name the image as a real one would. (The source is checked when
# the script runs: a program with errors then exits 1 with its diagnostics.)
set -eu
[ "${1:-}" = build ] || { echo "usage: $0 build --loam=LOAM -o IMAGE FILE.loam" >&2; exit 2; }
shift
loam="" image="" src=""
while [ $# -gt 0 ]; do
    case $1 in
    --loam=*) loam=${1#--loam=} ;;
    -o) image=$2; shift ;;
    *) src=$1 ;;
    esac
    shift
done
[ -n "$loam" ] && [ -n "$image" ] && [ -n "$src" ] || { echo "$0: missing --loam, -o or the source" >&2; exit 2; }
printf '#!/bin/sh\nexec "%s" run --interp --argv0="$0" "%s" "$@"\n' "$loam" "$src" > "$image"
chmod +x "$image"

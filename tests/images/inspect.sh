#!/bin/sh
# inspect.sh LOAM SOURCE_DIR — `loam inspect IMAGE` and `loam inspect --json
# IMAGE` describe the tasks of the source and their parameters, in order,
# with their modes and types, and mark the root task.
set -u
loam=$1
src=$2
case $loam in /*) ;; *) loam=$(pwd)/$loam ;; esac
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
fail=0

# check NAME IMAGE EXPECTED — EXPECTED lists "task NAME [root]" and
# "param NAME TYPE" lines, in order; the text form must hold them as lines in
# that order (other lines, such as the header, may come between), and the
# JSON form must describe exactly those tasks and parameters.
check() {
    name=$1 img=$2 want=$3
    ok=1
    if ! "$loam" inspect "$img" > "$tmp/text" 2> "$tmp/err"; then
        echo "  'loam inspect' failed: $(head -1 "$tmp/err")"; ok=0
    fi
    grep -E '^(task|param) ' "$tmp/text" > "$tmp/got"
    if ! printf '%s\n' "$want" | cmp -s - "$tmp/got"; then
        echo "  text form differs (want, got):"
        printf '%s\n' "$want" | diff - "$tmp/got" | sed 's/^/  /' | head -10
        ok=0
    fi
    if ! "$loam" inspect --json "$img" > "$tmp/json" 2> "$tmp/err"; then
        echo "  'loam inspect --json' failed: $(head -1 "$tmp/err")"; ok=0
    elif command -v python3 > /dev/null 2>&1; then
        # The JSON's tasks, rewritten in the line form, must be the same lines.
        if ! python3 -c '
import json, sys
doc = json.load(open(sys.argv[1]))
for t in doc["tasks"]:
    print("task " + t["name"] + (" root" if t.get("root") else ""))
    for p in t["params"]:
        print("param " + p["name"] + " " + p["type"])
' "$tmp/json" > "$tmp/jgot" 2> "$tmp/err"; then
            echo "  --json output is not the expected JSON: $(tail -1 "$tmp/err")"; ok=0
        elif ! printf '%s\n' "$want" | cmp -s - "$tmp/jgot"; then
            echo "  --json form differs (want, got):"
            printf '%s\n' "$want" | diff - "$tmp/jgot" | sed 's/^/  /' | head -10
            ok=0
        fi
    else
        for word in $(printf '%s\n' "$want" | awk '{print $2}'); do
            grep -q "\"$word\"" "$tmp/json" || { echo "  --json lacks \"$word\""; ok=0; }
        done
    fi
    if [ $ok = 1 ]; then echo "PASS $name"; else echo "FAIL $name"; fail=1; fi
}

build() { # SOURCE IMAGE [OPTIONS]
    s=$1 i=$2
    shift 2
    if ! "$loam" build "$@" "$s" -o "$i" > "$tmp/log" 2>&1; then
        sed 's/^/  | /' "$tmp/log" | head -10
        echo "FAIL $(basename "$s"): does not build"
        fail=1
        return 1
    fi
}

build "$src/examples/wordcount.loam" "$tmp/wordcount" && check wordcount "$tmp/wordcount" "task wordcount root
param text in Blob
param counts out Blob"

build "$src/examples/grep.loam" "$tmp/grep" && check grep "$tmp/grep" "task grep root
param text in Blob
param pattern Str
param ignore_case Bool
param matches out Blob"

# Every parameter kind, and two tasks of which the second is chosen as root.
cat > "$tmp/kinds.loam" <<'LOAM'
task first(x: Int, r: out Blob) {
    r.write("{x}");
}
task second(n: Int, f: Float, flag: Bool, s: Str, one: in Blob, files: in [Blob], o: out Blob) {
    o.write("{n} {f} {flag} {s} {one.len()} {files.len()}");
}
LOAM
build "$tmp/kinds.loam" "$tmp/kinds" --task second && check "kinds --task second" "$tmp/kinds" "task first
param x Int
param r out Blob
task second root
param n Int
param f Float
param flag Bool
param s Str
param one in Blob
param files in [Blob]
param o out Blob"
exit $fail

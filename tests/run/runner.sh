#!/bin/sh
# runner.sh LOAM_BINARY TESTDIR [FLAGS...] — compile and run every program
# in TESTDIR with `loam build FLAGS`, and check what it does against the
# expectations written inside it:
#
#   // expect: TEXT          a line of stdout, in order (all lines must match)
#   // expect stdout sha256: HEX   stdout has this SHA-256 (for long output;
#                            then `// expect:` lines are optional)
#   // expect exit: N        the image's exit status (default 0)
#   // expect stderr: TEXT   stderr contains TEXT (e.g. a panic message);
#                            whatever is expected, stderr must be empty after
#                            exit 0 and exactly one line after exit 2 or 101
#   // input NAME: TEXT      a file with TEXT (\n, \t, \r and \\ escapes) bound to NAME
#   // output NAME: TEXT     NAME bound to a fresh path; after the run the file
#                            must hold exactly TEXT (escapes as above), or,
#                            with `// output NAME: <none>`, must not exist, or,
#                            with `// output NAME: <sha256 HEX>`, must have that
#                            SHA-256 (for outputs too large to write inline)
#   // arg: NAME=VALUE       a value binding passed as is (no spaces); also a bare
#                            argument, or NAME=PATH relative to the run's directory
#
# The image runs in a directory of its own, where it is `image` and input
# NAME is the file `in.NAME` (so `// arg: out=in.text` names an existing
# file). Whatever the status, no temporary `.NAME.tmp.PID` may remain.
#
# Prints PASS/FAIL per program and "N passed, M failed"; exits 1 on failure.
set -u
loam=$1
dir=$2
shift 2
case $loam in /*) ;; *) loam=$(pwd)/$loam ;; esac
case $dir in /*) ;; *) dir=$(pwd)/$dir ;; esac
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

# Decode the \n, \t, \r and \\ escapes of an expectation into a file.
decode() { printf '%s' "$1" | awk 'BEGIN { RS = "\0" } { gsub(/\\n/, "\n"); gsub(/\\t/, "\t"); gsub(/\\r/, "\r"); gsub(/\\\\/, "\\"); printf "%s", $0 }' > "$2"; }

# Runs one program; prints why it failed and returns 1, or returns 0.
run_one() {
    src=$1
    shift
    work="$tmp/$(basename "$src" .loam)"
    mkdir -p "$work"
    if ! "$loam" build "$@" -o "$work/image" "$src" > "$work/build.out" 2>&1; then
        sed 's/^/  | /' "$work/build.out" | head -20
        echo "  does not build"
        return 1
    fi
    args=""
    for n in $(grep -o '// input [A-Za-z_0-9]*:' "$src" | sed 's|// input ||; s|:||'); do
        decode "$(grep -o "// input $n: .*" "$src" | head -1 | sed "s|^// input $n: ||")" "$work/in.$n"
        args="$args $n=$work/in.$n"
    done
    for n in $(grep -o '// output [A-Za-z_0-9]*:' "$src" | sed 's|// output ||; s|:||'); do args="$args $n=$work/out.$n"; done
    for a in $(grep -o '// arg: [^ ]*' "$src" | sed 's|// arg: ||'); do args="$args $a"; done
    # shellcheck disable=SC2086
    (cd "$work" && timeout 20 ./image $args > stdout 2> stderr)
    status=$?
    # Whatever the status, no temporary output (.NAME.tmp.PID) may be left behind.
    leftover=$(cd "$work" && ls -A | grep '^\..*\.tmp\.' | head -1)
    if [ -n "$leftover" ]; then
        echo "  temporary file '$leftover' left behind"
        return 1
    fi
    want_status=$(grep -o '// expect exit: [0-9]*' "$src" | sed 's|.*: ||' | head -1)
    [ -n "$want_status" ] || want_status=0
    if [ "$status" != "$want_status" ]; then
        sed 's/^/  stderr| /' "$work/stderr" | head -5
        echo "  exit status $status, expected $want_status"
        return 1
    fi
    want_sum=$(grep -o '// expect stdout sha256: [0-9a-f]*' "$src" | sed 's|.*: ||' | head -1)
    if [ -n "$want_sum" ]; then
        got_sum=$(sha256sum < "$work/stdout" | cut -d' ' -f1)
        if [ "$got_sum" != "$want_sum" ]; then
            tail -3 "$work/stdout" | sed 's/^/  stdout| /'
            echo "  stdout has SHA-256 $got_sum, expected $want_sum"
            return 1
        fi
    fi
    grep -o '// expect: .*' "$src" | sed 's|^// expect: ||' > "$work/expected"
    if [ -n "$want_sum" ] && [ ! -s "$work/expected" ]; then
        :
    elif ! cmp -s "$work/expected" "$work/stdout"; then
        diff "$work/expected" "$work/stdout" | head -10 | sed 's/^/  /'
        echo "  stdout differs"
        return 1
    fi
    # A run that succeeds says nothing on stderr; a binding error (2) or a
    # panic (101) says exactly one line there (kernel.md §3, §4).
    case $status in
    0) if [ -s "$work/stderr" ]; then sed 's/^/  stderr| /' "$work/stderr" | head -5; echo "  stderr is not empty"; return 1; fi ;;
    2|101) if [ "$(wc -l < "$work/stderr")" != 1 ]; then sed 's/^/  stderr| /' "$work/stderr" | head -5; echo "  stderr is not exactly one line"; return 1; fi ;;
    esac
    grep -o '// expect stderr: .*' "$src" | sed 's|^// expect stderr: ||' > "$work/want_stderr"
    while IFS= read -r want; do
        if ! grep -qF -- "$want" "$work/stderr"; then
            echo "  stderr lacks: $want"
            return 1
        fi
    done < "$work/want_stderr"
    for n in $(grep -o '// output [A-Za-z_0-9]*:' "$src" | sed 's|// output ||; s|:||'); do
        text=$(grep -o "// output $n: .*" "$src" | head -1 | sed "s|^// output $n: ||")
        if [ "$text" = "<none>" ]; then
            if [ -e "$work/out.$n" ]; then echo "  output '$n' exists, but nothing should be committed"; return 1; fi
            continue
        fi
        case $text in
        "<sha256 "*">")
            want=${text#<sha256 }
            want=${want%>}
            if [ ! -e "$work/out.$n" ]; then echo "  output '$n' was not written"; return 1; fi
            got=$(sha256sum < "$work/out.$n" | cut -d' ' -f1)
            if [ "$got" != "$want" ]; then echo "  output '$n' has SHA-256 $got, expected $want"; return 1; fi
            continue ;;
        esac
        decode "$text" "$work/want.$n"
        if [ ! -e "$work/out.$n" ]; then echo "  output '$n' was not written"; return 1; fi
        if ! cmp -s "$work/want.$n" "$work/out.$n"; then echo "  output '$n' differs"; return 1; fi
    done
    return 0
}

for src in "$dir"/*.loam; do
    name=$(basename "$src" .loam)
    if run_one "$src" "$@"; then
        echo "PASS $name"
        passed=$((passed + 1))
    else
        echo "FAIL $name"
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

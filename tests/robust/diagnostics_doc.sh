#!/bin/sh
# diagnostics_doc.sh SOURCE_DIR [LOAM_BINARY] — spec/diagnostics.md and
# lang/diag.def agree (and, given the binary, the doc's examples are right).
#
# Checks, for every code DIAG(Exxxx, "title") in lang/diag.def, that
# spec/diagnostics.md has a heading `### Exxxx — title` with the same title,
# in the same order, once; that the doc names no code (in a heading or in
# prose) missing from diag.def; that every section has its Trigger, Example
# and Fix parts and cites the spec (§); and that spec/language.md cites only
# codes that exist. With LOAM_BINARY, also runs `loam check` on the example
# of every section (the first ```loam block after its heading): it must exit
# 1 and report that section's code and no other. POSIX sh, grep, sed, awk.
# Prints PASS/FAIL lines and "N passed, M failed"; exits 1 on any failure.
set -u

if [ $# -lt 1 ] || [ $# -gt 2 ] || [ ! -d "$1" ]; then
    echo "usage: $0 SOURCE_DIR [LOAM_BINARY]" >&2
    exit 2
fi
loam=${2:-}
LC_ALL=C
export LC_ALL

def=$1/lang/diag.def
doc=$1/spec/diagnostics.md
spec=$1/spec/language.md
for f in "$def" "$doc" "$spec"; do
    if [ ! -r "$f" ]; then
        echo "FAIL cannot read $f"
        echo "0 passed, 1 failed"
        exit 1
    fi
done

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

passed=0
failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() {
    echo "FAIL $1"
    shift
    for text in "$@"; do printf '%s\n' "$text" | sed 's/^/  /'; done
    failed=$((failed + 1))
}

# "CODE title" per line, in file order.
sed -n 's/^[[:space:]]*DIAG([[:space:]]*\(E[0-9][0-9][0-9][0-9]\)[[:space:]]*,[[:space:]]*"\(.*\)")[[:space:]]*$/\1 \2/p' \
    "$def" > "$tmp/def"
# The em dash is matched as its UTF-8 bytes (LC_ALL=C).
sed -n 's/^### \(E[0-9][0-9][0-9][0-9]\) — \(.*[^[:space:]]\)[[:space:]]*$/\1 \2/p' \
    "$doc" > "$tmp/doc"
cut -d' ' -f1 "$tmp/def" > "$tmp/def_codes"
cut -d' ' -f1 "$tmp/doc" > "$tmp/doc_codes"

# Every DIAG( line was understood.
n_diag=$(grep -c '^[[:space:]]*DIAG(' "$def")
n_def=$(wc -l < "$tmp/def" | tr -d ' ')
if [ "$n_def" -eq 0 ]; then
    fail diag.def.parsed "no DIAG(Exxxx, \"title\") lines found in $def"
elif [ "$n_diag" -ne "$n_def" ]; then
    fail diag.def.parsed "$n_diag DIAG( lines but only $n_def have the form DIAG(Exxxx, \"title\")"
else
    pass diag.def.parsed
fi

# No code twice in diag.def.
dups=$(sort "$tmp/def_codes" | uniq -d | tr '\n' ' ')
if [ -n "$dups" ]; then fail diag.def.unique "codes declared twice: $dups"; else pass diag.def.unique; fi

# Headings that look like a code's heading but are not in the exact form
# (wrong level, hyphen or en dash instead of an em dash, missing title).
grep -n '^#\{1,6\}[[:space:]]*E[0-9]' "$doc" | grep -v '^[0-9]*:### E[0-9][0-9][0-9][0-9] — [^[:space:]]' > "$tmp/bad_headings"
if [ -s "$tmp/bad_headings" ]; then
    fail doc.heading_form "headings must read '### Exxxx — title' (with an em dash):" \
        "$(cat "$tmp/bad_headings")"
else
    pass doc.heading_form
fi

# Every code has its heading, with the same title.
while read -r code title; do
    doc_title=$(awk -v c="$code" '$1 == c { sub(/^[^ ]+ /, ""); print; exit }' "$tmp/doc")
    if [ -z "$doc_title" ] && ! grep -qx "$code" "$tmp/doc_codes"; then
        fail "doc.$code" "no heading '### $code — $title' in spec/diagnostics.md"
    elif [ "$doc_title" != "$title" ]; then
        fail "doc.$code" "diag.def title: $title" "doc heading:    $doc_title"
    else
        pass "doc.$code"
    fi
done < "$tmp/def"

# No heading for a code that diag.def does not have, and none twice.
extra=$(grep -vxF -f "$tmp/def_codes" "$tmp/doc_codes" | tr '\n' ' ')
if [ -n "$extra" ]; then fail doc.no_unknown_headings "headings for codes not in diag.def: $extra"; else pass doc.no_unknown_headings; fi
dups=$(sort "$tmp/doc_codes" | uniq -d | tr '\n' ' ')
if [ -n "$dups" ]; then fail doc.unique_headings "codes with more than one heading: $dups"; else pass doc.unique_headings; fi

# Same order as diag.def (only meaningful once the sets agree).
if cmp -s "$tmp/def_codes" "$tmp/doc_codes"; then
    pass doc.order
else
    first=$(awk 'NR == FNR { a[NR] = $0; n = NR; next }
                 { if (a[FNR] != $0) { print "diag.def has " a[FNR] " where the doc has " $0; exit } }
                 END { }' "$tmp/def_codes" "$tmp/doc_codes")
    fail doc.order "sections must follow diag.def's order" "${first:-one list is a prefix of the other}"
fi

# Every code named anywhere in the doc (prose, examples) exists.
grep -o 'E[0-9][0-9][0-9][0-9]' "$doc" | sort -u > "$tmp/doc_mentions"
unknown=$(grep -vxF -f "$tmp/def_codes" "$tmp/doc_mentions" | tr '\n' ' ')
if [ -n "$unknown" ]; then fail doc.no_unknown_codes "codes named in the doc but not in diag.def: $unknown"; else pass doc.no_unknown_codes; fi

# Every code the language reference cites exists.
grep -o 'E[0-9][0-9][0-9][0-9]' "$spec" | sort -u > "$tmp/spec_mentions"
unknown=$(grep -vxF -f "$tmp/def_codes" "$tmp/spec_mentions" | tr '\n' ' ')
if [ -n "$unknown" ]; then fail spec.no_unknown_codes "codes cited in spec/language.md but not in diag.def: $unknown"; else pass spec.no_unknown_codes; fi

# Every section has a Trigger citing the spec, an Example with a code block
# (or a command), and a Fix.
awk '
    function finish() {
        if (code == "") return
        missing = ""
        if (!trigger) missing = missing " **Trigger.**"
        if (!cites) missing = missing " a spec section (§)"
        if (!example) missing = missing " **Example.**"
        if (!fix) missing = missing " **Fix.**"
        if (missing != "") print code ": missing" missing
    }
    /^#+ / { finish(); code = ""; trigger = cites = example = fix = 0 }
    /^### E[0-9][0-9][0-9][0-9] / { code = $2 }
    code != "" && /^\*\*Trigger\.\*\*/ { trigger = 1 }
    code != "" && /§[0-9]/ { cites = 1 }
    code != "" && /^\*\*Example\.\*\*/ { example = 1 }
    code != "" && /^\*\*Fix\.\*\*/ { fix = 1 }
    END { finish() }
' "$doc" > "$tmp/sections"
if [ -s "$tmp/sections" ]; then
    fail doc.sections_complete "$(cat "$tmp/sections")"
else
    pass doc.sections_complete
fi

# The examples, when a binary is given: each triggers its own code only.
if [ -n "$loam" ]; then
    mkdir "$tmp/examples"
    awk -v dir="$tmp/examples" '
        /^#+ / { code = ""; inside = 0 }
        /^### E[0-9][0-9][0-9][0-9] / { code = $2; done = 0 }
        inside && /^```/ { inside = 0; close(file); done = 1; next }
        inside { print > file; next }
        code != "" && !done && /^```loam[[:space:]]*$/ { inside = 1; file = dir "/" code ".loam"; printf "" > file }
    ' "$doc"
    while read -r code title; do
        example=$tmp/examples/$code.loam
        [ -f "$example" ] || continue
        (cd "$tmp/examples" && timeout 20 "$loam" check "$code.loam") > "$tmp/out" 2>&1
        status=$?
        grep -o '\[E[0-9][0-9][0-9][0-9]\]' "$tmp/out" | tr -d '[]' | sort -u > "$tmp/codes"
        others=$(grep -vx "$code" "$tmp/codes" | tr '\n' ' ')
        if [ "$status" -ne 1 ]; then
            fail "example.$code" "loam check exited $status, expected 1:" "$(head -n 20 "$tmp/out")"
        elif ! grep -qx "$code" "$tmp/codes"; then
            fail "example.$code" "the example does not report $code:" "$(head -n 20 "$tmp/out")"
        elif [ -n "$others" ]; then
            fail "example.$code" "the example also reports $others(one mistake, one message):" "$(head -n 20 "$tmp/out")"
        else
            pass "example.$code"
        fi
    done < "$tmp/def"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

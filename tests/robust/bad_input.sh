#!/bin/sh
# bad_input.sh LOAM_BINARY — `loam check` survives hostile input.
#
# Generates inputs that a fuzzer would take long to find (huge files, deep
# nesting, broken encodings, unreadable paths) and runs `loam check` on each.
# Every run must:
#   - finish within the time limit (no hang),
#   - exit with the expected status, 0 or 1 — never 2 (internal error) and
#     never by a signal (status > 128),
#   - print the expected diagnostic code on stderr, where one is expected,
#   - print no sanitizer report and no internal error.
# Inputs are made deterministically (awk with a fixed seed) in a temporary
# directory that is removed on exit. POSIX sh; needs awk, grep, timeout.
# Prints PASS/FAIL lines and "N passed, M failed"; exits 1 on any failure.
set -u

if [ $# -ne 1 ]; then
    echo "usage: $0 LOAM_BINARY" >&2
    exit 2
fi
case $1 in
    /*) loam=$1 ;;
    *) loam=$(pwd)/$1 ;;
esac
if [ ! -x "$loam" ]; then
    echo "$0: $loam is not an executable" >&2
    exit 2
fi
LC_ALL=C
export LC_ALL
# Deterministic diagnostics: no colour even if a terminal is attached.
NO_COLOR=1
export NO_COLOR

# 20 s per run; sanitizer builds run 3-5 times slower, so they get 60 s,
# which still catches a hang.
limit=20
if grep -q -e AddressSanitizer -e UndefinedBehaviorSanitizer "$loam" 2>/dev/null; then limit=60; fi
limit=${LOAM_TIME_LIMIT:-$limit}
tmp=$(mktemp -d) || exit 2
trap 'chmod -R u+rwx "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
cd "$tmp" || exit 2

passed=0
failed=0
skipped=0
# Runs of 2 s or more show their time, to spot slow paths early.
pass() {
    if [ "${elapsed:-0}" -ge 2 ]; then echo "PASS $1 (${elapsed}s)"; else echo "PASS $1"; fi
    passed=$((passed + 1))
}
fail() {
    echo "FAIL $1: $2 (${elapsed:-0}s)"
    if [ -s err ]; then head -c 2000 err | head -n 8 | sed 's/^/  | /'; fi
    failed=$((failed + 1))
}
skip() { echo "SKIP $1: $2"; skipped=$((skipped + 1)); }
# Seconds taken by the last run of loam, shown by pass and fail.
elapsed=0

# expect NAME STATUS CODE [loam check arguments…]
#   STATUS: 0, 1, or 0|1 when either is acceptable.
#   CODE: an extended regex that stderr must match ("" for none), e.g. E0006.
# With STATUS 0 stderr must be free of errors.
expect() {
    name=$1 want=$2 code=$3
    shift 3
    started=$(date +%s)
    timeout -k 5 "$limit" "$loam" check "$@" > out 2> err < /dev/null
    status=$?
    elapsed=$(($(date +%s) - started))
    if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
        fail "$name" "no result within ${limit}s (hang or far too slow)"
        return
    fi
    if [ "$status" -gt 128 ]; then
        fail "$name" "killed by signal $((status - 128))"
        return
    fi
    if [ "$status" -eq 2 ]; then
        fail "$name" "exit 2 (internal error)"
        return
    fi
    if grep -q -e 'Sanitizer' -e 'runtime error:' -e 'internal error' err; then
        fail "$name" "sanitizer report or internal error on stderr (exit $status)"
        return
    fi
    case "|$want|" in
        *"|$status|"*) ;;
        *) fail "$name" "exit $status, expected $want"; return ;;
    esac
    # JSON diagnostics may go to stdout; text ones belong on stderr.
    where=err
    case " $* " in *" --diagnostics=json "*) where="err out" ;; esac
    # shellcheck disable=SC2086
    if [ -n "$code" ] && ! cat $where | grep -Eq "$code"; then
        fail "$name" "stderr lacks $code (exit $status)"
        return
    fi
    if [ "$status" -eq 0 ] && grep -q 'error' err; then
        fail "$name" "exit 0 but stderr reports an error"
        return
    fi
    pass "$name"
}

# json_ok NAME: the last run's stdout+stderr, in --diagnostics=json mode, is
# JSON Lines: each line one object, no raw control bytes, valid UTF-8 even
# when the source was not.
json_ok() {
    cat out err > json
    if [ ! -s json ]; then
        fail "$1" "no JSON output"
    elif grep -v -q '^{.*}$' json; then
        fail "$1" "a line of JSON output is not one object: $(grep -v '^{.*}$' json | head -n 1 | head -c 200)"
    elif LC_ALL=C tr -d '\n' < json | LC_ALL=C grep -q '[[:cntrl:]]'; then
        fail "$1" "raw control character in JSON output"
    elif command -v iconv > /dev/null 2>&1 && ! iconv -f UTF-8 -t UTF-8 json > /dev/null 2>&1; then
        fail "$1" "JSON output is not valid UTF-8"
    else
        pass "$1"
    fi
}

# repeat N STRING: STRING written N times, no newline.
repeat() {
    awk -v n="$1" -v s="$2" 'BEGIN { for (i = 0; i < n; i++) printf "%s", s }'
}

# --- empty and trivial ------------------------------------------------------

: > empty.loam
expect empty_file 0 "" empty.loam

printf '\n\n   \t\n// just a comment\n/* and /* a nested */ one */\n' > blank.loam
expect only_whitespace_and_comments 0 "" blank.loam

printf 'fn main() {\r\n    let x = 1;\r\n    print("{x}");\r\n}\r\n' > crlf.loam
expect crlf_line_endings 0 "" crlf.loam

# --- encodings --------------------------------------------------------------

awk 'BEGIN { srand(42); for (i = 0; i < 65536; i++) printf "%c", int(rand() * 256) }' > garbage.bin
expect binary_garbage_64k 1 'E000[125]' garbage.bin

printf '// caf\351 au lait\nfn main() {}\n' > utf8_comment.loam
expect invalid_utf8_in_comment 1 E0001 utf8_comment.loam

printf '/* caf\351 /* nested \377 */ */\nfn main() {}\n' > utf8_block_comment.loam
expect invalid_utf8_in_block_comment 1 E0001 utf8_block_comment.loam

printf 'fn main() {\n    print("caf\351");\n}\n' > utf8_string.loam
expect invalid_utf8_in_string 1 E0001 utf8_string.loam

printf 'fn main() {\n    print("\300\257 overlong slash");\n}\n' > utf8_overlong.loam
expect utf8_overlong_encoding 1 E0001 utf8_overlong.loam

printf 'fn main() {\n    print("\355\240\200 surrogate");\n}\n' > utf8_surrogate.loam
expect utf8_encoded_surrogate 1 E0001 utf8_surrogate.loam

printf 'fn main() {\n    print("\364\220\200\200 above U+10FFFF");\n}\n' > utf8_too_big.loam
expect utf8_above_max_code_point 1 E0001 utf8_too_big.loam

printf 'fn main() {}\n// cut short: \342\202' > utf8_truncated.loam
expect utf8_truncated_at_eof 1 E0001 utf8_truncated.loam

printf 'fn main() {\n    let s = "caf\303\251 \342\202\254 \360\237\230\200";\n    print(s);\n}\n// \303\251\342\206\222\n' > utf8_valid.loam
expect valid_utf8_in_string_and_comment 0 "" utf8_valid.loam

printf 'fn main() {}\n\000\n' > nul.loam
expect nul_byte 1 E0002 nul.loam

printf 'fn main() {\n    print("a\000b");\n}\n' > nul_string.loam
expect nul_byte_in_string 1 E0002 nul_string.loam

printf '// a \000 b\nfn main() {}\n' > nul_comment.loam
expect nul_byte_in_comment 1 E0002 nul_comment.loam

printf 'fn main() {\n    print("caf\351 \000");\n}\n' > json_bytes.loam
expect json_invalid_utf8_and_nul 1 'E000[12]' --diagnostics=json json_bytes.loam
json_ok json_output_stays_valid

# Control characters and quotes in the source line and in the path must be
# escaped in JSON.
odd_path='we"ird \ name.loam'
printf 'fn main() {\n    let s = "\001\002\033[31m\\\\ \\""; let x = ;\n}\n' > "$odd_path"
expect json_control_chars_and_odd_path 1 E0100 --diagnostics=json "$odd_path"
json_ok json_control_chars_escaped

# --- size -------------------------------------------------------------------

# ~10 MB of small, valid, varied functions.
awk 'BEGIN {
    for (i = 0; size < 10 * 1024 * 1024; i++) {
        s = sprintf("fn f%d(a: Int, b: Int) -> Int {\n    let c = a * %d + b;\n    if c > %d { return c - 1; }\n    return f%d(c, %d) + 1;\n}\n", i, i % 97, i % 1000, i > 0 ? i - 1 : 0, i % 7)
        printf "%s", s
        size += length(s)
    }
}' > big_valid.loam
expect valid_10mb 0 "" big_valid.loam

# ~10 MB of random tokens: no strings, quotes or comments, so every byte is
# lexically valid and the parser has to recover again and again.
awk 'BEGIN {
    srand(7)
    n = split("fn let if else while for in out match return spawn struct enum task extern true false Map break continue _ x y main Int Str [Blob] ( ) [ ] { } , ; : . .. -> => = == != < <= > >= + - * / % += ! && || & | ^ << 0 1 42 3.5 0xff b", tok, " ")
    for (size = 0; size < 10 * 1024 * 1024; ) {
        t = tok[int(rand() * n) + 1]
        if (t == "b") t = "b_" int(rand() * 100)
        printf "%s%s", t, (rand() < 0.1 ? "\n" : " ")
        size += length(t) + 1
    }
}' > big_garbage.loam
expect garbage_tokens_10mb 1 'E0(1[0-9][0-9]|006)' big_garbage.loam
if [ -f err ]; then
    err_bytes=$(wc -c < err | tr -d ' ')
    echo "  (garbage_tokens_10mb printed $err_bytes bytes of diagnostics)"
fi

# A file over the 64 MiB limit.
head -c 67108865 /dev/zero | tr '\0' ' ' > too_large.loam
expect file_over_64mib 1 E0004 too_large.loam
rm -f too_large.loam

# One line of 1 MB: many statements, then the same with an error at the end,
# then one string literal of 1 MB, then a comment of 1 MB.
{ printf 'fn main() {'; awk 'BEGIN { for (i = 0; i < 65536; i++) printf " let a%d = %d;", i, i }'; printf ' }\n'; } > long_line.loam
expect long_line_1mb 0 "" long_line.loam
{ printf 'fn main() {'; awk 'BEGIN { for (i = 0; i < 65536; i++) printf " let a%d = %d;", i, i }'; printf ' let z = ; }\n'; } > long_line_error.loam
expect long_line_1mb_error_at_end 1 E0100 long_line_error.loam
{ printf 'fn main() { let s = "'; repeat 1048576 a; printf '"; print(s); }\n'; } > long_string.loam
expect string_literal_1mb 0 "" long_string.loam
{ printf '// '; repeat 1048576 x; printf '\nfn main() {}\n'; } > long_comment.loam
expect comment_line_1mb 0 "" long_comment.loam

awk 'BEGIN { for (i = 0; i < 1000000; i++) print "" }' > many_empty_lines.loam
expect million_empty_lines 0 "" many_empty_lines.loam

{ printf 'fn main() {\n'; awk 'BEGIN { for (i = 0; i < 100000; i++) print "    let = ;" }'; printf '}\n'; } > many_errors.loam
expect hundred_thousand_syntax_errors 1 E0100 many_errors.loam

{ printf 'fn main() { let n = '; repeat 100000 9; printf '; }\n'; } > huge_int.loam
expect integer_literal_100k_digits 1 E0011 huge_int.loam

# --- nesting (spec §1.6) ----------------------------------------------------

{ printf 'fn main() { let x = '; repeat 200 '('; printf 1; repeat 200 ')'; printf '; }\n'; } > parens_200.loam
expect nested_parens_200_ok 0 "" parens_200.loam

{ printf 'fn main() { let x = '; repeat 10000 '('; printf 1; repeat 10000 ')'; printf '; }\n'; } > parens.loam
expect nested_parens_10000 1 E0006 parens.loam

{ printf 'fn main() { let x = '; repeat 10000 '['; printf 1; repeat 10000 ']'; printf '; }\n'; } > brackets.loam
expect nested_brackets_10000 1 E0006 brackets.loam

{ printf 'fn main() '; repeat 10000 '{'; repeat 10000 '}'; printf '\n'; } > blocks.loam
expect nested_blocks_10000 1 E0006 blocks.loam

{ printf 'fn main() { let s = '; repeat 300 '"{'; printf 1; repeat 300 '}"'; printf '; }\n'; } > interp.loam
expect nested_interpolation_300 1 E0006 interp.loam

{ printf 'fn main() { let x = '; repeat 10000 '('; } > unclosed_parens.loam
expect unclosed_parens_10000_at_eof 1 E0006 unclosed_parens.loam

{ printf 'fn main() { let x = '; repeat 100 '('; printf '1\n'; } > unclosed_100.loam
expect unclosed_parens_100_at_eof 1 E0101 unclosed_100.loam

{ printf 'fn main() { let x = '; repeat 100000 '-'; printf '1; }\n'; } > unary_minus.loam
expect unary_minus_100000 1 E0006 unary_minus.loam

{ printf 'fn main() { let x = '; repeat 100000 '!'; printf 'true; }\n'; } > unary_not.loam
expect unary_not_100000 1 E0006 unary_not.loam

{ printf 'fn main() { let x = 1'; repeat 500 '+1'; printf '; }\n'; } > sum_500.loam
expect sum_500_terms_ok 0 "" sum_500.loam

{ printf 'fn main() { let x = 1'; repeat 999999 '+1'; printf '; }\n'; } > sum.loam
expect sum_1000000_terms 1 E0006 sum.loam

{ printf 'struct P { p: Int }\nfn main() { let x = P(1)'; repeat 100000 '.p'; printf '; }\n'; } > field_chain.loam
expect field_chain_100000 1 E0006 field_chain.loam

{ printf 'fn main() { let xs = [1]; let x = xs'; repeat 100000 '[0]'; printf '; }\n'; } > index_chain.loam
expect index_chain_100000 1 E0006 index_chain.loam

# Nesting that brackets do not bound: an else-if chain and nested Map types.
# Valid programs; any outcome but a crash or a hang is fine.
{ printf 'fn f(n: Int) -> Int {\n    if n == 0 { return 0; }'
  awk 'BEGIN { for (i = 1; i < 100000; i++) printf " else if n == %d { return %d; }", i, i }'
  printf ' else { return -1; }\n}\n'; } > else_if.loam
expect else_if_chain_100000 '0|1' "" else_if.loam

{ printf 'fn main() { let m = '; repeat 100000 'Map<Int, '; printf 'Int'; repeat 100000 '>'; printf '(); }\n'; } > map_types.loam
expect nested_map_type_100000 '0|1' "" map_types.loam

# --- breadth: quadratic algorithms would show here ----------------------------

{ printf 'fn f(n: Int) -> Int {\n    match n {\n'
  awk 'BEGIN { for (i = 0; i < 100000; i++) printf "        %d => { return %d; }\n", i, i }'
  printf '        _ => { return -1; }\n    }\n    return 0;\n}\n'; } > many_arms.loam
expect match_100000_arms 0 "" many_arms.loam

{ printf 'enum E {'; awk 'BEGIN { for (i = 0; i < 50000; i++) printf " V%d,", i }'; printf ' }\n'
  printf 'fn f(e: E) -> Int {\n    match e {\n'
  awk 'BEGIN { for (i = 0; i < 50000; i++) printf "        V%d => { return %d; }\n", i, i }'
  printf '    }\n    return 0;\n}\n'; } > many_variants.loam
expect enum_50000_variants_exhaustive_match 0 "" many_variants.loam

{ printf 'struct S {'; awk 'BEGIN { for (i = 0; i < 50000; i++) printf " f%d: Int,", i }'; printf ' }\n'
  printf 'fn main() {\n    let s = S('; awk 'BEGIN { for (i = 49999; i >= 0; i--) printf "f%d: %d, ", i, i }'; printf ');\n'
  printf '    let t = s.f49999 + s.f0;\n}\n'; } > many_fields.loam
expect struct_50000_fields_by_name 0 "" many_fields.loam

{ printf 'fn main() {\n'; awk 'BEGIN { for (i = 0; i < 100000; i++) printf "    let v%d = %d;\n", i, i }'; printf '}\n'; } > many_lets.loam
expect block_100000_lets 0 "" many_lets.loam

{ printf 'fn main() { print("'; repeat 100000 '{1}'; printf '"); }\n'; } > many_interp.loam
expect string_100000_interpolations 0 "" many_interp.loam

# --- unterminated constructs at end of file ---------------------------------

printf 'fn main() {\n    print("abc' > unterminated_string.loam
expect unterminated_string_at_eof 1 E0021 unterminated_string.loam

printf 'fn main() {\n    print("a{1}b' > unterminated_interp_string.loam
expect unterminated_string_after_interpolation_at_eof 1 E0021 unterminated_interp_string.loam

printf 'fn main() {\n    print("a{' > unterminated_interp.loam
expect unterminated_interpolation_at_eof 1 'E0021|E0101|E0100' unterminated_interp.loam

printf 'fn main() {\n    print("a\\' > string_backslash_eof.loam
expect string_ending_in_backslash_at_eof 1 'E0021|E0020' string_backslash_eof.loam

printf 'fn main() {}\n/* abc' > unterminated_comment.loam
expect unterminated_comment_at_eof 1 E0003 unterminated_comment.loam

printf 'fn main() {}\n/* outer /* inner */ still open' > unterminated_nested_comment.loam
expect unterminated_nested_comment_at_eof 1 E0003 unterminated_nested_comment.loam

printf 'fn main() {}\n/*' > comment_opener_at_eof.loam
expect comment_opener_at_eof 1 E0003 comment_opener_at_eof.loam

printf 'fn main() { let b = b'"'" > byte_at_eof.loam
expect byte_literal_at_eof 1 'E0022|E0021' byte_at_eof.loam

printf 'fn main() {}\n/' > slash_at_eof.loam
expect lone_slash_at_eof 1 'E0[0-9]+' slash_at_eof.loam

# --- files that cannot be read ----------------------------------------------

expect missing_file 1 E0007 does-not-exist.loam

mkdir a_directory.loam
expect directory_as_file 1 E0007 a_directory.loam

printf 'fn main() {}\n' > unreadable.loam
chmod 000 unreadable.loam
if [ "$(id -u)" -eq 0 ]; then
    skip unreadable_file "running as root, which reads any file"
else
    expect unreadable_file 1 E0007 unreadable.loam
fi

printf 'fn main() {}\n' > good.loam
expect good_file_twice 0 "" good.loam good.loam
expect good_then_missing 1 E0007 good.loam does-not-exist.loam
expect bad_then_good 1 E0002 nul.loam good.loam

[ "$skipped" -gt 0 ] && echo "($skipped skipped)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

/* gen.c — writes a large, valid, varied Loam program for the check-speed
 * benchmark.
 *
 *     gen LINES [SEED] > big.loam
 *
 * Produces at least LINES lines (it finishes the unit it is in), always the
 * same bytes for the same LINES and SEED. The program is a sequence of
 * units; unit k declares items whose names end in k (so every name is
 * unique) and uses every part of the front end: structs and enums, functions
 * with while/for loops, if/else chains and matches (on enums, Int, Str),
 * string interpolation, arrays, maps, slices, built-in methods, and tasks
 * with in/out Blobs, in [Blob], spawn, Ref and tail delegation (spec §1–§7).
 * Constants, operators and which optional parts a unit has come from a small
 * xorshift generator, so that units differ and no branch predictor or cache
 * gets an easy ride. Every unit must pass `loam check`: run.sh verifies that
 * the whole output does.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state;
static long lines_written;

/* xorshift64*: deterministic across platforms (no rand()). */
static uint64_t next_random(void) {
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1DULL;
}

/* A number in [0, n). */
static unsigned pick(unsigned n) { return (unsigned)(next_random() % n); }

/* printf to stdout, counting the lines written. */
static void emit(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void emit(const char *fmt, ...) {
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof buf) {
        fprintf(stderr, "gen: internal error: template too long\n");
        exit(2);
    }
    for (const char *p = buf; *p; p++) lines_written += *p == '\n';
    fputs(buf, stdout);
}

static const char *const words[] = {"alpha", "bravo", "delta", "echo", "golf", "kilo", "lima", "oscar", "tango", "zulu"};
static const char *word(void) { return words[pick(sizeof words / sizeof words[0])]; }

static const char *const int_ops[] = {"+", "-", "*", "%", "&", "|", "^"};
static const char *int_op(void) { return int_ops[pick(sizeof int_ops / sizeof int_ops[0])]; }

static const char *const comparisons[] = {"<", "<=", ">", ">=", "==", "!="};
static const char *comparison(void) { return comparisons[pick(sizeof comparisons / sizeof comparisons[0])]; }

/* struct_decl, enum_decl and the functions over them. */
static void emit_types(long k) {
    emit("// unit %ld: shapes and points\n", k);
    emit("struct Point%ld { x: Int, y: Int, label: Str }\n\n", k);
    emit("struct Box%ld {\n    corner: Point%ld,\n    size: Float,\n    tags: [Str],\n}\n\n", k, k);
    emit("enum Shape%ld { Circle(Float), Rect(Float, Float), Tri(Float, Float, Float), Empty }\n\n", k);

    emit("fn area%ld(s: Shape%ld) -> Float {\n", k, k);
    emit("    match s {\n");
    emit("        Circle(r) => { return 3.14159 * r * r; }\n");
    emit("        Rect(w, h) => { return w * h; }\n");
    emit("        Tri(a, b, c) => {\n");
    emit("            let p = (a + b + c) / 2.0;\n");
    emit("            return (p * (p - a) * (p - b) * (p - c)).sqrt();\n");
    emit("        }\n");
    emit("        Empty => { return 0.0; }\n");
    emit("    }\n}\n\n");

    emit("fn scale%ld(p: Point%ld, f: Int) -> Point%ld {\n", k, k, k);
    emit("    return Point%ld(x: p.x * f, y: p.y %s %d, label: \"{p.label}*{f}\");\n}\n\n", k, int_op(),
         (int)pick(1000) + 1);

    emit("fn describe%ld(b: Box%ld) -> Str {\n", k, k);
    emit("    let s = Shape%ld.Rect(b.size, b.size * %d.5);\n", k, (int)pick(9));
    emit("    let tags = b.tags.join(\", \");\n");
    emit("    return \"box at ({b.corner.x}, {b.corner.y}) area {area%ld(s)} tags [{tags}]\";\n}\n\n", k);
}

/* Functions over arrays, maps and strings. */
static void emit_functions(long k) {
    emit("fn sum%ld(xs: [Int], limit: Int) -> Int {\n", k);
    emit("    let total = 0;\n");
    emit("    for i, x in xs {\n");
    emit("        if x %% %d == 0 && i > 0 {\n", (int)pick(5) + 2);
    emit("            total += x;\n");
    emit("        } else if x %s limit || total > %d {\n", comparison(), (int)pick(100000));
    emit("            total -= x %s %d;\n", int_op(), (int)pick(50) + 1);
    emit("        } else {\n");
    emit("            continue;\n");
    emit("        }\n");
    emit("        if total > 1_000_000 {\n            break;\n        }\n");
    emit("    }\n");
    emit("    return total;\n}\n\n");

    emit("fn count%ld(text: Str) -> Map<Str, Int> {\n", k);
    emit("    let freq = Map<Str, Int>();\n");
    emit("    for line in text.lines() {\n");
    emit("        for w in line.words() {\n");
    emit("            freq[w.lower()] += 1;\n");
    emit("        }\n");
    emit("    }\n");
    emit("    if !freq.has(\"%s\") {\n        freq[\"%s\"] = %d;\n    }\n", word(), word(), (int)pick(10));
    emit("    return freq;\n}\n\n");

    emit("fn classify%ld(n: Int) -> Str {\n", k);
    emit("    match n %% %d {\n", (int)pick(6) + 3);
    emit("        0 => { return \"none\"; }\n");
    emit("        1 => { return \"one\"; }\n");
    emit("        -1 => { return \"minus one\"; }\n");
    emit("        _ => { return \"many: {n}\"; }\n");
    emit("    }\n}\n\n");

    emit("fn keyword%ld(s: Str) -> Int {\n", k);
    emit("    match s.trim() {\n");
    emit("        \"%s\" => { return %d; }\n", words[k % 10], (int)pick(100));
    emit("        \"%s\" => { return %d; }\n", words[(k + 1) % 10], (int)pick(100));
    emit("        _ => { return s.len(); }\n");
    emit("    }\n}\n\n");

    emit("fn digits%ld(s: Str) -> [Int] {\n", k);
    emit("    let out_: [Int] = [];\n");
    emit("    let i = 0;\n");
    emit("    while i < s.len() {\n");
    emit("        let b = s[i];\n");
    emit("        if b.is_digit() {\n");
    emit("            out_.push(b.int() - b'0'.int());\n");
    emit("        } else if b == b' ' || b == b'\\t' {\n");
    emit("            i += 1;\n            continue;\n");
    emit("        }\n");
    emit("        i += 1;\n");
    emit("    }\n");
    emit("    return out_;\n}\n\n");

    if (pick(2)) {
        emit("fn bits%ld(n: Int) -> Int {\n", k);
        emit("    let x = n << %d;\n", (int)pick(8));
        emit("    x = x >> %d;\n", (int)pick(4));
        emit("    let m = 0x%x | 0b1010 ^ 0o17;\n", (unsigned)pick(0xffff));
        emit("    return (x & m) + [1, 2, 3].len() * %d;\n}\n\n", (int)pick(9) + 1);
    } else {
        emit("fn mean%ld(xs: [Float]) -> Float {\n", k);
        emit("    if xs.len() == 0 {\n        return 0.0;\n    }\n");
        emit("    let total = 0.0;\n");
        emit("    for x in xs {\n        total += x.abs().max(%d.25e-1);\n    }\n", (int)pick(9));
        emit("    return total / xs.len().float();\n}\n\n");
    }
}

/* Tasks: a worker reading an in Blob, a fan-out over in [Blob] with spawn
 * and Ref, and a merge that the fan-out delegates its output to. */
static void emit_tasks(long k) {
    emit("task worker%ld(src: in Blob, factor: Int, result: out Blob) {\n", k);
    emit("    let freq = count%ld(src.text());\n", k);
    emit("    let keys = freq.keys();\n");
    emit("    keys.sort();\n");
    emit("    let n = 0;\n");
    emit("    while n < keys.len() && n < %d {\n", (int)pick(50) + 5);
    emit("        let key = keys[n];\n");
    emit("        result.print(\"{key}\\t{freq[key] * factor} {classify%ld(freq.get(key, 0))}\");\n", k);
    emit("        n += 1;\n");
    emit("    }\n");
    emit("    let p = scale%ld(Point%ld(%d, %d, \"p%ld\"), factor);\n", k, k, (int)pick(100), (int)pick(100), k);
    emit("    let b = Box%ld(corner: p, size: %d.5, tags: [\"%s\", \"%s\"]);\n", k, (int)pick(20), word(), word());
    emit("    result.print(describe%ld(b));\n", k);
    emit("    let head = src.text();\n");
    emit("    if head.len() > 4 {\n");
    emit("        result.write(head[0..4]);\n");
    emit("        result.write_byte(b'\\n');\n");
    emit("    }\n");
    emit("    let ds = digits%ld(head);\n", k);
    emit("    result.print(\"sum {sum%ld(ds, %d)} keyword {keyword%ld(head)}\");\n}\n\n", k, (int)pick(1000), k);

    emit("task merge%ld(parts: in [Blob], result: out Blob) {\n", k);
    emit("    for i in 0..parts.len() {\n");
    emit("        result.print(\"part {i}: {parts[i].len()} bytes\");\n");
    emit("    }\n");
    emit("    for part in parts {\n");
    emit("        for line in part.lines() {\n");
    emit("            if line.starts_with(\"%s\") {\n", word());
    emit("                result.print(line.upper());\n");
    emit("            }\n");
    emit("        }\n");
    emit("    }\n}\n\n");

    emit("task nothing%ld(result: out Blob) {\n", k);
    emit("    result.print(\"no input\");\n}\n\n");

    emit("task fan%ld(inputs: in [Blob], result: out Blob) {\n", k);
    emit("    let refs: [Ref] = [];\n");
    emit("    for src in inputs {\n");
    emit("        refs.push(spawn worker%ld(src, %d));\n", k, (int)pick(9) + 1);
    emit("    }\n");
    emit("    if refs.len() == 0 {\n");
    emit("        spawn nothing%ld() -> result;\n", k);
    emit("    } else {\n");
    emit("        spawn merge%ld(refs) -> result;\n", k);
    emit("    }\n}\n\n");
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: gen LINES [SEED] > program.loam\n");
        return 2;
    }
    long want = strtol(argv[1], NULL, 10);
    rng_state = argc == 3 ? strtoull(argv[2], NULL, 10) : 42;
    if (rng_state == 0) rng_state = 42; /* xorshift is stuck at zero */
    static char buf[1 << 16];
    setvbuf(stdout, buf, _IOFBF, sizeof buf);

    emit("// Generated by bench/check-speed/gen.c: %ld lines, seed %llu. Do not edit.\n\n", want,
         (unsigned long long)rng_state);
    for (long k = 0; lines_written < want; k++) {
        emit_types(k);
        emit_functions(k);
        emit_tasks(k);
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        perror("gen: stdout");
        return 1;
    }
    return 0;
}

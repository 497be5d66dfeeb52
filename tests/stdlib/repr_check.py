#!/usr/bin/env python3
"""repr_check.py DRIVER — __loam_fmt_float must print exactly what CPython's
repr(float) prints (spec/stdlib.md §3): every power of two, random bit
patterns, short decimals and moderate magnitudes. Prints PASS/FAIL lines and
"N passed, M failed"; exits 1 on any failure."""
import random
import struct
import subprocess
import sys


def bits(v):
    return struct.unpack("<Q", struct.pack("<d", v))[0]


def check(name, values):
    text = "".join("%016x\n" % bits(v) for v in values)
    out = subprocess.run([sys.argv[1]], input=text.encode(), capture_output=True, check=True)
    got = out.stdout.decode().split("\n")
    bad = [(repr(v), g) for v, g in zip(values, got) if repr(v) != g]
    if len(got) < len(values) or bad:
        print("FAIL " + name)
        for want, g in bad[:8]:
            print("    want %s, got %s" % (want, g))
        return False
    print("PASS " + name)
    return True


def main():
    r = random.Random(2026)
    special = [0.0, -0.0, float("inf"), -float("inf"), 5e-324, 1.7976931348623157e308,
               0.1, 1e23, 1e16, 1e15, 1e-5, 1e-4]
    suites = [
        ("repr_special", special),
        ("repr_powers_of_two", [2.0 ** e for e in range(-1074, 1024)]),
        ("repr_random_bits", [v for v in (struct.unpack("<d", struct.pack("<Q", r.getrandbits(64)))[0]
                                          for _ in range(100000)) if v == v]),
        ("repr_short_decimals", [float("%de%d" % (r.randint(1, 10 ** r.randint(1, 17)), r.randint(-330, 310)))
                                 for _ in range(100000)]),
        ("repr_moderate", [r.uniform(-1e6, 1e6) * 10.0 ** r.randint(-20, 30) for _ in range(100000)]),
    ]
    passed = sum(check(name, values) for name, values in suites)
    print("%d passed, %d failed" % (passed, len(suites) - passed))
    return 0 if passed == len(suites) else 1


if __name__ == "__main__":
    sys.exit(main())

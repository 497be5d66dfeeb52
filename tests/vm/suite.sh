#!/bin/sh
# suite.sh LOAM RUNDIR [PROGRAM...] — tests/run in μVM mode: the same
# programs, the same expectations, the same runner (tests/run/runner.sh),
# but every image is built with `--target muvm` and booted under QEMU's
# microvm (TCG) by `loam run --vm`. With PROGRAM names (without .loam),
# only those run: `make test` runs a sample, `make test-vm` all of them.
#
# How: the runner builds with `LOAM build FLAGS -o DIR/image SRC` and then
# runs `./image ARGS` in DIR. We hand it a stand-in for LOAM that builds
# DIR/image.muvm and writes DIR/image as a two-line script booting it, so
# that messages name the program `./image` exactly as a hosted run does.
set -u
loam=$1
rundir=$2
shift 2
case $loam in /*) ;; *) loam=$(pwd)/$loam ;; esac
case $rundir in /*) ;; *) rundir=$(pwd)/$rundir ;; esac
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

cat > "$tmp/loam-muvm" <<WRAPPER
#!/bin/sh
# build FLAGS -o IMAGE SOURCE, as the runner calls it
out=
prev=
for a in "\$@"; do [ "\$prev" = -o ] && out=\$a; prev=\$a; done
"$loam" "\$@" --target muvm -o "\$out.muvm" || exit \$?
printf '#!/bin/sh\nexec "%s" run --vm --argv0=./image --timeout 20 "%s" "\$@"\n' "$loam" "\$out.muvm" > "\$out"
chmod +x "\$out"
WRAPPER
chmod +x "$tmp/loam-muvm"

# Which programs: all of RUNDIR but the exceptions, or the ones named.
# Exceptions (each needs something a μVM run does not have):
#   blob_in_binary_file  binds the test's own `image` as an input and
#                        expects an ELF file; in μVM mode `image` is the
#                        launcher script above (the guest reads it fine,
#                        but its bytes are not the ELF image's)
exceptions="blob_in_binary_file"
if [ $# -eq 0 ]; then
    set -- $(cd "$rundir" && ls *.loam | sed 's/\.loam$//')
    for skip in $exceptions; do
        echo "SKIP $skip (see suite.sh)"
    done
fi
suite=$tmp/sample
mkdir -p "$suite"
for name in "$@"; do
    case " $exceptions " in *" $name "*) continue ;; esac
    [ -f "$rundir/$name.loam" ] || { echo "suite.sh: no program '$name' in $rundir"; exit 2; }
    ln -s "$rundir/$name.loam" "$suite/$name.loam"
done
LOAM_QEMU_ACCEL=tcg sh "$rundir/runner.sh" "$tmp/loam-muvm" "$suite" -O2

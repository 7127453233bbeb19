#!/bin/sh
# Builds libmbllm_kernels.so from the C sources next to this script into the directory given as $1
# (the Maven build passes target/classes/native/linux-x86_64, so the library ends up in the jar).
# One translation unit per instruction set; the library picks one at run time by CPU features.
# This step never fails the build: without a C compiler, on another platform, or when compiling
# fails, it prints why and exits 0, and mbllm uses its Java kernels.
set -u
SRC=$(cd "$(dirname "$0")" && pwd)
OUT=${1:?usage: build.sh OUTPUT_DIR}
CC=${CC:-cc}
LIB="$OUT/libmbllm_kernels.so"
say() { echo "[mbllm native] $*"; }

if [ "${MBLLM_NATIVE_SKIP:-false}" = true ]; then say "skipped (MBLLM_NATIVE_SKIP=true)"; exit 0; fi
case "$(uname -s)-$(uname -m)" in
Linux-x86_64) ;;
*) say "no native kernels for $(uname -s)-$(uname -m); the Java kernels will be used"; exit 0 ;;
esac
if ! command -v "$CC" >/dev/null 2>&1; then
    say "no C compiler ('$CC' not found); the Java kernels will be used"
    rm -f "$LIB"
    exit 0
fi
if [ -f "$LIB" ] && [ -z "$(find "$SRC" -newer "$LIB" -type f)" ]; then
    say "up to date: $LIB"
    exit 0
fi

TMP=$(mktemp -d) || exit 0
trap 'rm -rf "$TMP"' EXIT
BASE="-std=gnu11 -O3 -fPIC -Wall -Wextra -Wno-unused-function -fno-strict-aliasing"
X86="-mavx2 -mfma -mf16c"
fail() { say "compiling failed ($1); the Java kernels will be used"; rm -f "$LIB"; exit 0; }

$CC $BASE -ffp-contract=off -c "$SRC/mk_dispatch.c" -o "$TMP/mk_dispatch.o" || fail mk_dispatch.c
$CC $BASE -ffp-contract=off -c "$SRC/mk_scalar.c" -o "$TMP/mk_scalar.o" || fail mk_scalar.c
$CC $BASE $X86 -c "$SRC/mk_avx2.c" -o "$TMP/mk_avx2.o" || fail mk_avx2.c
$CC $BASE $X86 -mavx512f -mavx512bw -mavx512vl -mavx512vnni -c "$SRC/mk_avx512.c" -o "$TMP/mk_avx512.o" || fail mk_avx512.c
$CC $BASE $X86 -ffp-contract=off -c "$SRC/mk_attn_avx2.c" -o "$TMP/mk_attn_avx2.o" || fail mk_attn_avx2.c
$CC $BASE $X86 -mavx512f -ffp-contract=off -c "$SRC/mk_attn_avx512.c" -o "$TMP/mk_attn_avx512.o" || fail mk_attn_avx512.c
$CC -shared -Wl,-z,noexecstack -o "$TMP/libmbllm_kernels.so" "$TMP"/*.o -lm || fail link
mkdir -p "$OUT" && mv -f "$TMP/libmbllm_kernels.so" "$LIB" || fail install
say "built $LIB"

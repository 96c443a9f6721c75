#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the benchmarks and keep their tables (`make bench` calls this).
#
#   SHAPEVM=/abs/shapevm [SHAPEVM_STATIC=/abs/shapevm-static] GUESTS=/abs/dir \
#   [RUNS=N] bash bench/run.sh [BENCHMARK...]
#
# BENCHMARK is one of those listed in BENCHMARKS below (default: all).  The
# tables go to stdout and to build/bench/results-<date>.txt, with
# build/bench/results.txt a copy of the latest.  Exits non-zero if a
# benchmark failed (a guest that printed the wrong thing counts).
set -u

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
export BENCH_OUT=${BENCH_OUT:-$ROOT/build/bench}

# Each benchmark is a script, bench/NAME or bench/NAME/run.sh, run with bash
# and the environment above; it prints its tables and exits non-zero if
# it failed.
#   boot-micro   the hello guest: shapevm, QEMU microvm and the floor VMM
#   boot-costs   where shapevm's time goes in that boot
#   plan         the planner as host facts grow from 10 to 100,000 regions
#   boot-linux   (to come) a Linux bzImage + initramfs to the first line and
#                to power-off: add its name here once it has a script.
#   boot-arm64   an arm64 Linux Image + initramfs under shapevm and QEMU
#                virt, to /init's first line and to exit, inside the
#                emulated arm64 host (about 5 minutes). It needs the static
#                arm64 shapevm, SHAPEVM_STATIC_ARM64 (default
#                build/arm64/shapevm, from make ARCH=arm64), and says
#                "skipped" without it; it needs neither SHAPEVM nor GUESTS.
#                RUNS applies to it too (default 5; a round of 3 boots ~45 s).
#   vfio         VFIO assignment against QEMU's vfio-pci in the emulated x86
#                host: DMA mapping of guest RAM per GiB and MSI latency
#                (10-15 minutes; it needs SHAPEVM_STATIC; bench/vfio/README.md).
#   virtio       (not listed: about 45 minutes in the emulated x86 host)
#                virtio-blk and virtio-net against QEMU's; run it alone:
#                SHAPEVM_STATIC=... bash bench/virtio/run.sh
BENCHMARKS=(boot-micro boot-costs plan boot-arm64 vfio)
# The benchmarks that run without SHAPEVM and GUESTS.
STANDALONE=(boot-arm64)

usage() {
	echo "usage: SHAPEVM=... [SHAPEVM_STATIC=...] GUESTS=... bash $0 [${BENCHMARKS[*]}]" >&2
	echo "       (${STANDALONE[*]}: no SHAPEVM or GUESTS needed)" >&2
	exit 2
}

selected=("$@")
[ ${#selected[@]} -gt 0 ] || selected=("${BENCHMARKS[@]}")
for name in "${selected[@]}"; do
	[[ " ${BENCHMARKS[*]} " == *" $name "* ]] || {
		echo "run.sh: no benchmark named $name" >&2
		usage
	}
	if [[ " ${STANDALONE[*]} " != *" $name "* ]] &&
		{ [ -z "${SHAPEVM:-}" ] || [ -z "${GUESTS:-}" ]; }; then
		usage
	fi
done

mkdir -p "$BENCH_OUT" || exit 1
results=$BENCH_OUT/results-$(date +%Y%m%d-%H%M%S).txt
status=0
{
	echo "shapevm $(cat "$ROOT/VERSION" 2>/dev/null), $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo 'no git')"
	echo "SHAPEVM=${SHAPEVM:-}"
	echo "SHAPEVM_STATIC=${SHAPEVM_STATIC:-}"
	for name in "${selected[@]}"; do
		echo
		echo "=== $name"
		script=$BENCH_DIR/$name
		[ -d "$script" ] && script=$script/run.sh
		bash "$script" 2>&1 || {
			echo "=== $name FAILED"
			status=1
		}
	done
	exit $status
} | tee "$results"
status=${PIPESTATUS[0]}
cp "$results" "$BENCH_OUT/results.txt"
echo "results: $results"
exit "$status"

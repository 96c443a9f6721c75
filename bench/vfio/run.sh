#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/vfio: the speed of VFIO assignment, shapevm `run --vfio` against
# QEMU's `-device vfio-pci`, inside the emulated x86 host (README.md here).
#
#   SHAPEVM_STATIC=/abs/build/x86_64-static/shapevm bash bench/vfio/run.sh
#   bash bench/vfio/run.sh --summary [CONSOLE_LOG...]   # the tables again,
#                                          # pooling the runs of several L1 boots
#
# Settings (environment): SIZES (guest RAM in MiB for the DMA mapping, default
# "256 512 1024"), DMA_RUNS (rounds, default 3), MSI_RUNS (default 2),
# MSI_COUNT (interrupts per run, default 2000), MSI_GAP_US (between them,
# default 2000), SHAPEVM_L1_MEM (L1's RAM, MiB, default 2048).
# Output in build/bench-vfio/: results.txt, console.log (L1's console).
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
images=$root/guest-images
out=$root/build/bench-vfio
sizes=${SIZES:-256 512 1024}
dma_runs=${DMA_RUNS:-3}
msi_runs=${MSI_RUNS:-2}
msi_count=${MSI_COUNT:-2000}
msi_gap_us=${MSI_GAP_US:-2000}
export SHAPEVM_L1_MEM=${SHAPEVM_L1_MEM:-2048}
machine=microvm,pcie=on,rtc=on

die() { echo "bench-vfio: $*" >&2; exit 2; }
skip() { echo "bench-vfio: skipped: $*"; exit 0; }

# summary LOG...: the tables, from the SHAPEVM_BENCH lines of L1's consoles
# (several L1 boots pool their runs).
summary() {
	local log
	for log in "$@"; do
		[ -f "$log" ] || die "$log: no such file"
	done
	grep -h 'SHAPEVM_HOST:' "$@"
	grep -h -o 'SHAPEVM_BENCH: info L1:.*' "$@" | sed 's/^SHAPEVM_BENCH: info //' | sort -u
	# Each line keeps its file's name ($1), so pairs stay within one L1 boot.
	grep -H -o 'SHAPEVM_BENCH: \(dma\|msi\) .*' "$@" | awk '
	function field(name,   i) { for (i = 3; i <= NF; i++) if (index($i, name "=") == 1) return substr($i, length(name) + 2); return "" }
	function median(list,   n, v, i, j, x) {
		n = split(list, v, " ")
		for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) { x = v[j]; v[j] = v[j - 1]; v[j - 1] = x }
		lo = v[1]; hi = v[n]; cnt = n
		return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
	}
	function cell(list, fmt,   md) {
		if (list == "") return "-"
		md = median(list)
		return sprintf(fmt " [" fmt "-" fmt "] (%d)", md, lo, hi, cnt)
	}
	function ratio(q, s) { return (q != "" && s != "" && median(s) > 0) ? sprintf("x%.2f", median(q) / median(s)) : "-" }
	$2 == "dma" && field("ok") == 1 {
		c = field("cfg"); m = field("mem")
		if (c == "shapevm" || c == "qemu") pair[$1, field("n"), m, c] = field("map_s")
		if (!(m in mseen)) { mseen[m] = 1; mems[++nm] = m }
		if (c !~ /novfio/) { map[c, m] = map[c, m] " " field("map_s"); per[c, m] = per[c, m] " " field("map_s") * 1024 / m
			other[c, m] = other[c, m] " " field("other_vfio_s"); maps[c, m] = field("maps") }
		setup[c, m] = setup[c, m] " " field("setup_s")
	}
	$2 == "msi" && field("ok") == 1 {
		c = field("cfg")
		split("median_us p90_us p99_us min_us max_us store_us wall_s missed extra", k, " ")
		for (i = 1; i <= 9; i++) msi[c, k[i]] = msi[c, k[i]] " " field(k[i])
		nmsi[c]++
	}
	END {
		# paired[m]: QEMU/shapevm of the two runs of one round of one boot.
		for (key in pair) {
			split(key, kk, SUBSEP)
			if (kk[4] != "shapevm" || !((kk[1], kk[2], kk[3], "qemu") in pair) || pair[key] <= 0) continue
			paired[kk[3]] = paired[kk[3]] " " pair[kk[1], kk[2], kk[3], "qemu"] / pair[key]
		}
		if (nm) {
			print ""
			print "DMA mapping of guest RAM: time in VFIO_IOMMU_MAP_DMA (pinning and IOMMU mapping), strace -T, before the first KVM_RUN;"
			print "median [min-max] (runs). ratio: QEMU/shapevm (above 1: shapevm is faster)"
			print "paired: the median over rounds of QEMU/shapevm within one round (the two runs next to each other)"
			printf "%-6s %-26s %-26s %-14s %-14s %-8s %-26s %s\n", "MiB", "shapevm s", "QEMU s", "shapevm s/GiB", "QEMU s/GiB", "ratio", "paired [min-max] (pairs)", "MAP_DMA calls shapevm/QEMU"
			for (i = 1; i <= nm; i++) {
				m = mems[i]
				printf "%-6s %-26s %-26s %-14s %-14s %-8s %-26s %s/%s\n", m, cell(map["shapevm", m], "%.2f"), cell(map["qemu", m], "%.2f"),
					map["shapevm", m] == "" ? "-" : sprintf("%.2f", median(per["shapevm", m])),
					map["qemu", m] == "" ? "-" : sprintf("%.2f", median(per["qemu", m])),
					ratio(map["qemu", m], map["shapevm", m]), paired[m] == "" ? "-" : "x" cell(paired[m], "%.2f"),
					maps["shapevm", m], maps["qemu", m]
			}
			print ""
			print "Whole setup: execve to the first KVM_RUN under strace, s, with and without the device; other VFIO ioctls, s"
			printf "%-6s %-22s %-22s %-22s %-22s %-10s %-10s\n", "MiB", "shapevm --vfio", "shapevm", "QEMU vfio-pci", "QEMU", "VFIO other shapevm", "QEMU"
			for (i = 1; i <= nm; i++) {
				m = mems[i]
				printf "%-6s %-22s %-22s %-22s %-22s %-10s %-10s\n", m, cell(setup["shapevm", m], "%.2f"), cell(setup["shapevm-novfio", m], "%.2f"),
					cell(setup["qemu", m], "%.2f"), cell(setup["qemu-novfio", m], "%.2f"),
					other["shapevm", m] == "" ? "-" : sprintf("%.2f", median(other["shapevm", m])),
					other["qemu", m] == "" ? "-" : sprintf("%.2f", median(other["qemu", m]))
			}
		}
		if (nmsi["shapevm"] || nmsi["qemu"]) {
			print ""
			print "MSI latency: edu raise (BAR0+0x60) to the L2 guest'"'"'s interrupt entry (x86_platform_ipi_entry), us;"
			print "medians over runs of each run'"'"'s statistic [min-max of it] (runs). ratio: QEMU/shapevm (above 1: shapevm is faster)"
			split("median_us p90_us p99_us min_us store_us wall_s", k, " ")
			split("median p90 p99 min raise-store guest-run-s", h, " ")
			printf "%-10s", ""
			for (i = 1; i <= 6; i++) printf " %-22s", h[i]
			printf "\n"
			split("shapevm qemu", vm, " ")
			for (j = 1; j <= 2; j++) {
				printf "%-10s", vm[j]
				for (i = 1; i <= 6; i++) printf " %-22s", cell(msi[vm[j], k[i]], "%.1f")
				printf "\n"
			}
			printf "%-10s", "ratio"
			for (i = 1; i <= 6; i++) printf " %-22s", ratio(msi["qemu", k[i]], msi["shapevm", k[i]])
			printf "\n"
			printf "missed interrupts per run: shapevm%s, QEMU%s; unpaired trace entries: shapevm%s, QEMU%s\n",
				msi["shapevm", "missed"], msi["qemu", "missed"], msi["shapevm", "extra"], msi["qemu", "extra"]
		}
	}'
	echo
	grep -h -o 'SHAPEVM_BENCH: fail.*' "$@"
	grep -q 'SHAPEVM_BENCH: dma .*ok=1' "$@" && grep -q 'SHAPEVM_BENCH: msi .*ok=1' "$@"
}

if [ "${1:-}" = --summary ]; then
	shift
	[ $# -gt 0 ] || set -- "$out/console.log"
	summary "$@"
	exit
fi
[ $# -eq 0 ] || die "usage: SHAPEVM_STATIC=... bash $0, or bash $0 --summary [CONSOLE_LOG...]"
[ -n "${SHAPEVM_STATIC:-}" ] || die "set SHAPEVM_STATIC to a statically linked shapevm (make STATIC=1)"
[ -f "$SHAPEVM_STATIC" ] || die "SHAPEVM_STATIC=$SHAPEVM_STATIC: no such file (make STATIC=1 builds it)"
for value in $sizes "$dma_runs" "$msi_runs" "$msi_count" "$msi_gap_us" "$SHAPEVM_L1_MEM"; do
	case $value in '' | *[!0-9]*) die "SIZES, DMA_RUNS, MSI_RUNS, MSI_COUNT, MSI_GAP_US and SHAPEVM_L1_MEM are numbers ($value)" ;; esac
done
command -v qemu-system-x86_64 >/dev/null ||
	skip "qemu-system-x86_64 is not installed (package qemu-system-x86; scripts/install-deps.sh)"
command -v strace >/dev/null || skip "strace is not installed (package strace)"
command -v gcc >/dev/null || skip "gcc is not installed (it builds msi-lat)"
mkdir -p "$out" || exit 1
exec > >(tee "$out/results.txt") 2>&1
tee_pid=$!

# --- build: msi-lat into the guest, QEMU and strace for L1, the L1 image ---
vars=$("$images/build.sh" x86_64)
case $? in
0) eval "$vars" ;;
3) skip "cannot build the test guest here (guest-images/build.sh said why above)" ;;
*) echo "bench-vfio: guest-images/build.sh x86_64 failed"; exit 1 ;;
esac
make --no-print-directory -C "$root/bench" OUT="$out" "$out/msi-lat" || { echo "bench-vfio: cannot build msi-lat"; exit 1; }

# The guest's initramfs with /bench/msi-lat: a second cpio appended to
# guest-images' (Linux unpacks one after the other).
l2=$out/l2-extra
rm -rf "$l2" && mkdir -p "$l2/bench" || exit 1
install -m 0755 "$out/msi-lat" "$l2/bench/msi-lat" || exit 1
(cd "$l2" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -9) >"$out/l2-extra.cpio.gz" &&
	cat "$SHAPEVM_GUEST_INITRD" "$out/l2-extra.cpio.gz" >"$out/guest-initrd.cpio.gz" || exit 1
rm -rf "$l2"

extra=$out/l1-extra
rm -rf "$extra"
mkdir -p "$extra/bench" || exit 1
"$images/x86_64/stage-qemu.sh" "$extra"
case $? in
0) ;;
3) skip "cannot stage QEMU for L1 (stage-qemu.sh said why above)" ;;
*) echo "bench-vfio: cannot stage QEMU for L1"; exit 1 ;;
esac
# shellcheck source=../../guest-images/lib/shared-libs.sh
. "$images/lib/shared-libs.sh"
shared_libs_stage "$extra" "$(readlink -f "$(command -v strace)")" || { echo "bench-vfio: cannot stage strace"; exit 1; }
[ -e "$extra/usr/bin/strace" ] || ln -s "$(readlink -f "$(command -v strace)")" "$extra/usr/bin/strace"
cat >"$extra/bench/bench.env" <<EOF
BENCH_SIZES="$sizes"
BENCH_DMA_RUNS=$dma_runs
BENCH_DMA_CONFIGS="shapevm qemu shapevm-novfio qemu-novfio"
BENCH_DMA_TIMEOUT=180
BENCH_MSI_RUNS=$msi_runs
BENCH_MSI_CONFIGS="shapevm qemu"
BENCH_MSI_MEM=256
BENCH_MSI_COUNT=$msi_count
BENCH_MSI_GAP_US=$msi_gap_us
BENCH_MSI_TIMEOUT=300
BENCH_QEMU_MACHINE="$machine"
BENCH_QEMU_ARGS="-accel kvm -cpu host -nodefaults -no-user-config -display none -monitor none -serial stdio -no-reboot"
EOF
"$images/x86_64/build-l1-initramfs.sh" "$out/l1-initrd.cpio" "$SHAPEVM_STATIC" \
	"$SHAPEVM_GUEST_KERNEL" "$out/guest-initrd.cpio.gz" "$here/l1-bench.sh" "$extra"
case $? in
0) ;;
3) skip "cannot build the L1 initramfs here (build-l1-initramfs.sh said why above)" ;;
*) echo "bench-vfio: cannot build the L1 initramfs"; exit 1 ;;
esac
rm -rf "$extra"

# --- run: one L1 boot ---
nsizes=0
total_mib=0
for mem in $sizes; do nsizes=$((nsizes + 1)); total_mib=$((total_mib + mem)); done
l1_timeout=$((300 + dma_runs * (nsizes * 4 * 40 + total_mib * 4 * 30 / 1024) + msi_runs * 2 * 320))
log=$out/console.log
# cpu_sample: "busy total own" in clock ticks: all the host's CPUs, and this
# shell's with its reaped descendants (L1's QEMU among them).
cpu_sample() {
	awk -v own="$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$$/stat")" '$1 == "cpu" {
		total = 0
		for (i = 2; i <= 9; i++)
			total += $i
		print total - $5 - $6, total, own
		exit
	}' /proc/stat
}
before=$(cpu_sample)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "bench-vfio: $((dma_runs * nsizes * 4)) VMM starts for DMA mapping and $((msi_runs * 2)) L2 boots for MSI latency inside an emulated x86 host (L1 limit ${l1_timeout}s, ${SHAPEVM_L1_MEM} MiB); L1's console: $log"
rm -f "$out/l1-status"
(
	"$images/x86_64/run-l1.sh" --initrd "$out/l1-initrd.cpio" --log "$log" \
		--timeout "$l1_timeout" --stream | grep --line-buffered -E '^SHAPEVM_(BENCH: (dma|msi|fail)|L1):'
	echo "${PIPESTATUS[0]}" >"$out/l1-status"
) &
wait $!
l1_status=$(cat "$out/l1-status" 2>/dev/null || echo "?")
awk -v b="$before" -v a="$(cpu_sample)" -v cpus="$(nproc)" -v lb="$load_before" -v la="$(cut -d' ' -f1-3 /proc/loadavg)" 'BEGIN {
	split(b, x, " "); split(a, y, " ")
	if (y[2] <= x[2]) exit
	others = (y[1] - x[1] - (y[3] - x[3])) / (y[2] - x[2]) * cpus
	printf "SHAPEVM_HOST: other processes kept %.1f of the host'"'"'s %d CPUs busy during the L1 run%s; loadavg %s before, %s after\n",
		(others < 0 ? 0 : others), cpus, (others > 0.3 ? " (figures lower and noisier)" : ""), lb, la
}' >>"$log"
echo "SHAPEVM_HOST: $("$SHAPEVM_STATIC" --version 2>&1 | head -n 1), $SHAPEVM_STATIC built $(date -u -r "$SHAPEVM_STATIC" '+%F %T UTC'); the tree is at $(git -C "$root" describe --always --dirty 2>/dev/null)" >>"$log"
echo
[ "$l1_status" = 0 ] || echo "bench-vfio: L1's QEMU exited $l1_status (124: the ${l1_timeout}s limit)"
summary "$log"
status=$?
echo "results: $out/results.txt, L1 console: $log"
exec >&- 2>&-
wait "$tee_pid"
exit "$status"

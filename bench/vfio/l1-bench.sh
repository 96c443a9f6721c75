#!/bin/sh
# shellcheck shell=dash
# The L1 side of bench/vfio: runs inside the emulated x86 host as its
# /cases.sh (guest-images/x86_64/l1-init.sh starts it with SHAPEVM,
# SHAPEVM_GUEST_KERNEL, SHAPEVM_GUEST_INITRD, SHAPEVM_L1_KVM and
# SHAPEVM_EDU_BDF, edu bound to vfio-pci behind L1's AMD IOMMU, set). The
# host's run.sh put the rest into the image:
#   /bench/bench.env   the settings (BENCH_* below)
#   /usr/bin/strace, /usr/bin/qemu-system-x86_64, with their libraries
# SHAPEVM_GUEST_INITRD is the test guest's initramfs with /bench/msi-lat
# added; every VMM boots it with the same kernel.
#
# 1. DMA mapping (BENCH_DMA_RUNS rounds, each size of BENCH_SIZES, each of
#    four configurations, the order rotating every round): the VMM under
#    "strace -f -T -ttt -e trace=ioctl,execve" until its first KVM_RUN, then
#    killed: nothing after that is needed, and the guest never runs. From
#    strace's lines: the time in VFIO_IOMMU_MAP_DMA (the kernel pins and
#    maps the guest's RAM there), in the other VFIO ioctls, and from execve
#    to the first KVM_RUN; "-novfio" configurations are the same VMM without
#    the device, for that last figure. Before each run L1 drops its caches
#    and compacts its memory, so each VMM finds huge pages alike.
#      SHAPEVM_BENCH: dma cfg=C mem=MiB n=N anon_kib=K thp_kib=K minflt=N maps=K
#                         calls=S,S.. map_s=S other_vfio_s=S setup_s=S ok=0|1
#    (anon_kib, thp_kib: the VMM's anonymous memory and the part of it in
#    transparent huge pages when it was stopped; calls: each MAP_DMA's time)
# 2. MSI latency (BENCH_MSI_RUNS rounds, shapevm and QEMU alternating): the
#    guest boots with edu assigned and its /init runs "/bench/msi-lat COUNT
#    GAP_US" (msi-lat.c says what it measures).
#      SHAPEVM_BENCH: msi cfg=C n=N wall_s=S <msi-lat's fields> ok=0|1
set -u

# shellcheck source=/dev/null
. /bench/bench.env

kernel=$SHAPEVM_GUEST_KERNEL
initrd=$SHAPEVM_GUEST_INITRD
bdf=${SHAPEVM_EDU_BDF:-}
qemu=/usr/bin/qemu-system-x86_64

say() { echo "SHAPEVM_BENCH: $*"; }
uptime_cs() { awk '{ printf "%d\n", $1 * 100 }' /proc/uptime; }

# quiesce: the same memory state before every run.
quiesce() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	echo 1 >/proc/sys/vm/compact_memory 2>/dev/null
}

# vmm_args CONFIG MEM CMDLINE: the VMM's command line, one word a line.
vmm_args() {
	case $1 in
	shapevm | shapevm-novfio)
		printf '%s\n' "$SHAPEVM" run -k "$kernel" -i "$initrd" -m "$2" -c 1
		[ "$1" = shapevm-novfio ] || printf '%s\n' --vfio "$bdf"
		[ "$4" = 0 ] || echo -v
		printf '%s\n' -p "$3"
		;;
	qemu | qemu-novfio)
		printf '%s\n' "$qemu" -M "$BENCH_QEMU_MACHINE"
		# $BENCH_QEMU_ARGS holds several words on purpose.
		# shellcheck disable=SC2086
		printf '%s\n' $BENCH_QEMU_ARGS
		printf '%s\n' -m "$2" -smp 1
		[ "$1" = qemu-novfio ] || printf '%s\n' -device "vfio-pci,host=$bdf"
		printf '%s\n' -kernel "$kernel" -initrd "$initrd" -append "$3"
		;;
	*) return 1 ;;
	esac
}

# strace_summary LOG: "maps=K map_s=S other_vfio_s=S setup_s=S ok=0|1" from
# strace's -f -T -ttt lines, counting only what came before the first KVM_RUN.
# A call another thread interrupted is split into "<unfinished ...>" and
# "<... ioctl resumed>" lines; the name is kept by pid until it resumes.
strace_summary() {
	awk '
	function duration(line) { return match(line, /<[0-9.]+>$/) ? substr(line, RSTART + 1, RLENGTH - 2) + 0 : 0 }
	function account(name, line, failed) {
		failed = line ~ /\) = -1 /
		if (name ~ /VFIO_IOMMU_MAP_DMA/) {
			maps++; map_s += duration(line); calls = calls (calls == "" ? "" : ",") duration(line)
			if (failed) bad = 1
		}
		else if (name ~ /VFIO_/) other += duration(line)
	}
	$3 ~ /^execve\(/ && !t_exec { t_exec = $2 }
	!t_run && /KVM_RUN/ { t_run = $2 }
	t_run { next }
	/<unfinished \.\.\.>$/ { pending[$1] = $0; next }
	/<\.\.\. ioctl resumed>/ { if ($1 in pending) { account(pending[$1], $0); delete pending[$1] }; next }
	$3 ~ /^ioctl\(/ { account($0, $0) }
	END {
		printf "maps=%d calls=%s map_s=%.3f other_vfio_s=%.3f setup_s=%s ok=%d\n", maps, calls == "" ? "-" : calls, map_s, other,
			(t_run && t_exec) ? sprintf("%.3f", t_run - t_exec) : "-", (t_run && !bad) ? 1 : 0
	}' "$1"
}

# dma_run CONFIG MEM ROUND
dma_run() {
	cfg=$1 mem=$2 n=$3
	log=/tmp/strace.$cfg.$mem.$n
	quiesce
	vmm_args "$cfg" "$mem" "console=ttyS0 quiet" 0 >/tmp/args
	set --
	while IFS= read -r word; do set -- "$@" "$word"; done </tmp/args
	strace --seccomp-bpf -f -T -ttt -e trace=ioctl,execve -o "$log" "$@" \
		</dev/null >"/tmp/dma.$cfg.out" 2>&1 &
	tracer=$!
	waited=0
	while kill -0 "$tracer" 2>/dev/null && ! grep -q KVM_RUN "$log" 2>/dev/null &&
		[ "$waited" -lt $((BENCH_DMA_TIMEOUT * 2)) ]; do
		sleep 0.5
		waited=$((waited + 1))
	done
	vmm=$(awk 'NR == 1 { print $1 }' "$log" 2>/dev/null)
	# How the pinned RAM is backed, before the VMM goes: anonymous memory,
	# the part in transparent huge pages, and the page faults taken (the
	# pinning faults every page in; GUP's faults count as the process's).
	memory=
	[ -n "$vmm" ] && memory=$(awk '/^Anonymous:/ { a = $2 } /^AnonHugePages:/ { h = $2 }
		END { printf "anon_kib=%d thp_kib=%d", a, h }' "/proc/$vmm/smaps_rollup" 2>/dev/null) &&
		memory="$memory minflt=$(cut -d' ' -f10 "/proc/$vmm/stat" 2>/dev/null)"
	[ -n "$vmm" ] && kill -9 "$vmm" 2>/dev/null
	kill -0 "$tracer" 2>/dev/null && sleep 1 && kill "$tracer" 2>/dev/null
	wait "$tracer"
	result=$(strace_summary "$log")
	say "dma cfg=$cfg mem=$mem n=$n $memory $result"
	case $result in
	*ok=1) ;;
	*)
		say "info dma $cfg $mem round $n: no KVM_RUN or a failed map; the VMM said:"
		tail -n 5 "/tmp/dma.$cfg.out" | sed 's/^/SHAPEVM_BENCH: info   | /'
		grep -E 'MAP_DMA|KVM_RUN' "$log" | tail -n 3 | sed 's/^/SHAPEVM_BENCH: info   strace| /'
		;;
	esac
	# Show one strace of each configuration in full, for the reader.
	[ "$n" = 1 ] && [ "$mem" = "${BENCH_SIZES%% *}" ] &&
		grep -E 'VFIO|KVM_RUN|execve' "$log" | head -n 40 | sed "s/^/SHAPEVM_BENCH: trace cfg=$cfg | /"
	rm -f "$log"
}

# msi_run CONFIG ROUND
msi_run() {
	cfg=$1 n=$2
	quiesce
	vmm_args "$cfg" "$BENCH_MSI_MEM" "console=ttyS0 quiet -- /bench/msi-lat $BENCH_MSI_COUNT $BENCH_MSI_GAP_US" 1 >/tmp/args
	set --
	while IFS= read -r word; do set -- "$@" "$word"; done </tmp/args
	echo "SHAPEVM_BENCH: info msi $cfg round $n: $*"
	t0=$(uptime_cs)
	timeout -k 5 "$BENCH_MSI_TIMEOUT" "$@" </dev/null >/tmp/msi.raw 2>&1
	status=$?
	t1=$(uptime_cs)
	tr -d '\r' </tmp/msi.raw >"/tmp/msi.$cfg.$n.out"
	line=$(grep -o 'MSI_LAT: .*' "/tmp/msi.$cfg.$n.out" | tail -n 1)
	wall=$(((t1 - t0) / 100)).$(((t1 - t0) % 100 / 10))
	if [ -n "$line" ]; then
		say "msi cfg=$cfg n=$n wall_s=$wall exit=$status ${line#MSI_LAT: } ok=1"
	else
		say "msi cfg=$cfg n=$n wall_s=$wall exit=$status ok=0"
	fi
	# The first round's console in full, the others' last lines.
	if [ "$n" = 1 ] || [ -z "$line" ]; then
		sed "s/^/SHAPEVM_BENCH: console cfg=$cfg | /" "/tmp/msi.$cfg.$n.out" | tail -n 80
	fi
}

# rotate N WORDS...: WORDS rotated left by N.
rotate() {
	k=$1
	shift
	k=$((k % $#))
	while [ "$k" -gt 0 ]; do
		first=$1
		shift
		set -- "$@" "$first"
		k=$((k - 1))
	done
	echo "$@"
}

if [ -z "$bdf" ]; then
	say "fail L1 has no edu bound to vfio-pci (see the SHAPEVM_L1 lines)"
	exit 1
fi
if [ "${SHAPEVM_L1_KVM:-0}" != 1 ]; then
	say "fail L1 has no /dev/kvm"
	exit 1
fi
say "info L1: $(nproc) CPU, $(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo) MiB, THP $(cat /sys/kernel/mm/transparent_hugepage/enabled), edu $bdf, IOMMU group $(basename "$(readlink "/sys/bus/pci/devices/$bdf/iommu_group")"), vfio_iommu_type1 dma_entry_limit $(cat /sys/module/vfio_iommu_type1/parameters/dma_entry_limit 2>/dev/null)"
say "info strace: $(strace -V | head -n 1); QEMU: $($qemu --version | head -n 1)"

round=1
while [ "$round" -le "$BENCH_DMA_RUNS" ]; do
	for mem in $BENCH_SIZES; do
		# The list is split into words on purpose.
		# shellcheck disable=SC2046,SC2086
		for cfg in $(rotate $((round - 1)) $BENCH_DMA_CONFIGS); do
			dma_run "$cfg" "$mem" "$round"
		done
	done
	round=$((round + 1))
done

round=1
while [ "$round" -le "$BENCH_MSI_RUNS" ]; do
	# shellcheck disable=SC2046,SC2086
	for cfg in $(rotate $((round - 1)) $BENCH_MSI_CONFIGS); do
		msi_run "$cfg" "$round"
	done
	round=$((round + 1))
done
say "info done"

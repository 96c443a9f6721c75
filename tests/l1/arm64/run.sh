#!/usr/bin/env bash
# Real arm64 Linux guests under shapevm, inside an emulated arm64 host.
#
#   SHAPEVM_STATIC_ARM64=build/arm64/shapevm bash tests/l1/arm64/run.sh [CASE...]
#
# This x86 machine cannot run arm64 guests, so QEMU (TCG, -M virt with
# virtualization=on, a GICv3 with ITS, an SMMUv3; guest-images/arm64/run-l1.sh)
# emulates an arm64 L1 host whose KVM runs nested in VHE mode; inside it the
# static arm64 shapevm (make ARCH=arm64) boots Debian's arm64 kernel as L2
# with guest-images' arm64 initramfs. One L1 boot runs all the cases
# (tests/l1/arm64/cases.sh) one after another; the cases named *-viommu get
# a second L1 boot of their own (see vfio-assign-viommu):
#   boot            -m 512M -c 2: the guest sees 2 CPUs and 400-512 MiB, its
#                   command ends with status 7, it powers off: shapevm exits 0
#   reset           the guest reboots (PSCI SYSTEM_RESET): shapevm exits 3
#   virtio-blk-its  --irqchip gicv3-its --disk: the guest reads what L1 wrote
#                   and writes a marker L1 finds; the disk's request
#                   interrupts are ITS-MSI in /proc/interrupts and rise
#   gicv2m          the same with --irqchip gicv2m: the interrupts are "MSI"
#                   (GICv2m frame)
#   gicv3-intx      the same with --irqchip gicv3, no MSI controller: the
#                   disk interrupts on INTx, GICv3 INTID 37 (SPI 5), Level
#   its-host-window as virtio-blk-its with --host-reserved an msi window at
#                   0x8000000-0x80fffff (the SMMU's): the printed plan puts
#                   the ITS frame there (doorbell 0x8010000), RAM stays off
#                   it, and the ITS MSIs still arrive
#   virtio-rng-console  --rng --console virtio: /init's lines come through
#                   hvc0, /dev/hwrng is virtio_rng and gives 4 KiB
#   bad-image       a gzipped Image and one cut to 40 bytes: exit 1 with a
#                   line saying compressed / truncated
#   dump-dtb        run --dump-dtb FILE: a whole FDT with a memory node per
#                   RAM bank of "shapevm plan -m 512M -c 2" (kept here as
#                   dump.dtb, and dump.dts when dtc is installed)
#   host-probe      no guest: L1 has /dev/kvm; shapevm --version, and plan
#                   -m 512M puts RAM at 0x40000000
#   vfio-assign     run -v --vfio edu --vfio e1000e (bound to vfio-pci behind
#                   the SMMUv3): the guest reads edu's ID 0x010000ED, the
#                   e1000e driver gets link and a DHCP lease, its MSI-X
#                   vectors are ITS-MSI; the plan puts the ITS on the msi
#                   window 0x8000000-0x80fffff, RAM off it; BARs mapped for
#                   peer-to-peer DMA
#   vfio-assign-viommu  the same in a second L1 boot: Linux 6.12 (L1 and
#                   L2) with a virtio-iommu-pci, whose msi window is
#                   0x8090000-0x809ffff: the guest's ITS moves to 0x8080000
#   qemu-boot       (only when named, or with SHAPEVM_L1_QEMU=1) the boot
#                   case's guest under Debian's arm64 qemu-system-aarch64
#                   -accel kvm, staged into L1 (guest-images/arm64/stage-qemu.sh):
#                   the reference that the guest image and L1's KVM are good
#
# Prints "ok - CASE" or "not ok - CASE: why" for each and then
# "N passed, M failed" (", K skipped"); exits 1 if any failed. The console of
# L1 and L2 is kept in build/l1-arm64/console.log (host seconds on each line);
# on a failure its path and last 40 lines are printed. Without QEMU, or when
# the guest kernel cannot be fetched, every case is skipped (exit 0).
#
# Environment: SHAPEVM_STATIC_ARM64 (default build/arm64/shapevm),
# SHAPEVM_CASE_TIMEOUT (seconds per L2 run, default 120), SHAPEVM_L1_QEMU
# (1: stage QEMU and add qemu-boot), SHAPEVM_L1_LOGDIR (default
# build/l1-arm64), SHAPEVM_CACHE (see guest-images/build.sh).
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
images=$root/guest-images
all_cases=(boot reset virtio-blk-its gicv2m gicv3-intx its-host-window virtio-rng-console bad-image dump-dtb host-probe vfio-assign vfio-assign-viommu)
known_cases=("${all_cases[@]}" qemu-boot)
if [ $# -gt 0 ]; then
	cases=("$@")
else
	cases=("${all_cases[@]}")
	[ "${SHAPEVM_L1_QEMU:-0}" != 1 ] || cases+=(qemu-boot)
fi
case_timeout=${SHAPEVM_CASE_TIMEOUT:-120}
logdir=${SHAPEVM_L1_LOGDIR:-$root/build/l1-arm64}
log=$logdir/console.log
vmm=${SHAPEVM_STATIC_ARM64:-$root/build/arm64/shapevm}

stage_qemu=0
for name in "${cases[@]}"; do
	case " ${known_cases[*]} " in
	*" $name "*) ;;
	*) echo "run.sh: unknown case $name (known: ${known_cases[*]})" >&2; exit 2 ;;
	esac
	[ "$name" != qemu-boot ] || stage_qemu=1
done

# Results so far; finish prints the closing line and exits.
passed=0 failed=0 skipped=0
pass() { echo "ok - $1"; passed=$((passed + 1)); }
fail() { echo "not ok - $1: $2"; failed=$((failed + 1)); }
finish() {
	if [ "$skipped" -gt 0 ]; then
		echo "$passed passed, $failed failed, $skipped skipped"
	else
		echo "$passed passed, $failed failed"
	fi
	[ "$failed" -eq 0 ]
	exit
}
skip_all() {
	echo "skip: $1"
	skipped=${#cases[@]}
	finish
}
fail_all() {
	for name in "${cases[@]}"; do fail "$name" "$1"; done
	finish
}

[ -f "$vmm" ] || fail_all "SHAPEVM_STATIC_ARM64=$vmm: no such file (make ARCH=arm64 builds it)"
command -v qemu-system-aarch64 >/dev/null ||
	skip_all "qemu-system-aarch64 is not installed (package qemu-system-arm; scripts/install-deps.sh)"
command -v timeout >/dev/null || skip_all "timeout is not installed (package coreutils)"

mkdir -p "$logdir" || fail_all "cannot create $logdir"
run_start=${EPOCHREALTIME/./}
seconds_since() { echo $(( (${EPOCHREALTIME/./} - $1) / 1000000 )); }
# The builders' messages go to stderr as usual; their last line, which says
# why when they fail, also goes into the result lines.
errors=$logdir/build-errors.txt

# What the image brings along beyond the guest: Debian's arm64 QEMU for
# qemu-boot. Without it, qemu-boot says why in L1.
extra=$logdir/l1-extra
if ! rm -rf "$extra" || ! mkdir -p "$extra"; then
	fail_all "cannot create $extra"
fi
if [ "$stage_qemu" = 1 ]; then
	stage_start=${EPOCHREALTIME/./}
	"$images/arm64/stage-qemu.sh" "$extra" 2> >(tee "$errors" >&2)
	status=$?
	wait
	[ "$status" = 0 ] || echo "# cannot stage QEMU (qemu-boot will fail): $(tail -n 1 "$errors")"
	echo "# QEMU staged in $(seconds_since "$stage_start") s"
fi

# newest_612: Debian 12's newest signed arm64 Linux 6.12 package (from
# bookworm-backports or the 6.12 point releases), the first Debian kernel
# whose virtio-iommu driver reports the IOMMU's MSI region.
newest_612() {
	apt-cache search --names-only '^linux-image-6\.12\.[0-9.]+\+deb12-arm64$' 2>/dev/null |
		cut -d' ' -f1 | sort -V | tail -n 1
}

# skip_cases REASON CASE...: these cases cannot run here.
skip_cases() {
	local reason=$1 name
	shift
	for name in "$@"; do
		echo "skip - $name: $reason"
		skipped=$((skipped + 1))
	done
}

# l1_boot IOMMU LOG CASE...: one L1 boot (SHAPEVM_L1_IOMMU=IOMMU, console
# in LOG) that runs CASE... and records their results. smmuv3 boots Debian
# 12's arm64 kernel; virtio, a 6.12 one (its own image cache).
l1_boot() {
	local iommu=$1 l1_log=$2 status vars name line l1_fate l1_status l1_timeout
	local initrd=$logdir/l1-initrd-$1.cpio kernel_package='' cache=${SHAPEVM_CACHE:-}
	local timeout=$case_timeout
	shift 2
	if [ "$iommu" = virtio ]; then
		# 6.12 boots as L2 in about 90 s where 6.1 takes 35.
		timeout=$((case_timeout * 2))
		kernel_package=$(newest_612)
		if [ -z "$kernel_package" ]; then
			skip_cases "apt knows no linux-image-6.12.*+deb12-arm64 package (apt-get update?)" "$@"
			return
		fi
		cache=${SHAPEVM_CACHE:-$HOME/.cache/shapevm}/linux-6.12
	fi
	vars=$(SHAPEVM_CACHE=$cache SHAPEVM_KERNEL_PACKAGE=$kernel_package \
		"$images/build.sh" arm64 2> >(tee "$errors" >&2))
	status=$?
	wait # for tee
	case $status in
	0) eval "$vars" ;;
	3) skip_cases "cannot build the arm64 test guest here: $(tail -n 1 "$errors")" "$@"; return ;;
	*) for name in "$@"; do fail "$name" "guest-images/build.sh arm64 failed: $(tail -n 1 "$errors")"; done; return ;;
	esac
	export SHAPEVM_MODULES_DIR SHAPEVM_BUSYBOX
	"$images/arm64/build-l1-initramfs.sh" "$initrd" "$vmm" \
		"$SHAPEVM_GUEST_KERNEL" "$SHAPEVM_GUEST_INITRD" "$here/cases.sh" "$extra" \
		2> >(tee "$errors" >&2)
	status=$?
	wait
	case $status in
	0) ;;
	3) skip_cases "cannot build the L1 initramfs here: $(tail -n 1 "$errors")" "$@"; return ;;
	*) for name in "$@"; do fail "$name" "cannot build the L1 initramfs: $(tail -n 1 "$errors")"; done; return ;;
	esac
	image_seconds=$(seconds_since "$run_start")

	# Budget: L1 reaches /init in ~15 s and an L2 boot takes 30-60 s
	# (quiet); the hard limit lets every case use its whole timeout and
	# still leaves L1 time to report.
	l1_timeout=$((60 + $# * (timeout + 10)))
	SHAPEVM_L1_IOMMU=$iommu SHAPEVM_L1_KERNEL=$SHAPEVM_GUEST_KERNEL \
		"$images/arm64/run-l1.sh" --initrd "$initrd" --log "$l1_log" \
		--timeout "$l1_timeout" \
		--append "shapevm.cases=$(IFS=,; echo "$*") shapevm.case_timeout=$timeout"
	l1_status=$?

	# Why a case may have printed no result: what happened to L1 as a whole.
	if [ "$l1_status" = 124 ] || [ "$l1_status" = 137 ]; then
		l1_fate="L1 was stopped by the ${l1_timeout}s timeout"
	elif [ "$l1_status" = 3 ] && [ ! -s "$l1_log" ]; then
		skip_cases "qemu-system-aarch64 is not installed (package qemu-system-arm)" "$@"
		return
	elif ! grep -q 'SHAPEVM_L1: init reached' "$l1_log"; then
		l1_fate="L1 never reached its /init (QEMU exited $l1_status)"
	elif ! grep -q 'SHAPEVM_L1: done' "$l1_log"; then
		l1_fate="L1 ended before its cases finished (QEMU exited $l1_status)"
	else
		l1_fate="L1 finished without reporting it"
	fi

	for name in "$@"; do
		# A kernel message may share the console line, so match anywhere in it.
		line=$(grep -E "SHAPEVM_RESULT: (ok|not ok) $name(:|\$)" "$l1_log" | tail -1)
		case $line in
		*"SHAPEVM_RESULT: ok $name") pass "$name" ;;
		*"SHAPEVM_RESULT: not ok $name: "*) fail "$name" "${line#*"SHAPEVM_RESULT: not ok $name: "}" ;;
		*) fail "$name" "no result: $l1_fate" ;;
		esac
	done
	failed_logs+=("$l1_log")
}

# Cases named *-viommu need L1's devices behind a virtio-iommu: they get an
# L1 of their own.
smmu_cases=() viommu_cases=() failed_logs=()
for name in "${cases[@]}"; do
	case $name in
	*-viommu) viommu_cases+=("$name") ;;
	*) smmu_cases+=("$name") ;;
	esac
done
rm -f "$log" "$logdir/console-viommu.log"
[ ${#smmu_cases[@]} -eq 0 ] || l1_boot smmuv3 "$log" "${smmu_cases[@]}"
[ ${#viommu_cases[@]} -eq 0 ] || l1_boot virtio "$logdir/console-viommu.log" "${viommu_cases[@]}"
run_seconds=$(seconds_since "$run_start")

# The device tree dump-dtb printed, back as a file (and as source, with dtc).
rm -f "$logdir/dump.dtb" "$logdir/dump.dts"
if grep -qs 'SHAPEVM_DTB_END' "$log"; then
	sed -n '/SHAPEVM_DTB_BEGIN/,/SHAPEVM_DTB_END/p' "$log" | sed 's/^\[[ 0-9.]*\] //' |
		grep -v '^SHAPEVM_DTB_' | base64 -d >"$logdir/dump.dtb" 2>/dev/null &&
		echo "# dump-dtb's device tree: $logdir/dump.dtb"
	if command -v dtc >/dev/null && dtc -q -I dtb -O dts -o "$logdir/dump.dts" "$logdir/dump.dtb" 2>/dev/null; then
		echo "# decompiled: $logdir/dump.dts"
	fi
fi

# Timings, read off the host's stamps in the logs: "# " lines, as TAP comments.
echo "# images built in ${image_seconds:-?} s; whole run ${run_seconds} s"
for l1_log in "$log" "$logdir/console-viommu.log"; do
	[ -s "$l1_log" ] || continue
	l1_init=$(grep -m1 'SHAPEVM_L1: init reached' "$l1_log" | sed -n 's/^\[ *\([0-9.]*\)\].*/\1/p')
	l1_kvm=$(grep -m1 'SHAPEVM_L1: /dev/kvm ready' "$l1_log" | sed -n 's/^\[ *\([0-9.]*\)\].*/\1/p')
	echo "# $(basename "$l1_log"): L1 reached /init after ${l1_init:-?} s, /dev/kvm after ${l1_kvm:-?} s"
	grep -o 'SHAPEVM_L1: kvm: .*' "$l1_log" | sed 's/^SHAPEVM_L1: /# L1 /'
	grep -o 'SHAPEVM_CASE: [a-z0-9-]*: exit .*' "$l1_log" | sed 's/^SHAPEVM_CASE: /# /'
done

if [ "$failed" -gt 0 ]; then
	for l1_log in "${failed_logs[@]}"; do
		echo "# console log: $l1_log (last 40 lines follow)"
		tail -n 40 "$l1_log"
	done
fi
finish

#!/usr/bin/env bash
# Boots the emulated arm64 L1 host under QEMU TCG and records its console:
#
#   run-l1.sh --initrd FILE --log FILE [--timeout SECS] [--append WORDS] [--stream]
#
# --initrd   an initramfs from build-l1-initramfs.sh
# --log      the serial console, each line prefixed with the host's seconds
#            since QEMU started ("[  12.34] ..."), so timings can be read off
# --timeout  hard limit for the whole L1 run (default 240): QEMU is killed
#            then, so a hung guest still leaves a log
# --append   more L1 kernel command line words (shapevm.cases=... for example)
# --stream   also copy the console, as it comes, to stdout
#
# Environment: SHAPEVM_L1_KERNEL (default: build.sh arm64's Image),
# SHAPEVM_L1_MEM (MiB, default 2048), SHAPEVM_L1_SMP (default 2),
# SHAPEVM_L1_IOMMU (smmuv3, the default, or virtio: a virtio-iommu-pci
# instead, whose reserved regions need Linux 6.3 or later),
# SHAPEVM_L1_APPEND (more kernel words, for experiments).
# Exit status: QEMU's; 0 when L1 powered itself off, 124 on the timeout;
# 3 when qemu-system-aarch64 is missing.
#
# The machine follows what proved reliable (shared/recipes/arm64-l1):
# - virt with virtualization=on: Linux starts at EL2 and KVM runs in VHE
#   mode; gic-version=3 with its=on gives L1 an ITS, so L1's KVM can offer
#   its guests a vGICv3 with a vITS. (This GICv3 has no GICv2-compatible
#   CPU interface, so L1's KVM cannot emulate a GICv2.)
# - iommu=smmuv3 and QEMU's edu and e1000e devices: IOMMU groups with an
#   MSI window that VFIO can own (l1-init.sh binds both to vfio-pci). The
#   e1000e's network is QEMU's user-mode one, so a guest it is assigned to
#   gets a DHCP answer (receive interrupts) without any host setup. With
#   SHAPEVM_L1_IOMMU=virtio a virtio-iommu-pci translates for them instead;
#   it reports the ITS's doorbell page 0x8090000-0x809ffff as the MSI window.
# - "-cpu max,pauth-impdef=on": TCG's architected pointer authentication
#   (QARMA) is slow to emulate; the implementation-defined one roughly
#   halves L1's run time.
# - two vCPUs (multi-threaded TCG) run an L2 with two vCPUs well.
# The console is the PL011 (ttyAMA0); mitigations=off because every L2 exit
# runs L1's KVM exit path, and L1 is a throwaway test host.
set -u

here=$(cd "$(dirname "$0")" && pwd)

initrd='' log='' timeout_s=240 append='' stream=0
while [ $# -gt 0 ]; do
	case $1 in
	--initrd) initrd=${2:-}; shift 2 ;;
	--log) log=${2:-}; shift 2 ;;
	--timeout) timeout_s=${2:-}; shift 2 ;;
	--append) append=${2:-}; shift 2 ;;
	--stream) stream=1; shift ;;
	*) echo "run-l1.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
if [ -z "$initrd" ] || [ -z "$log" ]; then
	echo "usage: run-l1.sh --initrd FILE --log FILE [--timeout SECS] [--append WORDS] [--stream]" >&2
	exit 2
fi
command -v qemu-system-aarch64 >/dev/null || {
	echo "run-l1.sh: qemu-system-aarch64 is missing (package qemu-system-arm)" >&2
	exit 3
}
if [ -z "${SHAPEVM_L1_KERNEL:-}" ]; then
	vars=$("$here/../build.sh" arm64) || exit
	eval "$vars"
fi

case ${SHAPEVM_L1_IOMMU:-smmuv3} in
smmuv3) machine_iommu=,iommu=smmuv3 iommu_device=() ;;
virtio) machine_iommu='' iommu_device=(-device virtio-iommu-pci) ;;
*) echo "run-l1.sh: SHAPEVM_L1_IOMMU=$SHAPEVM_L1_IOMMU: smmuv3 or virtio" >&2; exit 2 ;;
esac

cmdline="console=ttyAMA0 loglevel=4 panic=-1 mitigations=off $append ${SHAPEVM_L1_APPEND:-}"
mkdir -p "$(dirname "$log")" || exit 1

# Stamp each console line with the host's time since start: L1's own clock
# runs on TCG's virtual time, and the host's is what a test budget is about.
stamp_lines() {
	local start=${EPOCHREALTIME/./} line now
	while IFS= read -r line; do
		line=${line%$'\r'}
		now=$(( ${EPOCHREALTIME/./} - start ))
		printf '[%4d.%02d] %s\n' $((now / 1000000)) $((now / 10000 % 100)) "$line" >>"$log"
		[ "$stream" = 0 ] || printf '%s\n' "$line"
	done
}

: >"$log"
# -no-reboot: a reset or panic in L1 ends QEMU instead of booting again.
timeout --kill-after=10 "$timeout_s" qemu-system-aarch64 \
	-accel tcg -M "virt,virtualization=on,gic-version=3,its=on$machine_iommu" \
	-cpu max,pauth-impdef=on -smp "${SHAPEVM_L1_SMP:-2}" -m "${SHAPEVM_L1_MEM:-2048}" \
	-nodefaults -no-user-config -display none -monitor none -serial stdio \
	"${iommu_device[@]}" -device edu \
	-netdev user,id=net0 -device e1000e,netdev=net0 \
	-no-reboot -kernel "$SHAPEVM_L1_KERNEL" -initrd "$initrd" -append "$cmdline" \
	</dev/null 2>&1 | stamp_lines
exit "${PIPESTATUS[0]}"

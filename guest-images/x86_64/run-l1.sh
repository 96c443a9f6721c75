#!/usr/bin/env bash
# Boots the emulated x86_64 L1 host under QEMU TCG and records its console:
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
# Environment: SHAPEVM_L1_KERNEL (default: build.sh's), SHAPEVM_L1_MEM (MiB,
# default 2048), SHAPEVM_L1_APPEND (more kernel words, for experiments),
# SHAPEVM_L1_IOMMU (amd or intel: the emulated IOMMU, default amd).
# Exit status: QEMU's; 0 when L1 powered itself off, 124 on the timeout.
#
# The machine follows what proved reliable (shared/recipes/x86-l1): q35 with
# "-cpu max", whose SVM lets kvm_amd load with nested paging; one vCPU, as
# multi-threaded TCG with two hit rare L1 oopses and is no faster; an L2 with
# two vCPUs runs fine on it. nrips=0 because TCG's SVM lacks NRIP save.
# Two choices measured here make each L2 boot several seconds shorter:
# - family=23 (Zen): "-cpu max" is otherwise an AMD family 0xf (K8), which L2
#   inherits, and Linux then scans all 256 PCI buses for a K8 GART/AGP bridge
#   through 0xcf8/0xcfc: 33,000 port I/O exits to the VMM, about 5 s.
# - mitigations=off in L1: every L2 exit runs L1's KVM exit path, whose
#   Spectre/RSB mitigations cost much under TCG (an L2 boot took 33 s with
#   them, 25 s without). L1 is a throwaway test host.
# An emulated AMD IOMMU and QEMU's "edu" PCI device give L1 what this machine
# lacks: an IOMMU group that VFIO can own (l1-init.sh binds edu to vfio-pci).
# The IOMMU comes before the devices it translates for; intremap=on needs
# kernel-irqchip=split only under KVM, not under TCG. iommu=pt keeps L1's own
# DMA untranslated (the recipe's setting); VFIO still gets its own domain.
# SHAPEVM_L1_IOMMU=intel gives an Intel VT-d instead (Debian's kernel leaves
# it off unless intel_iommu=on): its reserved regions differ (no
# HyperTransport hole; the ISA bridge's group gets a direct-relaxable
# 0-16 MiB), which is what the VFIO cases plan around. caching-mode=on makes
# the guest report every mapping, as VFIO under QEMU needs.
# Behind a conventional PCI bridge sit a second edu and an e1000: devices
# behind such a bridge share its requester ID and so one IOMMU group, which
# gives the VFIO bad-input cases a group with a peer on a host driver
# (l1-init.sh binds that edu to vfio-pci and leaves the e1000 to e1000).
# romfile= keeps the e1000 from wanting an iPXE ROM that -kernel never runs;
# it has no network (QEMU warns "nic e1000.0 has no peer": it needs none).
# With Intel, a third edu is function 4 of the ICH9 slot 1f: functions of a
# multifunction device without ACS share a group, so it is in the ISA
# bridge's, whose reserved regions carry the direct-relaxable 0-16 MiB that
# Linux's intel-iommu gives the ISA bridge (its floppy DMA workaround). The
# edu at 00:01.0 is alone in a group with only the msi window.
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
command -v qemu-system-x86_64 >/dev/null || {
	echo "run-l1.sh: qemu-system-x86_64 is missing (package qemu-system-x86)" >&2
	exit 3
}
if [ -z "${SHAPEVM_L1_KERNEL:-}" ]; then
	vars=$("$here/../build.sh" x86_64) || exit
	eval "$vars"
fi

lpc_edu=()
case ${SHAPEVM_L1_IOMMU:-amd} in
amd) iommu_device=amd-iommu,intremap=on iommu_words='' ;;
intel) iommu_device=intel-iommu,intremap=on,caching-mode=on iommu_words=intel_iommu=on
	lpc_edu=(-device "edu,addr=1f.4") ;;
*) echo "run-l1.sh: SHAPEVM_L1_IOMMU=$SHAPEVM_L1_IOMMU: not amd or intel" >&2; exit 2 ;;
esac
cmdline="console=ttyS0 loglevel=4 panic=-1 mitigations=off kvm_amd.nrips=0 iommu=pt $iommu_words $append ${SHAPEVM_L1_APPEND:-}"
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
timeout --kill-after=10 "$timeout_s" qemu-system-x86_64 \
	-accel tcg -cpu max,family=23,model=1 -M q35 -smp 1 -m "${SHAPEVM_L1_MEM:-2048}" \
	-nodefaults -no-user-config -display none -monitor none -serial stdio \
	-device "$iommu_device" -device edu \
	-device pci-bridge,id=l1-bridge,chassis_nr=1,shpc=off \
	-device edu,bus=l1-bridge,addr=1 -device e1000,bus=l1-bridge,addr=2,romfile= \
	"${lpc_edu[@]}" \
	-no-reboot -kernel "$SHAPEVM_L1_KERNEL" -initrd "$initrd" -append "$cmdline" \
	</dev/null 2>&1 | stamp_lines
exit "${PIPESTATUS[0]}"

#!/usr/bin/env bash
# Builds the initramfs of the emulated arm64 L1 host:
#
#   build-l1-initramfs.sh OUT SHAPEVM_STATIC GUEST_KERNEL GUEST_INITRD CASES [EXTRA]
#
# OUT holds busybox-static:arm64 (build.sh fetched it), l1-init.sh as /init,
# the VFIO and tap modules (l1-modules.txt and their dependencies, from the
# kernel build.sh unpacked; KVM is built in), the static arm64 VMM as
# /shapevm, the guest as /guest/Image and /guest/initrd.cpio.gz, and CASES
# (a busybox sh script) as /cases.sh. See l1-init.sh for how it runs.
# EXTRA, a directory, is copied over the image's root last: what a user of
# the image brings along (Debian's arm64 QEMU from stage-qemu.sh, test files).
#
# It is left uncompressed: the kernel and the guest initramfs inside are
# compressed already or large, and L1 unpacks a plain cpio faster under TCG.
# The modules and busybox come from $SHAPEVM_MODULES_DIR and
# $SHAPEVM_BUSYBOX, or from running build.sh arm64.
# Exit status: 0 built, 1 failed, 2 usage, 3 cannot build on this host.
# shellcheck source-path=SCRIPTDIR
set -u

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib/initramfs.sh
. "$here/../lib/initramfs.sh"

say() { echo "build-l1-initramfs: $*" >&2; }

if [ $# -ne 5 ] && [ $# -ne 6 ]; then
	echo "usage: build-l1-initramfs.sh OUT SHAPEVM_STATIC GUEST_KERNEL GUEST_INITRD CASES [EXTRA]" >&2
	exit 2
fi
out=$1 vmm=$2 guest_kernel=$3 guest_initrd=$4 cases=$5 extra=${6:-}

# check_static_arm64 FILE: L1 has no libc and no dynamic loader, so the VMM
# must be a static AArch64 ELF (make ARCH=arm64 links it so). Read the ELF
# header rather than trusting file(1), which may not be installed: 64-bit
# (EI_CLASS 2), e_machine 183 (AArch64), and no PT_INTERP (type 3) among
# the program headers.
check_static_arm64() {
	local file=$1 phoff phentsize phnum i type
	[ "$(od -An -c -N4 "$file" | tr -d ' ')" = '177ELF' ] || { echo "not an ELF file"; return 1; }
	[ "$(od -An -tu1 -j4 -N1 "$file" | tr -d ' ')" = 2 ] || { echo "not a 64-bit program"; return 1; }
	[ "$(od -An -tu2 -j18 -N2 "$file" | tr -d ' ')" = 183 ] ||
		{ echo "not an arm64 program (make ARCH=arm64 cross-builds one)"; return 1; }
	phoff=$(od -An -tu8 -j32 -N8 "$file" | tr -d ' ')
	phentsize=$(od -An -tu2 -j54 -N2 "$file" | tr -d ' ')
	phnum=$(od -An -tu2 -j56 -N2 "$file" | tr -d ' ')
	for ((i = 0; i < phnum; i++)); do
		type=$(od -An -tu4 -j$((phoff + i * phentsize)) -N4 "$file" | tr -d ' ')
		[ "$type" != 3 ] || { echo "dynamically linked (L1 has no libc; make ARCH=arm64 links statically)"; return 1; }
	done
}

# check_arm64_image FILE: the raw Image shapevm loads: "ARM\x64" at 56.
check_arm64_image() {
	[ "$(od -An -tx1 -j56 -N4 "$1" | tr -d ' ')" = 41524d64 ] ||
		{ printf '%s\n' 'not a raw arm64 Image (no "ARM\x64" magic at offset 56)'; return 1; }
}

for file in "$vmm" "$guest_kernel" "$guest_initrd" "$cases"; do
	[ -f "$file" ] || { say "$file: no such file"; exit 1; }
done
[ -z "$extra" ] || [ -d "$extra" ] || { say "$extra: no such directory"; exit 1; }
for tool in cpio od; do
	command -v "$tool" >/dev/null || { say "missing tool: $tool"; exit 3; }
done
why=$(check_static_arm64 "$vmm") || { say "$vmm: $why"; exit 1; }
why=$(check_arm64_image "$guest_kernel") || { say "$guest_kernel: $why"; exit 1; }

if [ -z "${SHAPEVM_MODULES_DIR:-}" ] || [ -z "${SHAPEVM_BUSYBOX:-}" ]; then
	vars=$("$here/../build.sh" arm64) || exit
	eval "$vars"
fi
# The helpers copy this busybox into the image: the arm64 one, not the host's.
initramfs_busybox=$SHAPEVM_BUSYBOX

stage=$(mktemp -d) || exit 1
modules=$(mktemp) || exit 1
trap 'rm -rf "$stage" "$modules"' EXIT
# The virtio-iommu driver too when the kernel has it as a module (Debian's
# 6.12, not its 6.1): l1-init.sh loads it before vfio binds anything, so an
# L1 booted with run-l1.sh's SHAPEVM_L1_IOMMU=virtio puts its devices in
# virtio-iommu groups. Without the device it finds nothing to drive.
cp "$here/l1-modules.txt" "$modules" || exit 1
if grep -q '/virtio-iommu\.ko' "$SHAPEVM_MODULES_DIR/modules.dep"; then
	echo virtio_iommu >>"$modules"
fi
if ! { mkdir -p "$stage/guest" "$(dirname "$out")" &&
	initramfs_stage_base "$stage" "$here/l1-init.sh" &&
	initramfs_stage_modules "$stage" "$SHAPEVM_MODULES_DIR" "$modules" &&
	install -m 0755 "$vmm" "$stage/shapevm" &&
	cp "$guest_kernel" "$stage/guest/Image" &&
	cp "$guest_initrd" "$stage/guest/initrd.cpio.gz" &&
	install -m 0755 "$cases" "$stage/cases.sh" &&
	{ [ -z "$extra" ] || cp -a "$extra/." "$stage/"; } &&
	initramfs_pack "$stage" "$out" cat; }; then
	say "cannot build $out"
	exit 1
fi

#!/usr/bin/env bash
# Builds the initramfs of the emulated x86_64 L1 host:
#
#   build-l1-initramfs.sh OUT SHAPEVM_STATIC GUEST_KERNEL GUEST_INITRD CASES [EXTRA]
#
# OUT holds busybox-static, l1-init.sh as /init, KVM's modules (l1-modules.txt
# and their dependencies, from the kernel build.sh unpacked), the static VMM
# as /shapevm, the guest as /guest/bzImage and /guest/initrd.cpio.gz, and
# CASES (a busybox sh script) as /cases.sh. See l1-init.sh for how it runs.
# EXTRA, a directory, is copied over the image's root last: what a user of
# the image brings along (bench/boot-linux adds QEMU, stage-qemu.sh, and its
# timing helper).
#
# It is left uncompressed: the kernel and the guest initramfs inside are
# compressed already, and L1 unpacks a plain cpio faster under TCG.
# The modules come from $SHAPEVM_MODULES_DIR, or from running build.sh.
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

# check_static_x86_64 FILE: L1 has no libc and no dynamic loader, so the VMM
# must be a static x86-64 ELF. Read the ELF header rather than trusting
# file(1), which may not be installed: e_machine 62 (x86-64), and no
# PT_INTERP (type 3) among the program headers.
check_static_x86_64() {
	local file=$1 phoff phentsize phnum i type
	[ "$(od -An -c -N4 "$file" | tr -d ' ')" = '177ELF' ] || { echo "not an ELF file"; return 1; }
	[ "$(od -An -tu2 -j18 -N2 "$file" | tr -d ' ')" = 62 ] || { echo "not an x86-64 program"; return 1; }
	phoff=$(od -An -tu8 -j32 -N8 "$file" | tr -d ' ')
	phentsize=$(od -An -tu2 -j54 -N2 "$file" | tr -d ' ')
	phnum=$(od -An -tu2 -j56 -N2 "$file" | tr -d ' ')
	for ((i = 0; i < phnum; i++)); do
		type=$(od -An -tu4 -j$((phoff + i * phentsize)) -N4 "$file" | tr -d ' ')
		[ "$type" != 3 ] || { echo "dynamically linked (L1 has no libc; build it with make STATIC=1)"; return 1; }
	done
}

for file in "$vmm" "$guest_kernel" "$guest_initrd" "$cases"; do
	[ -f "$file" ] || { say "$file: no such file"; exit 1; }
done
[ -z "$extra" ] || [ -d "$extra" ] || { say "$extra: no such directory"; exit 1; }
why=$(check_static_x86_64 "$vmm") || { say "$vmm: $why"; exit 1; }
for tool in cpio od; do
	command -v "$tool" >/dev/null || { say "missing tool: $tool"; exit 3; }
done
why=$(initramfs_check_busybox) || { say "$why"; exit 3; }

if [ -z "${SHAPEVM_MODULES_DIR:-}" ]; then
	vars=$("$here/../build.sh" x86_64) || exit
	eval "$vars"
fi

stage=$(mktemp -d) || exit 1
trap 'rm -rf "$stage"' EXIT
if ! { mkdir -p "$stage/guest" "$(dirname "$out")" &&
	initramfs_stage_base "$stage" "$here/l1-init.sh" &&
	initramfs_stage_modules "$stage" "$SHAPEVM_MODULES_DIR" "$here/l1-modules.txt" &&
	install -m 0755 "$vmm" "$stage/shapevm" &&
	cp "$guest_kernel" "$stage/guest/bzImage" &&
	cp "$guest_initrd" "$stage/guest/initrd.cpio.gz" &&
	install -m 0755 "$cases" "$stage/cases.sh" &&
	{ [ -z "$extra" ] || cp -a "$extra/." "$stage/"; } &&
	initramfs_pack "$stage" "$out" cat; }; then
	say "cannot build $out"
	exit 1
fi

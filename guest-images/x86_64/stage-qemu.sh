#!/usr/bin/env bash
# Stages this host's qemu-system-x86_64 (Debian's package qemu-system-x86)
# for the emulated L1 host, which has no libc of its own:
#
#   stage-qemu.sh DIR
#
# DIR gets usr/bin/qemu-system-x86_64, the shared libraries it loads (with
# the dynamic loader, at their host paths: lib/shared-libs.sh) and the
# firmware its x86 machines need to boot a Linux kernel with -kernel:
# qboot (microvm's bios-microvm.bin), SeaBIOS (pc, q35) and the option
# ROMs that load the kernel (linuxboot_dma.bin) or patch the TPR
# (kvmvapic.bin). About 50 MB; build-l1-initramfs.sh adds DIR to the image.
# Exit status: 0 staged, 1 failed, 2 usage, 3 no QEMU on this host.
# shellcheck source-path=SCRIPTDIR
set -u

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib/shared-libs.sh
. "$here/../lib/shared-libs.sh"

say() { echo "stage-qemu: $*" >&2; }

[ $# -eq 1 ] || { echo "usage: stage-qemu.sh DIR" >&2; exit 2; }
dir=$1
qemu=$(command -v qemu-system-x86_64) ||
	{ say "qemu-system-x86_64 is missing (package qemu-system-x86)"; exit 3; }
command -v ldd >/dev/null || { say "ldd is missing (package libc-bin)"; exit 3; }
# Keep the path the package installs it under, whatever PATH found.
qemu=$(readlink -f "$qemu")

mkdir -p "$dir" || exit 1
shared_libs_stage "$dir" "$qemu" || { say "cannot stage $qemu"; exit 1; }
if [ "$qemu" != /usr/bin/qemu-system-x86_64 ]; then
	mkdir -p "$dir/usr/bin" && ln -sf "$qemu" "$dir/usr/bin/qemu-system-x86_64" || exit 1
fi

# QEMU looks for firmware in its data directories; Debian's build searches
# /usr/share/qemu and /usr/share/seabios among others. Symlinks (such as
# bios-microvm.bin -> qboot.rom) are copied as files.
for file in /usr/share/qemu/bios-microvm.bin /usr/share/qemu/linuxboot_dma.bin \
	/usr/share/qemu/linuxboot.bin /usr/share/qemu/kvmvapic.bin \
	/usr/share/qemu/pvh.bin /usr/share/seabios/bios-256k.bin; do
	[ -e "$file" ] || { say "$file is missing (packages qemu-system-data, seabios)"; exit 3; }
	mkdir -p "$dir$(dirname "$file")" && cp -L "$file" "$dir$file" || exit 1
done

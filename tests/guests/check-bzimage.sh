#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-bzimage.sh IMAGE: fail if a freshly built test guest is not the
# bzImage docs/contracts.md describes, so a broken build never reaches the
# integration tests, where it would look like a VMM bug.
set -u

image=$1

# read_le OFFSET SIZE: the little-endian unsigned integer at OFFSET.
read_le() {
	local value
	value=$(od -An -t "u$2" -j "$1" -N "$2" --endian=little "$image") ||
		exit 1
	echo $((value))
}

fail() {
	echo "check-bzimage.sh: $image: $*" >&2
	exit 1
}

expect() {
	local name=$1 offset=$2 size=$3 want=$4 got
	got=$(read_le "$offset" "$size")
	[ "$got" -eq "$((want))" ] ||
		fail "$name at $offset is $(printf 0x%x "$got"), expected $want"
}

size=$(stat -c %s "$image") || exit 1
[ "$size" -gt 1024 ] || fail "only $size bytes"

expect boot_flag 0x1fe 2 0xaa55
expect header 0x202 4 0x53726448
expect version 0x206 2 0x020f
expect loadflags 0x211 1 0x01
expect code32_start 0x214 4 0x100000
expect initrd_addr_max 0x22c 4 0x7fffffff
expect kernel_alignment 0x230 4 0x200000
expect relocatable_kernel 0x234 1 0
expect xloadflags 0x236 2 0x1
expect cmdline_size 0x238 4 2047
[ "$(read_le 0x200 1)" -eq $((0xeb)) ] || fail "no jump at 0x200"

setup_sects=$(read_le 0x1f1 1)
[ "$setup_sects" -gt 0 ] || fail "setup_sects is 0"
setup_size=$(((setup_sects + 1) * 512))
pm_size=$((size - setup_size))
syssize=$(read_le 0x1f4 4)
[ $((syssize * 16)) -eq "$pm_size" ] ||
	fail "syssize $syssize (x16) does not match the $pm_size bytes after setup"
init_size=$(read_le 0x260 4)
[ "$init_size" -ge "$pm_size" ] || fail "init_size $init_size < $pm_size"

# The 64-bit entry is 0x200 bytes into the protected-mode part; the 32-bit
# entry before it is ud2s (0f 0b).
[ "$pm_size" -gt 512 ] || fail "no 64-bit entry point"
[ "$(read_le "$setup_size" 2)" -eq $((0x0b0f)) ] ||
	fail "the 32-bit entry is not ud2"
kernel_info=$(read_le 0x268 4)
if [ $((kernel_info + 16)) -gt "$pm_size" ] ||
   [ "$(read_le $((setup_size + kernel_info)) 4)" -ne $((0x506f544c)) ]; then
	fail "kernel_info_offset $kernel_info does not point to \"LToP\""
fi
exit 0

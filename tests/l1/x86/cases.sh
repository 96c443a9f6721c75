#!/bin/sh
# shellcheck shell=dash
# The cases of tests/l1/x86/run.sh. Runs inside the emulated L1 host
# (busybox sh, started by guest-images/x86_64/l1-init.sh, which sets SHAPEVM,
# SHAPEVM_GUEST_KERNEL, SHAPEVM_GUEST_INITRD, SHAPEVM_L1_KVM,
# SHAPEVM_CASE_TIMEOUT, SHAPEVM_EDU_BDF, SHAPEVM_EDU_PEER_BDF,
# SHAPEVM_E1000_BDF and SHAPEVM_EDU_LPC_BDF).
#
#   sh cases.sh [CASE...]      (default: all of them)
#
# Each L2 case boots the test guest with shapevm, judges it from shapevm's
# exit status and the guest's own output; host-facts runs no guest but asks
# L1's IOMMU and VFIO, and the vfio-edu cases run /vfio-edu, shapevm's VFIO
# layer driving the edu device itself. Each case prints exactly one line:
#   SHAPEVM_RESULT: ok CASE
#   SHAPEVM_RESULT: not ok CASE: why
# Before it come the command ("SHAPEVM_CASE: CASE: run ..."), the output of
# shapevm and the guest, each line prefixed "CASE| ", and the exit status with
# the time taken ("SHAPEVM_CASE: CASE: exit N after S s"). The guest's /init
# (guest-images/lib/guest-init.sh) runs what follows " -- " on its command
# line and then prints "SHAPEVM_STATUS=<its exit status>".
set -u

all_cases="boot-smp reset poweroff acpi-off host-facts holes plan-file virtio-blk virtio-blk-direct virtio-ext4-ro virtio-rng virtio-console virtio-net virtio-net-novhost vfio-edu vfio-edu-intel vfio-unbound vfio-group-peer vfio-missing vfio-collide vfio-assign vfio-assign-intel virtio-blk-intx virtio-blk-intx-acpi-off vfio-intx"
case_timeout=${SHAPEVM_CASE_TIMEOUT:-150}
# What boot-smp and acpi-off ask the guest: CPUs and memory it sees, and a
# status that is neither 0 nor 1, so it cannot be a default by accident.
# The single quotes are meant: the guest's shell expands $(nproc).
# shellcheck disable=SC2016
probe_command='echo SHAPEVM_NPROC=$(nproc); grep MemTotal /proc/meminfo; exit 7'

centiseconds() { awk '{ printf "%d\n", $1 * 100 }' /proc/uptime; }

# exit_meaning N: what shapevm's exit status N means (docs/contracts.md).
exit_meaning() {
	case $1 in
	0) echo "guest powered off" ;;
	1) echo "shapevm error" ;;
	2) echo "usage error" ;;
	3) echo "guest reset" ;;
	4) echo "guest crashed" ;;
	126 | 127) echo "cannot execute shapevm" ;;
	137) echo "killed" ;;
	143) echo "SIGTERM" ;;
	*) echo "unexpected status" ;;
	esac
}

# vmm_start CASE ARGS...: start "shapevm ARGS" in the background under a
# hard timeout (vmm_pid); vmm_wait collects it: its output in /tmp/CASE.out
# (carriage returns dropped) and echoed to the console, and vmm_status,
# vmm_seconds and vmm_timed_out set. run_vmm does both.
vmm_start() {
	name=$1
	shift
	echo "SHAPEVM_CASE: $name: $SHAPEVM $*"
	start=$(centiseconds)
	# stdin from /dev/null: shapevm must not take L1's console as its own.
	# -k: if SIGTERM does not end it, SIGKILL does.
	timeout -k 5 "$case_timeout" "$SHAPEVM" "$@" </dev/null >"/tmp/$name.raw" 2>&1 &
	vmm_pid=$!
}

vmm_wait() {
	wait "$vmm_pid"
	vmm_status=$?
	elapsed=$(($(centiseconds) - start))
	vmm_seconds=$((elapsed / 100)).$((elapsed / 10 % 10))
	vmm_timed_out=0
	[ "$elapsed" -lt $((case_timeout * 100)) ] || vmm_timed_out=1
	tr -d '\r' <"/tmp/$name.raw" >"/tmp/$name.out"
	sed "s/^/$name| /" "/tmp/$name.out"
	echo "SHAPEVM_CASE: $name: exit $vmm_status after $vmm_seconds s"
}

run_vmm() {
	vmm_start "$@"
	vmm_wait
}

# Each check adds a reason to $why when it fails.
why=
fail() { why="${why:+$why; }$*"; }

# expect_exit N: shapevm's exit status is N. On a mismatch, the reason quotes
# shapevm's own last error line, which says more than a number.
expect_exit() {
	[ "$vmm_status" = "$1" ] && return
	if [ "$vmm_timed_out" = 1 ]; then
		fail "timed out after ${case_timeout}s (status $vmm_status), expected exit $1 ($(exit_meaning "$1"))"
	else
		fail "shapevm exited $vmm_status ($(exit_meaning "$vmm_status")), expected $1 ($(exit_meaning "$1"))"
	fi
	error=$(grep '^shapevm: ' "/tmp/$name.out" | tail -1)
	[ -z "$error" ] || fail "it said: $error"
}

# guest_spoke: the guest's /init printed something of its own. When it did
# not, one reason says so instead of one per missing value.
guest_spoke() {
	grep -q -E '^SHAPEVM_(STATUS|NPROC)=' "/tmp/$name.out" && return
	last=$(grep -v '^[[:space:]]*$' "/tmp/$name.out" | tail -1)
	fail "nothing from the guest's /init (last line: ${last:-none})"
	return 1
}

# expect_guest_status N: the guest's command ended with status N.
expect_guest_status() {
	seen=$(grep -o '^SHAPEVM_STATUS=[0-9]*' "/tmp/$name.out" | tail -1)
	if [ -z "$seen" ]; then
		fail "the guest printed no SHAPEVM_STATUS line"
	elif [ "$seen" != "SHAPEVM_STATUS=$1" ]; then
		fail "the guest printed $seen, expected SHAPEVM_STATUS=$1"
	fi
}

# expect_cpus N: the guest's nproc said N.
expect_cpus() {
	seen=$(sed -n 's/^SHAPEVM_NPROC=\([0-9]*\).*/\1/p' "/tmp/$name.out" | tail -1)
	[ "$seen" = "$1" ] || fail "the guest saw ${seen:-no} CPUs, expected $1"
}

# expect_memtotal_mib MIN MAX: the guest's MemTotal lies in [MIN, MAX] MiB.
expect_memtotal_mib() {
	kib=$(awk '/^MemTotal:/ { print $2 }' "/tmp/$name.out" | tail -1)
	if [ -z "$kib" ]; then
		fail "the guest printed no MemTotal"
	elif [ $((kib / 1024)) -lt "$1" ] || [ $((kib / 1024)) -gt "$2" ]; then
		fail "the guest's MemTotal is $((kib / 1024)) MiB, expected $1-$2"
	fi
}

report() {
	if [ -z "$why" ]; then
		echo "SHAPEVM_RESULT: ok $1"
	else
		echo "SHAPEVM_RESULT: not ok $1: $why"
	fi
	why=
}

# boot-smp: 2 vCPUs and 512M are what the guest finds; it powers off (0).
case_boot_smp() {
	run_vmm boot-smp run -k "$SHAPEVM_GUEST_KERNEL" -i "$SHAPEVM_GUEST_INITRD" \
		-m 512M -c 2 -p "console=ttyS0 quiet -- $probe_command"
	expect_exit 0
	guest_spoke || return
	expect_cpus 2
	expect_memtotal_mib 400 512
	expect_guest_status 7
}

# reset: a guest that reboots (through the i8042, reboot=k) ends shapevm with 3.
case_reset() {
	run_vmm reset run -k "$SHAPEVM_GUEST_KERNEL" -i "$SHAPEVM_GUEST_INITRD" \
		-p "console=ttyS0 quiet reboot=k shapevm.end=reboot -- true"
	expect_exit 3
	guest_spoke || return
	expect_guest_status 0
}

# poweroff: a guest that powers off (ACPI sleep control register) ends with 0.
case_poweroff() {
	run_vmm poweroff run -k "$SHAPEVM_GUEST_KERNEL" -i "$SHAPEVM_GUEST_INITRD" \
		-p "console=ttyS0 quiet -- true"
	expect_exit 0
	guest_spoke || return
	expect_guest_status 0
}

# acpi-off: without ACPI the guest finds its CPUs in the MP table. Linux cannot
# power off without ACPI, so this guest ends by reset (3).
case_acpi_off() {
	run_vmm acpi-off run -k "$SHAPEVM_GUEST_KERNEL" -i "$SHAPEVM_GUEST_INITRD" \
		-m 512M -c 2 -p "console=ttyS0 quiet acpi=off reboot=k shapevm.end=reboot -- $probe_command"
	expect_exit 3
	guest_spoke || return
	expect_cpus 2
	expect_memtotal_mib 400 512
	expect_guest_status 7
}

# expect_line FILE REGEX WHAT: a line of FILE matches the extended REGEX.
expect_line() {
	grep -q -E "$2" "$1" || fail "no $3 line"
}

# ram_lines FILE: the RAM banks of a printed plan (its "ram" rows).
ram_lines() {
	awk '$4 == "ram"' "$1"
}

# host-facts: the facts of L1, a host with an AMD IOMMU, read through VFIO
# from the edu device bound to vfio-pci; then plans made from them. This is
# where hostres_read_vfio's container path (type1v2, VFIO_IOMMU_GET_INFO and
# its IOVA range capability) runs for real: only it writes iova-range lines.
case_host_facts() {
	if [ -z "${SHAPEVM_EDU_BDF:-}" ]; then
		fail "L1 has no edu device bound to vfio-pci (see the SHAPEVM_L1 lines)"
		return
	fi
	if [ ! -c /dev/vfio/vfio ]; then
		fail "L1 has no /dev/vfio/vfio (did vfio load? see the SHAPEVM_L1 lines)"
		return
	fi
	run_vmm host-facts host-facts --vfio "$SHAPEVM_EDU_BDF"
	expect_exit 0
	facts=/tmp/host-facts.txt
	grep -v '^shapevm: ' /tmp/host-facts.out >"$facts"
	expect_line "$facts" '^0x00000000fee00000 0x00000000feefffff msi( |$)' \
		"msi 0xfee00000-0xfeefffff"
	expect_line "$facts" '^0x000000fd00000000 0x000000ffffffffff reserved( |$)' \
		"AMD HyperTransport reserved 0xfd00000000-0xffffffffff"
	expect_line "$facts" '^phys-bits [0-9]+$' "phys-bits"
	if ! grep -q '^iova-range ' "$facts"; then
		# Say why VFIO gave none: only -v reports it.
		run_vmm host-facts-verbose host-facts -v --vfio "$SHAPEVM_EDU_BDF"
		error=$(grep 'no IOVA ranges from VFIO' /tmp/host-facts-verbose.out | tail -1)
		fail "no iova-range line: VFIO did not answer (${error:-no reason given})"
	fi

	run_vmm host-facts-plan plan -m 256M --vfio "$SHAPEVM_EDU_BDF"
	expect_exit 0
	plan=/tmp/host-facts-plan.out
	expect_line "$plan" '^MSI doorbell: 0xfee00000-0xfeefffff' \
		"\"MSI doorbell: 0xfee00000-0xfeefffff\""
	expect_line "$plan" "^0x000000fd00000000 0x000000ffffffffff reserved .*above the guest's map" \
		"fd00000000 host region \"above the guest's map\""
	[ -n "$(ram_lines "$plan")" ] || fail "the 256M plan has no RAM lines"

	# The same facts from the file host-facts wrote give the same RAM.
	run_vmm host-facts-file plan -m 256M --host-reserved "$facts"
	expect_exit 0
	ram_lines "$plan" >/tmp/host-facts-ram.vfio
	ram_lines /tmp/host-facts-file.out >/tmp/host-facts-ram.file
	cmp -s /tmp/host-facts-ram.vfio /tmp/host-facts-ram.file ||
		fail "plan --host-reserved gives other RAM banks than plan --vfio"

	# 2 TiB does not fit below L1's 40 phys-bits (TCG's default). The AMD
	# IOMMU's IOVA ranges reach 2^64-1, so the width is what refuses it.
	run_vmm host-facts-toobig plan -m 2T --vfio "$SHAPEVM_EDU_BDF"
	expect_exit 1
	grep -q -E '^shapevm: no memory plan: .*phys-bits' /tmp/host-facts-toobig.out ||
		fail "plan -m 2T did not blame phys-bits"
}

# The host file of holes and plan-file: an Intel-RMRR-like "direct" region in
# guest RAM, not 2 MiB aligned, far above where the kernel decompresses and
# below the 33 MiB of RAM above it where the initrd goes; and 150 one-page
# "reserved" regions 1 MiB apart from 256 MiB, which cut RAM into over 300 e820
# entries, so everything from about 0x13d00000 up (the RMRR and the last page,
# 0x19500000, included) reaches Linux only through SETUP_E820_EXT.
holes_file=/tmp/holes-host.txt
write_holes_file() {
	echo "0x000000001df6e000 0x000000001df84fff direct" >"$holes_file"
	i=0
	while [ "$i" -lt 150 ]; do
		start=$((0x10000000 + i * 0x100000))
		printf '0x%016x 0x%016x reserved\n' "$start" $((start + 0xfff))
		i=$((i + 1))
	done >>"$holes_file"
}

# What holes and plan-file ask the guest: how many entries its firmware memory
# map (/sys/firmware/memmap, Linux's copy of the e820 map as it got it) has, the
# entries starting at the RMRR and at the last page, how many e820 lines dmesg
# has from the zero page (BIOS-e820) and after SETUP_E820_EXT (extended), the
# last zero-page line, the e820 lines for those two, and MemTotal. dmesg's
# lines that quote the command line (SHAPEVM) are left out. Linux gives init at most 32 arguments
# (CONFIG_INIT_ENV_ARG_LIMIT) and panics on more, so the command goes on the
# kernel command line in double quotes, which make it one argument (Linux drops
# the quotes); it must hold no double quote itself.
# shellcheck disable=SC2016
memmap_command='echo SHAPEVM_MEMMAP_ENTRIES=$(ls /sys/firmware/memmap | wc -l); for f in $(grep -l -x -e 0x1df6e000 -e 0x19500000 /sys/firmware/memmap/*/start); do d=${f%/start}; echo SHAPEVM_MEMMAP: $(cat $d/start)-$(cat $d/end) $(cat $d/type); done; dmesg | grep -v SHAPEVM >/tmp/dmesg; echo SHAPEVM_E820: $(grep -c BIOS-e820: /tmp/dmesg) BIOS-e820, $(grep -c extended: /tmp/dmesg) extended; grep BIOS-e820: /tmp/dmesg | tail -1; grep -e 1df6e000- -e 19500000- /tmp/dmesg | grep -e e820: -e extended:; grep MemTotal /proc/meminfo; exit 7'

# expect_memmap: the guest's firmware memory map has more than the zero page's
# 128 entries, and lists the RMRR and the last one-page region as Reserved.
expect_memmap() {
	entries=$(sed -n 's/^SHAPEVM_MEMMAP_ENTRIES=\([0-9]*\).*/\1/p' "/tmp/$name.out" | tail -1)
	if [ -z "$entries" ]; then
		fail "the guest printed no SHAPEVM_MEMMAP_ENTRIES line"
	elif [ "$entries" -le 128 ]; then
		fail "the guest's /sys/firmware/memmap has $entries entries, expected more than 128"
	fi
	grep -q -x 'SHAPEVM_MEMMAP: 0x1df6e000-0x1df84fff Reserved' "/tmp/$name.out" ||
		fail "the guest's firmware map has no 0x1df6e000-0x1df84fff Reserved (the RMRR)"
	grep -q -x 'SHAPEVM_MEMMAP: 0x19500000-0x19500fff Reserved' "/tmp/$name.out" ||
		fail "the guest's firmware map has no 0x19500000-0x19500fff Reserved (the last page, from SETUP_E820_EXT)"
}

# holes: Linux takes a map cut by host regions: a 92 KiB RMRR that is not
# 2 MiB aligned, and 150 pages, whose e820 entries past 128 come in a
# SETUP_E820_EXT setup_data blob.
case_holes() {
	write_holes_file
	run_vmm holes run --host-reserved "$holes_file" -k "$SHAPEVM_GUEST_KERNEL" \
		-i "$SHAPEVM_GUEST_INITRD" -m 512M -p "console=ttyS0 quiet -- \"$memmap_command\""
	expect_exit 0
	guest_spoke || return
	expect_memmap
	expect_memtotal_mib 400 512
	expect_guest_status 7
}

# plan-file: the same layout saved by plan --json is valid against the host
# file (plan --check) and boots with run --plan, without -m.
case_plan_file() {
	write_holes_file
	echo "SHAPEVM_CASE: plan-file: $SHAPEVM plan -m 512M --host-reserved $holes_file --json >/tmp/plan-file.json"
	"$SHAPEVM" plan -m 512M --host-reserved "$holes_file" --json \
		</dev/null >/tmp/plan-file.json 2>/tmp/plan-file.err
	status=$?
	sed 's/^/plan-file| /' /tmp/plan-file.err
	echo "SHAPEVM_CASE: plan-file: plan exit $status, $(wc -c </tmp/plan-file.json) bytes of JSON"
	if [ "$status" != 0 ]; then
		fail "plan --json exited $status: $(tail -1 /tmp/plan-file.err)"
		return
	fi
	run_vmm plan-file-check plan --check /tmp/plan-file.json --host-reserved "$holes_file"
	expect_exit 0
	run_vmm plan-file run --plan /tmp/plan-file.json -k "$SHAPEVM_GUEST_KERNEL" \
		-i "$SHAPEVM_GUEST_INITRD" -p "console=ttyS0 quiet -- \"$memmap_command\""
	expect_exit 0
	guest_spoke || return
	expect_memmap
	expect_memtotal_mib 400 512
	expect_guest_status 7
}

# virtio-blk: the guest reads 1 MiB that L1 wrote into the image (its hash
# must match), writes a marker with O_SYNC-like fsync and powers off; L1
# then finds the marker in the image file. Also the disk's size and serial.
blk_image=/tmp/vda.img
# shellcheck disable=SC2016
blk_command='echo SHAPEVM_BLK_READ=$(dd if=/dev/vda bs=1M skip=1 count=1 2>/dev/null | sha256sum | cut -c1-64); echo SHAPEVM-BLK-WRITTEN | dd of=/dev/vda bs=512 seek=100 conv=fsync 2>/dev/null; echo SHAPEVM_BLK_SIZE=$(cat /sys/block/vda/size); echo SHAPEVM_BLK_SERIAL=$(cat /sys/block/vda/serial); exit 7'
case_virtio_blk() {
	dd if=/dev/zero of="$blk_image" bs=1M count=8 2>/dev/null
	dd if=/dev/urandom of=/tmp/blk-pattern bs=1M count=1 2>/dev/null
	dd if=/tmp/blk-pattern of="$blk_image" bs=1M seek=1 conv=notrunc 2>/dev/null
	want=$(sha256sum /tmp/blk-pattern | cut -c1-64)
	run_vmm virtio-blk run --disk "$blk_image" -k "$SHAPEVM_GUEST_KERNEL" \
		-i "$SHAPEVM_GUEST_INITRD" -m 256M -p "console=ttyS0 quiet -- \"$blk_command\""
	expect_exit 0
	guest_spoke || return
	grep -q -x "SHAPEVM_BLK_READ=$want" "/tmp/$name.out" ||
		fail "the guest read $(grep -o 'SHAPEVM_BLK_READ=.*' "/tmp/$name.out" | tail -1), expected $want"
	grep -q -x 'SHAPEVM_BLK_SIZE=16384' "/tmp/$name.out" ||
		fail "the guest's /dev/vda is not 16384 sectors"
	grep -q -x 'SHAPEVM_BLK_SERIAL=vda.img' "/tmp/$name.out" ||
		fail "the guest's serial (GET_ID) is not vda.img"
	dd if="$blk_image" bs=512 skip=100 count=1 2>/dev/null | grep -q SHAPEVM-BLK-WRITTEN ||
		fail "the marker the guest wrote and flushed is not in the image file"
	expect_guest_status 7
}

# virtio-blk-direct: virtio-blk's checks with --disk IMG,direct (O_DIRECT),
# the image on an ext2 file system (ext4 driver) on a RAM disk (brd; run.sh
# put the modules in /virtio/modules): the guest reads what L1 wrote, and
# the marker it wrote and flushed is in the image file; its blk_size is
# O_DIRECT's unit on brd, 512; none of its requests took the bounce buffer.
# Before that, on L1's tmpfs, which refuses O_DIRECT (Linux 6.1), shapevm
# must stop with exit 1 and one error line that names the disk.
direct_dir=/disk
# shellcheck disable=SC2016
direct_command='echo SHAPEVM_BLK_READ=$(dd if=/dev/vda bs=1M skip=1 count=1 iflag=direct 2>/dev/null | sha256sum | cut -c1-64); echo SHAPEVM-BLK-DIRECT | dd of=/dev/vda bs=512 seek=100 conv=fsync 2>/dev/null; echo SHAPEVM_BLK_SIZE=$(cat /sys/block/vda/size); echo SHAPEVM_BLK_LBS=$(cat /sys/block/vda/queue/logical_block_size); exit 7'
direct_mount() {
	grep -q " $direct_dir " /proc/mounts && return
	[ -f /virtio/modules/order ] || { fail "no /virtio/modules/order in L1 (run.sh stages brd and ext4)"; return 1; }
	while read -r path; do
		module=$(basename "$path" .ko)
		[ -d "/sys/module/$(echo "$module" | tr - _)" ] && continue
		params=
		[ "$module" = brd ] && params="rd_nr=1 rd_size=32768 max_part=0"
		# $params is split on purpose.
		# shellcheck disable=SC2086
		insmod "/virtio/modules/$path" $params || { fail "insmod $module failed"; return 1; }
	done </virtio/modules/order
	mkdir -p "$direct_dir"
	if ! mke2fs -q -m 0 -b 4096 /dev/ram0 >/dev/null 2>&1 ||
		! mount -t ext4 /dev/ram0 "$direct_dir"; then
		fail "cannot make and mount an ext2 file system on /dev/ram0"
		return 1
	fi
}
case_virtio_blk_direct() {
	refused=/tmp/refused.img
	dd if=/dev/zero of="$refused" bs=1M count=1 2>/dev/null
	if dd if="$refused" of=/dev/null bs=4096 count=1 iflag=direct 2>/dev/null; then
		echo "virtio-blk-direct: L1's tmpfs takes O_DIRECT: the error is not checked"
	else
		run_vmm virtio-blk-direct run --disk "$refused,direct" -k "$SHAPEVM_GUEST_KERNEL" \
			-i "$SHAPEVM_GUEST_INITRD" -m 256M -p "console=ttyS0 quiet"
		expect_exit 1
		if [ "$(grep -c . "/tmp/$name.out")" != 1 ] ||
			! grep -q "^shapevm: --disk $refused: the file system refuses O_DIRECT.*drop \",direct\"\$" "/tmp/$name.out"; then
			fail "on tmpfs, not the one-line O_DIRECT error: $(head -n 1 "/tmp/$name.out")"
		fi
	fi
	rm -f "$refused"
	direct_mount || return
	image=$direct_dir/vda.img
	dd if=/dev/zero of="$image" bs=1M count=8 2>/dev/null
	dd if=/dev/urandom of=/tmp/blk-pattern bs=1M count=1 2>/dev/null
	dd if=/tmp/blk-pattern of="$image" bs=1M seek=1 conv=notrunc 2>/dev/null
	sync
	want=$(sha256sum /tmp/blk-pattern | cut -c1-64)
	run_vmm virtio-blk-direct run -v --disk "$image,direct" -k "$SHAPEVM_GUEST_KERNEL" \
		-i "$SHAPEVM_GUEST_INITRD" -m 256M -p "console=ttyS0 quiet -- \"$direct_command\""
	expect_exit 0
	guest_spoke || return
	grep -q 'with O_DIRECT' "/tmp/$name.out" || fail "shapevm did not say it opened the image with O_DIRECT"
	# Linux sends aligned requests: all of them go straight to the file.
	grep -q 'virtio-blk0: 0 requests went through the O_DIRECT bounce buffer' "/tmp/$name.out" ||
		fail "a Linux guest's requests took the bounce buffer: $(grep -o '[0-9]* requests went through.*' "/tmp/$name.out")"
	grep -q -x "SHAPEVM_BLK_READ=$want" "/tmp/$name.out" ||
		fail "the guest read $(grep -o 'SHAPEVM_BLK_READ=.*' "/tmp/$name.out" | tail -1), expected $want"
	grep -q -x 'SHAPEVM_BLK_SIZE=16384' "/tmp/$name.out" ||
		fail "the guest's /dev/vda is not 16384 sectors"
	grep -q -x 'SHAPEVM_BLK_LBS=512' "/tmp/$name.out" ||
		fail "the guest's logical block size is $(grep -o 'SHAPEVM_BLK_LBS=.*' "/tmp/$name.out" | tail -1), expected 512 (brd's)"
	# Past L1's page cache too: what the file system has on the RAM disk.
	echo 3 >/proc/sys/vm/drop_caches
	dd if="$image" bs=512 skip=100 count=1 2>/dev/null | grep -q SHAPEVM-BLK-DIRECT ||
		fail "the marker the guest wrote and flushed is not in the image file"
	expect_guest_status 7
	rm -f "$image"
}

# virtio-ext4-ro: an ext4 image made on the outer host (run.sh, mkfs.ext4 -d)
# attached read-only: the guest mounts it and hashes a file; a write to the
# disk fails inside the guest and the image stays as it was.
ext4_image=/virtio/ext4.img
# shellcheck disable=SC2016
ext4_command='mkdir -p /mnt; mount -t ext4 -o ro /dev/vda /mnt || dmesg | tail -4; echo SHAPEVM_EXT4_HASH=$(sha256sum /mnt/hello.txt | cut -c1-64); echo SHAPEVM_RO=$(cat /sys/block/vda/ro); echo x | dd of=/dev/vda bs=512 count=1 conv=fsync 2>/dev/null; echo SHAPEVM_WRITE_STATUS=$?; umount /mnt; exit 7'
case_virtio_ext4_ro() {
	if [ ! -f "$ext4_image" ]; then
		fail "no $ext4_image in L1 (run.sh builds it with mkfs.ext4 from e2fsprogs)"
		return
	fi
	before=$(sha256sum "$ext4_image" | cut -c1-64)
	want=$(cat /virtio/hello.sha256)
	run_vmm virtio-ext4-ro run --disk "$ext4_image,ro" -k "$SHAPEVM_GUEST_KERNEL" \
		-i "$SHAPEVM_GUEST_INITRD" -m 256M -p "console=ttyS0 quiet -- \"$ext4_command\""
	expect_exit 0
	guest_spoke || return
	grep -q -x "SHAPEVM_EXT4_HASH=$want" "/tmp/$name.out" ||
		fail "the guest hashed hello.txt as $(grep -o 'SHAPEVM_EXT4_HASH=.*' "/tmp/$name.out" | tail -1), expected $want"
	grep -q -x 'SHAPEVM_RO=1' "/tmp/$name.out" || fail "the guest's /dev/vda is not read-only"
	grep -q -x 'SHAPEVM_WRITE_STATUS=0' "/tmp/$name.out" &&
		fail "a write to the read-only disk succeeded in the guest"
	[ "$(sha256sum "$ext4_image" | cut -c1-64)" = "$before" ] ||
		fail "the read-only image changed"
	expect_guest_status 7
}

# virtio-rng: the guest's hwrng is virtio's and gives bytes.
# shellcheck disable=SC2016
rng_command='echo SHAPEVM_RNG=$(cat /sys/class/misc/hw_random/rng_current); echo SHAPEVM_RNG_BYTES=$(dd if=/dev/hwrng bs=32 count=1 2>/dev/null | wc -c); exit 7'
case_virtio_rng() {
	run_vmm virtio-rng run --rng -k "$SHAPEVM_GUEST_KERNEL" \
		-i "$SHAPEVM_GUEST_INITRD" -m 256M -p "console=ttyS0 quiet -- \"$rng_command\""
	expect_exit 0
	guest_spoke || return
	grep -q '^SHAPEVM_RNG=virtio_rng' "/tmp/$name.out" ||
		fail "the guest's hwrng is $(grep -o 'SHAPEVM_RNG=.*' "/tmp/$name.out" | tail -1), expected virtio_rng"
	grep -q -x 'SHAPEVM_RNG_BYTES=32' "/tmp/$name.out" ||
		fail "the guest read $(grep -o 'SHAPEVM_RNG_BYTES=.*' "/tmp/$name.out" | tail -1) bytes from /dev/hwrng, expected 32"
	expect_guest_status 7
}

# virtio-console: the guest's console is hvc0; what /init prints reaches
# shapevm's stdout through virtio-console, not the UART.
case_virtio_console() {
	run_vmm virtio-console run --console virtio -k "$SHAPEVM_GUEST_KERNEL" \
		-i "$SHAPEVM_GUEST_INITRD" -m 256M -p "console=hvc0 quiet -- \"echo SHAPEVM_TTY=\$(cat /sys/class/tty/console/active); exit 7\""
	expect_exit 0
	guest_spoke || return
	grep -q -x 'SHAPEVM_TTY=hvc0' "/tmp/$name.out" ||
		fail "the guest's console is $(grep -o 'SHAPEVM_TTY=.*' "/tmp/$name.out" | tail -1), expected hvc0"
	expect_guest_status 7
}

# virtio-net: shapevm creates tap0; L1 gives it 10.0.2.1 and serves a file
# over HTTP. The guest pings L1, fetches the file over TCP and hashes it;
# L1 pings the guest meanwhile. Both directions of ICMP and a TCP transfer.
# virtio-net moves the frames with vhost-net (L1 loads vhost_net),
# virtio-net-novhost through shapevm's own data path (--no-vhost); -v says which.
# shellcheck disable=SC2016
net_command='ip addr add 10.0.2.15/24 dev eth0; ip link set eth0 up; ping -c 2 -W 5 10.0.2.1 >/dev/null && echo SHAPEVM_PING=ok; wget -q -O /tmp/f http://10.0.2.1:8080/netfile && echo SHAPEVM_NET_HASH=$(sha256sum /tmp/f | cut -c1-64); sleep 4; exit 7'
case_virtio_net() {
	name=$1
	path=$2
	shift 2
	mkdir -p /tmp/www
	dd if=/dev/urandom of=/tmp/www/netfile bs=1k count=2048 2>/dev/null
	want=$(sha256sum /tmp/www/netfile | cut -c1-64)
	httpd -p 8080 -h /tmp/www
	rm -f /tmp/l1-ping
	vmm_start "$name" run -v "$@" --net tap=tap0 -k "$SHAPEVM_GUEST_KERNEL" \
		-i "$SHAPEVM_GUEST_INITRD" -m 256M -p "console=ttyS0 quiet -- \"$net_command\""
	# The tap exists once shapevm has set up the device.
	tries=0
	while [ ! -e /sys/class/net/tap0 ] && [ $tries -lt 100 ]; do
		sleep 0.1
		tries=$((tries + 1))
	done
	ip addr add 10.0.2.1/24 dev tap0 && ip link set tap0 up
	# Until the guest answers or ends: a ping that fails at once (no route,
	# no ARP answer yet) must not use the tries up before the guest is up.
	deadline=$(($(centiseconds) + case_timeout * 100))
	while kill -0 "$vmm_pid" 2>/dev/null && [ "$(centiseconds)" -lt "$deadline" ]; do
		if ping -c 1 -W 1 10.0.2.15 >/dev/null 2>&1; then
			echo ok >/tmp/l1-ping
			break
		fi
		sleep 1
	done
	vmm_wait
	killall httpd 2>/dev/null
	expect_exit 0
	guest_spoke || return
	grep -q "tap tap0 (created).*$path" "/tmp/$name.out" ||
		fail "shapevm did not say the frames go $path"
	grep -q -x 'SHAPEVM_PING=ok' "/tmp/$name.out" || fail "the guest could not ping L1 over the tap"
	[ -s /tmp/l1-ping ] || fail "L1 could not ping the guest"
	grep -q -x "SHAPEVM_NET_HASH=$want" "/tmp/$name.out" ||
		fail "the file the guest fetched hashes $(grep -o 'SHAPEVM_NET_HASH=.*' "/tmp/$name.out" | tail -1), expected $want"
	expect_guest_status 7
}

# vfio-edu, vfio-edu-intel: /vfio-edu (tests/l1/x86/vfio-edu.c, built on
# shapevm's vfio/ and its planner; no guest, no KVM) on the edu device: the
# host facts through its own type1v2 container, a 256M plan around them, the
# planned RAM banks mapped for DMA (and nothing else), edu copying 2048 bytes
# from guest RAM into its buffer and back to another guest address, edu's
# MSI on an eventfd, and mappings onto the group's reserved regions or past
# RLIMIT_MEMLOCK refused by shapevm before any ioctl. vfio-edu runs in the
# AMD L1, where the HyperTransport hole must be refused too; vfio-edu-intel
# in the L1 run.sh boots with intel-iommu, where the ISA bridge's group has
# a direct-relaxable 0-16 MiB that x86's zero page cannot avoid without
# --allow-relaxable.
case_vfio_edu() {
	iommu=$1
	if [ -z "${SHAPEVM_EDU_BDF:-}" ]; then
		fail "L1 has no edu device bound to vfio-pci (see the SHAPEVM_L1 lines)"
		return
	fi
	if [ ! -x /vfio-edu ]; then
		fail "no /vfio-edu in L1 (make STATIC=1 builds it beside shapevm; run.sh copies it)"
		return
	fi
	# The AMD IOMMU registers as ivhdN, Intel's as dmarN.
	case $iommu in
	amd) kind=ivhd ;;
	intel) kind=dmar ;;
	esac
	found=
	for dev in /sys/class/iommu/"$kind"*; do
		[ -e "$dev" ] && found=1
	done
	if [ -z "$found" ]; then
		fail "L1's IOMMU is not $iommu's (/sys/class/iommu: $(echo /sys/class/iommu/*))"
		return
	fi
	shapevm=$SHAPEVM
	SHAPEVM=/vfio-edu
	run_vmm "$case_name" -m 256 "$SHAPEVM_EDU_BDF"
	SHAPEVM=$shapevm
	out=/tmp/$name.out
	if [ "$vmm_status" != 0 ]; then
		fail "vfio-edu exited $vmm_status: $(grep -m1 -e '^vfio-edu: FAIL: ' -e '^shapevm: ' "$out" || tail -1 "$out")"
	fi
	expect_line "$out" '^0x00000000fee00000 0x00000000feefffff msi( |$)' \
		"host facts msi 0xfee00000-0xfeefffff"
	expect_line "$out" '^iova-range ' "host facts iova-range (VFIO_IOMMU_GET_INFO)"
	expect_line "$out" '^vfio-edu: ok: past RLIMIT_MEMLOCK, shapevm refuses' \
		"RLIMIT_MEMLOCK refusal"
	expect_line "$out" '^vfio-edu: ok: mapped the plan.s [0-9]+ RAM banks' "RAM mapped"
	expect_line "$out" '^vfio-edu: ok: BAR0 identity register reads 0x010000ed$' \
		"BAR0 identity 0x010000ed"
	expect_line "$out" '^vfio-edu: ok: edu.s MSI arrived on the eventfd' "MSI"
	expect_line "$out" '^vfio-edu: ok: DMA round trip of 2048 bytes' "DMA round trip"
	expect_line "$out" '^vfio-edu: ok: refused by shapevm before any ioctl: ram-on-msi 0xfee00000-0xfee00fff: overlaps the host.s msi region 0xfee00000-0xfeefffff' \
		"msi window refused"
	if [ "$iommu" = amd ]; then
		expect_line "$out" '^vfio-edu: ok: refused by shapevm before any ioctl: ram-on-reserved 0xfd00000000-0xfd00000fff: overlaps the host.s reserved region 0xfd00000000-0xffffffffff' \
			"HyperTransport hole refused"
	else
		expect_line "$out" '^vfio-edu: ok: no plan around a direct-relaxable region at 0' \
			"no plan without --allow-relaxable"
		expect_line "$out" '^vfio-edu: ok: without it, the DMA check refuses ram0: .*direct-relaxable region 0x0-0xffffff' \
			"relaxable refusal"
	fi
	expect_line "$out" '^vfio-edu: ok: unmapped [0-9]+ DMA mappings$' "unmapped"
}

# vfio-assign, vfio-assign-intel: shapevm run --vfio gives edu (bound to
# vfio-pci behind L1's AMD or Intel IOMMU) to an L2 guest. The guest finds
# it by its device ID, reads BAR0's identity register at the address shapevm
# placed the BAR (a KVM memslot over VFIO's mmap of it), then without a
# driver programs edu's MSI capability (address 0xfee00000, vector 0xdf,
# which no guest driver owns), turns on bus mastering and has edu raise an
# interrupt: Linux's "No irq handler for vector" shows it arrived. The plan
# printed by -v keeps RAM off the msi window and shows, with AMD, the
# HyperTransport hole above the guest's map. In the AMD L1 it runs after the
# bad-input cases, so it also shows their failures left edu usable.
# With Intel, only the ISA bridge's group has the direct-relaxable 0-16 MiB
# (Linux's floppy workaround), not the group of the edu at 00:01.0, which
# plans without --allow-relaxable. So vfio-assign-intel assigns the edu that
# run-l1.sh puts at 00:1f.4, in the ISA bridge's group (with the ISA,
# SATA and SMBus functions, all on no driver): x86's zero page and low RAM
# cannot avoid 0-16 MiB, so without --allow-relaxable shapevm must refuse
# with one line naming the flag (exit 1, a plan that cannot be made;
# docs/contracts.md) and start no guest; with it, the plan puts RAM there
# and says so, and the guest gets edu as above.
# shellcheck disable=SC2016
edu_command='for d in /sys/bus/pci/devices/*; do [ $(cat $d/device) = 0x11e8 ] && D=$d; done; c=$D/config; r=$(head -1 $D/resource); b=${r%% *}; echo SHAPEVM_EDU_ID=$(devmem $b 32); w() { printf $2 | dd of=$c bs=1 seek=$1 conv=notrunc 2>/dev/null; }; m=$(($(dd if=$c bs=1 skip=52 count=1 2>/dev/null | od -An -tu1))); w $((m+4)) \\0\\0\\340\\376; w $((m+8)) \\0\\0\\0\\0; w $((m+12)) \\337\\0; w $((m+2)) \\201; w 4 \\6; devmem $((b+0x60)) 32 1; sleep 1; dmesg | grep -q No.irq.handler && echo SHAPEVM_EDU_MSI=delivered; exit 7'
case_vfio_assign() {
	iommu=$1
	bdf=${SHAPEVM_EDU_BDF:-}
	relax=
	if [ "$iommu" = intel ]; then
		needs_device "$bdf" "edu device bound to vfio-pci" || return
		# edu's own group: only the msi window, a plan without the flag.
		run_vmm vfio-assign-intel-own plan -m 256M --vfio "$bdf"
		expect_exit 0
		grep -q ' direct-relaxable ' /tmp/vfio-assign-intel-own.out &&
			fail "edu $bdf's own group has a direct-relaxable region: $(grep ' direct-relaxable ' /tmp/vfio-assign-intel-own.out | head -n 1)"
		bdf=${SHAPEVM_EDU_LPC_BDF:-}
		needs_device "$bdf" "edu at 00:1f.4 bound to vfio-pci (the ISA bridge's group)" || return
		run_vmm vfio-assign-intel-strict run --vfio "$bdf" -k "$SHAPEVM_GUEST_KERNEL" \
			-i "$SHAPEVM_GUEST_INITRD" -m 256M -p "console=ttyS0 quiet -- exit 7"
		expect_exit 1
		expect_one_error "^shapevm: no memory plan: .*direct-relaxable 0x0-0xffffff.*--allow-relaxable" \
			"without --allow-relaxable"
		expect_intact "$bdf" --allow-relaxable
		relax=--allow-relaxable
	fi
	needs_device "$bdf" "edu device bound to vfio-pci" || return
	# $relax is empty or one word, split on purpose.
	# shellcheck disable=SC2086
	run_vmm "$case_name" run -v $relax --vfio "$bdf" \
		-k "$SHAPEVM_GUEST_KERNEL" -i "$SHAPEVM_GUEST_INITRD" -m 256M \
		-p "console=ttyS0 quiet -- \"$edu_command\""
	expect_exit 0
	out=/tmp/$name.out
	expect_line "$out" "^0x00000000fee00000 0x00000000feefffff msi +this host +the guest's MSI doorbell sits on it" \
		"host msi window 0xfee00000-0xfeefffff under the guest's doorbell"
	if [ "$iommu" = amd ]; then
		expect_line "$out" "^0x000000fd00000000 0x000000ffffffffff reserved +this host +above the guest's map" \
			"HyperTransport hole 0xfd00000000-0xffffffffff \"above the guest's map\""
	else
		expect_line "$out" "^0x0000000000000000 0x0000000000ffffff direct-relaxable +this host +RAM placed on it \\(--allow-relaxable\\)" \
			"direct-relaxable 0x0-0xffffff \"RAM placed on it (--allow-relaxable)\""
	fi
	# No RAM bank of the plan reaches the msi window.
	awk '$4 == "ram" && $2 >= "0x00000000fee00000" && $1 <= "0x00000000feefffff"' "$out" |
		grep -q . && fail "a RAM bank overlaps 0xfee00000-0xfeefffff"
	guest_spoke || return
	grep -q -i '^SHAPEVM_EDU_ID=0x010000ED' "$out" ||
		fail "the guest read edu's identity as $(grep -o 'SHAPEVM_EDU_ID=.*' "$out" | tail -1), expected 0x010000ED"
	grep -q '^SHAPEVM_EDU_MSI=delivered' "$out" ||
		fail "edu's MSI did not reach the guest (no \"No irq handler for vector\")"
	expect_guest_status 7
}

# The bad-input cases: run --vfio with a device or plan shapevm must refuse.
# Each refusal is exit 1 and exactly one line, "shapevm: ..." with the words
# a user needs, and no guest (nothing else printed). Afterwards nothing may
# be left half-done: edu is still bound to vfio-pci, and its group is free
# and viable, which plan --vfio proves cheaply by opening it, putting it
# in a type1v2 container and planning around its facts; the devices the
# refusal was about keep their drivers. vfio-assign, after these in the AMD
# L1, then assigns edu for real.

# expect_one_error REGEX WHAT: shapevm's whole output is one line matching
# the extended REGEX.
expect_one_error() {
	lines=$(grep -c . "/tmp/$name.out")
	if [ "$lines" != 1 ]; then
		fail "$2: $lines lines of output, expected one error line (first: $(head -n 1 "/tmp/$name.out"))"
	elif ! grep -q -E "$1" "/tmp/$name.out"; then
		fail "$2: not the expected error: $(cat "/tmp/$name.out")"
	fi
}

# expect_driver BDF DRIVER: the device is bound to DRIVER (sysfs).
expect_driver() {
	if [ -e "/sys/bus/pci/devices/$1/driver" ]; then
		bound=$(basename "$(readlink "/sys/bus/pci/devices/$1/driver")")
	else
		bound="no driver"
	fi
	[ "$bound" = "$2" ] || fail "after $name, $1 is bound to $bound, not $2"
}

# expect_intact BDF [FLAG...]: the device kept vfio-pci, and its group can
# be opened and attached to a container again (plan --vfio, with FLAGs).
# expect_edu_intact: the same for the edu most cases assign.
expect_intact() {
	device=$1
	shift
	expect_driver "$device" vfio-pci
	refused_run=$name
	echo "SHAPEVM_CASE: $refused_run: $device still usable? $SHAPEVM plan -m 256M $* --vfio $device"
	if ! "$SHAPEVM" plan -m 256M "$@" --vfio "$device" </dev/null >/tmp/intact.out 2>&1; then
		fail "after $refused_run, plan --vfio $device fails: $(grep '^shapevm: ' /tmp/intact.out | tail -1)"
	fi
}
expect_edu_intact() {
	expect_intact "$SHAPEVM_EDU_BDF"
}

# needs_device VAR WHAT: L1 has the device (its variable is set).
needs_device() {
	[ -n "$1" ] && return
	fail "L1 has no $2 (see the SHAPEVM_L1 lines)"
	return 1
}

# vfio-unbound: a device on its own driver (the e1000 behind the bridge, on
# e1000) and one on no driver (q35's ISA bridge, 00:1f.0: lpc_ich is not
# loaded in L1) are refused, each naming the device, its driver and vfio-pci.
case_vfio_unbound() {
	needs_device "${SHAPEVM_EDU_BDF:-}" "edu device bound to vfio-pci" || return
	needs_device "${SHAPEVM_E1000_BDF:-}" "e1000 behind its PCI bridge" || return
	e1000=$SHAPEVM_E1000_BDF
	run_vmm vfio-unbound run --vfio "$e1000" -k "$SHAPEVM_GUEST_KERNEL" \
		-i "$SHAPEVM_GUEST_INITRD" -m 256M -p "console=ttyS0 quiet -- exit 7"
	expect_exit 1
	expect_one_error "^shapevm: --vfio $e1000 is bound to e1000, not vfio-pci \\(unbind it and bind it to vfio-pci\\)\$" \
		"a device on e1000"
	expect_driver "$e1000" e1000
	expect_edu_intact
	isa=0000:00:1f.0
	if [ -e "/sys/bus/pci/devices/$isa/driver" ]; then
		echo "vfio-unbound: $isa has a driver in this L1: the no-driver message is not checked"
	else
		run_vmm vfio-unbound-none run --vfio "$isa" -k "$SHAPEVM_GUEST_KERNEL" \
			-i "$SHAPEVM_GUEST_INITRD" -m 256M -p "console=ttyS0 quiet -- exit 7"
		expect_exit 1
		expect_one_error "^shapevm: --vfio $isa is bound to no driver \\(bind it to vfio-pci\\)\$" \
			"a device on no driver"
		expect_edu_intact
	fi
}

# vfio-group-peer: the second edu, bound to vfio-pci, shares its IOMMU group
# (devices behind a conventional PCI bridge share its requester ID) with the
# e1000, which stays on e1000: the group is not viable, and the error names
# the e1000 and its driver and says to unbind it.
case_vfio_group_peer() {
	needs_device "${SHAPEVM_EDU_BDF:-}" "edu device bound to vfio-pci" || return
	needs_device "${SHAPEVM_EDU_PEER_BDF:-}" "second edu behind the PCI bridge bound to vfio-pci" || return
	needs_device "${SHAPEVM_E1000_BDF:-}" "e1000 behind its PCI bridge" || return
	peer=$SHAPEVM_EDU_PEER_BDF e1000=$SHAPEVM_E1000_BDF
	group=$(basename "$(readlink "/sys/bus/pci/devices/$peer/iommu_group")")
	if [ ! -e "/sys/kernel/iommu_groups/$group/devices/$e1000" ]; then
		fail "$peer and $e1000 are not in one IOMMU group (group $group: $(cd "/sys/kernel/iommu_groups/$group/devices" && echo *))"
		return
	fi
	run_vmm vfio-group-peer run --vfio "$peer" -k "$SHAPEVM_GUEST_KERNEL" \
		-i "$SHAPEVM_GUEST_INITRD" -m 256M -p "console=ttyS0 quiet -- exit 7"
	expect_exit 1
	expect_one_error "^shapevm: --vfio $peer: IOMMU group $group is not viable: $e1000 is bound to e1000 \\(unbind it or bind it to vfio-pci\\)\$" \
		"a group with a bound peer"
	expect_driver "$peer" vfio-pci
	expect_driver "$e1000" e1000
	expect_edu_intact
}

# vfio-missing: an address with no device behind it, and one that is not a
# PCI address at all.
case_vfio_missing() {
	needs_device "${SHAPEVM_EDU_BDF:-}" "edu device bound to vfio-pci" || return
	run_vmm vfio-missing run --vfio 0000:00:1f.7 -k "$SHAPEVM_GUEST_KERNEL" \
		-i "$SHAPEVM_GUEST_INITRD" -m 256M -p "console=ttyS0 quiet -- exit 7"
	expect_exit 1
	expect_one_error '^shapevm: --vfio 0000:00:1f.7: no such PCI device \(/sys/bus/pci/devices/0000:00:1f.7: No such file or directory\)$' \
		"no such device"
	expect_edu_intact
	run_vmm vfio-missing-malformed run --vfio 0000:00:02 -k "$SHAPEVM_GUEST_KERNEL" \
		-i "$SHAPEVM_GUEST_INITRD" -m 256M -p "console=ttyS0 quiet -- exit 7"
	expect_exit 2	# a usage error: the address is checked as it is read
	expect_one_error '^shapevm: --vfio "0000:00:02": not a PCI address \(DDDD:BB:DD.F or BB:DD.F' \
		"a malformed address"
	expect_edu_intact
}

# vfio-collide: edu's group with a host file whose reserved region takes all
# of 4 GiB up to AMD's HyperTransport hole, which edu's group reserves from
# there to L1's 40 phys-bits: 4G of RAM has no room. The planner says what
# does not fit, what the host regions take and how much would.
case_vfio_collide() {
	needs_device "${SHAPEVM_EDU_BDF:-}" "edu device bound to vfio-pci" || return
	echo "0x0000000100000000 0x000000fcffffffff reserved" >/tmp/collide-host.txt
	run_vmm vfio-collide run --vfio "$SHAPEVM_EDU_BDF" --host-reserved /tmp/collide-host.txt \
		-k "$SHAPEVM_GUEST_KERNEL" -i "$SHAPEVM_GUEST_INITRD" -m 4G \
		-p "console=ttyS0 quiet -- exit 7"
	expect_exit 1
	expect_one_error '^shapevm: no memory plan: 4G of RAM does not fit: only [0-9.]+[MG] fits below 0x[0-9a-f]+, .*host reserved regions take .*Ask for at most ' \
		"4G beside the reserved regions"
	expect_edu_intact
}

# virtio-blk-intx, virtio-blk-intx-acpi-off: the guest boots with pci=nomsi,
# so virtio-pci falls back to INTx: the disk (device 1, INTA) must sit on
# IOAPIC pin (GSI) 17 as level (fasteoi; Linux numbers the IRQ as it likes),
# the line found through ACPI's _PRT, or
# with acpi=off through the MP table's PCI entries, and its interrupt count
# must rise while the guest reads 1 MiB that L1 wrote (its hash must match).
# Without ACPI the guest cannot power off: that one ends by reset (3).
# shellcheck disable=SC2016
intx_command='echo SHAPEVM_INTX_BEFORE=$(grep -m1 virtio /proc/interrupts); echo SHAPEVM_BLK_READ=$(dd if=/dev/vda bs=1M skip=1 count=1 2>/dev/null | sha256sum | cut -c1-64); echo SHAPEVM_INTX_AFTER=$(grep -m1 virtio /proc/interrupts); grep -c PCI-MSI /proc/interrupts | sed s/^/SHAPEVM_MSI_LINES=/; exit 7'
# intx_count WHEN: the interrupt count of the guest's SHAPEVM_INTX_WHEN line.
intx_count() {
	sed -n "s/^SHAPEVM_INTX_$1= *[0-9]*: \([0-9]*\) .*/\1/p" "/tmp/$name.out" | tail -1
}
case_virtio_blk_intx() {
	params="console=ttyS0 quiet pci=nomsi" status=0
	if [ "$1" = acpi-off ]; then
		params="$params acpi=off reboot=k shapevm.end=reboot" status=3
	fi
	dd if=/dev/zero of="$blk_image" bs=1M count=8 2>/dev/null
	dd if=/dev/urandom of=/tmp/blk-pattern bs=1M count=1 2>/dev/null
	dd if=/tmp/blk-pattern of="$blk_image" bs=1M seek=1 conv=notrunc 2>/dev/null
	want=$(sha256sum /tmp/blk-pattern | cut -c1-64)
	run_vmm "$case_name" run --disk "$blk_image" -k "$SHAPEVM_GUEST_KERNEL" \
		-i "$SHAPEVM_GUEST_INITRD" -m 256M -p "$params -- \"$intx_command\""
	expect_exit "$status"
	guest_spoke || return
	grep -q -x "SHAPEVM_BLK_READ=$want" "/tmp/$name.out" ||
		fail "the guest read $(grep -o 'SHAPEVM_BLK_READ=.*' "/tmp/$name.out" | tail -1), expected $want"
	grep -q -E -x 'SHAPEVM_INTX_BEFORE= *[0-9]+: [0-9]+ IO-APIC 17-fasteoi virtio0' "/tmp/$name.out" ||
		fail "virtio0 is not on IO-APIC 17-fasteoi: $(grep -o 'SHAPEVM_INTX_BEFORE=.*' "/tmp/$name.out" | tail -1)"
	before=$(intx_count BEFORE) after=$(intx_count AFTER)
	if [ -z "$before" ] || [ -z "$after" ] || [ "$after" -le "$before" ]; then
		fail "virtio0's INTx count did not rise over the read (${before:-?} then ${after:-?})"
	fi
	grep -q -x 'SHAPEVM_MSI_LINES=0' "/tmp/$name.out" ||
		fail "the guest has MSI interrupts despite pci=nomsi"
	expect_guest_status 7
}

# vfio-intx: edu assigned with run --vfio, and in the guest bound to
# uio_pci_generic, which takes edu's INTx (pin A, shapevm's line for slot
# 1: IOAPIC pin 17, whatever IRQ number Linux gives it). Twice: a read of /dev/uio0 waits (under a 10 s timeout) while
# edu's raise register (BAR0+0x60) is written; it returns the interrupt
# count only if the INTx arrived (VFIO's trigger eventfd -> KVM's resample
# irqfd -> the IOAPIC). uio_pci_generic's handler masks it by setting the
# command register's INTx Disable (the status register's Interrupt bit,
# read from edu, told it the interrupt was edu's); the guest then acks edu
# (+0x64) and clears INTx Disable through sysfs config, as uio-howto says;
# the second read returns only once vfio-pci has unmasked the pin again.
# shellcheck disable=SC2016
uio_command='. /lib/shapevm/modules.sh; modules_load uio_pci_generic >/dev/null; for d in /sys/bus/pci/devices/*; do [ $(cat $d/device) = 0x11e8 ] && D=$d; done; echo 1234 11e8 >/sys/bus/pci/drivers/uio_pci_generic/new_id; r=$(head -1 $D/resource); b=${r%% *}; echo SHAPEVM_EDU_IRQ=$(cat $D/irq); for n in 1 2; do timeout 10 dd if=/dev/uio0 of=/tmp/u$n bs=4 count=1 2>/dev/null & p=$!; sleep 1; devmem $((b+0x60)) 32 $n; wait $p; echo SHAPEVM_UIO_$n=$(od -An -tu4 /tmp/u$n); devmem $((b+0x64)) 32 $n; c=$(dd if=$D/config bs=1 skip=5 count=1 2>/dev/null | od -An -tu1); echo SHAPEVM_INTX_DISABLED_$n=$((c >> 2 & 1)); printf \\$(printf %o $((c & 251))) | dd of=$D/config bs=1 seek=5 conv=notrunc 2>/dev/null; done; echo SHAPEVM_UIO_IRQ=$(grep uio /proc/interrupts); exit 7'
case_vfio_intx() {
	if [ -z "${SHAPEVM_EDU_BDF:-}" ]; then
		fail "L1 has no edu device bound to vfio-pci (see the SHAPEVM_L1 lines)"
		return
	fi
	run_vmm vfio-intx run -v --vfio "$SHAPEVM_EDU_BDF" -k "$SHAPEVM_GUEST_KERNEL" \
		-i "$SHAPEVM_GUEST_INITRD" -m 256M -p "console=ttyS0 quiet -- \"$uio_command\""
	expect_exit 0
	out=/tmp/vfio-intx.out
	expect_line "$out" "INTx pin A on line 17 \\(resample irqfd on GSI 17\\)" \
		"\"INTx pin A on line 17\" from shapevm"
	guest_spoke || return
	grep -q -x 'SHAPEVM_UIO_1= *1' "$out" ||
		fail "the first INTx did not arrive ($(grep -o 'SHAPEVM_UIO_1=.*' "$out" | tail -1))"
	grep -q -x 'SHAPEVM_UIO_2= *2' "$out" ||
		fail "the second INTx did not arrive ($(grep -o 'SHAPEVM_UIO_2=.*' "$out" | tail -1))"
	grep -q -x 'SHAPEVM_INTX_DISABLED_1=1' "$out" ||
		fail "uio_pci_generic's handler did not set INTx Disable after the first INTx"
	grep -q -E '^SHAPEVM_UIO_IRQ= *[0-9]+: 2 IO-APIC 17-fasteoi uio_pci_generic$' "$out" ||
		fail "uio_pci_generic is not on IO-APIC 17-fasteoi with 2 interrupts: $(grep -o 'SHAPEVM_UIO_IRQ=.*' "$out" | tail -1)"
	expect_guest_status 7
}

# needs_kvm CASE: the case boots an L2 guest, which needs L1's /dev/kvm.
needs_kvm() {
	case $1 in
	host-facts | vfio-edu*) return 1 ;;
	esac
}

# The list is split into arguments on purpose.
# shellcheck disable=SC2086
[ $# -gt 0 ] || set -- $all_cases
for case_name in "$@"; do
	if needs_kvm "$case_name" && [ "${SHAPEVM_L1_KVM:-0}" != 1 ]; then
		echo "SHAPEVM_RESULT: not ok $case_name: L1 has no /dev/kvm (kvm_amd did not load; see the L1 log)"
		continue
	fi
	case $case_name in
	boot-smp) case_boot_smp ;;
	reset) case_reset ;;
	poweroff) case_poweroff ;;
	acpi-off) case_acpi_off ;;
	host-facts) case_host_facts ;;
	holes) case_holes ;;
	plan-file) case_plan_file ;;
	virtio-blk) case_virtio_blk ;;
	virtio-blk-direct) case_virtio_blk_direct ;;
	virtio-ext4-ro) case_virtio_ext4_ro ;;
	virtio-rng) case_virtio_rng ;;
	virtio-console) case_virtio_console ;;
	virtio-net) case_virtio_net virtio-net vhost-net ;;
	virtio-net-novhost) case_virtio_net virtio-net-novhost "served by shapevm" --no-vhost ;;
	vfio-edu) case_vfio_edu amd ;;
	vfio-edu-intel) case_vfio_edu intel ;;
	vfio-unbound) case_vfio_unbound ;;
	vfio-group-peer) case_vfio_group_peer ;;
	vfio-missing) case_vfio_missing ;;
	vfio-collide) case_vfio_collide ;;
	vfio-assign) case_vfio_assign amd ;;
	vfio-assign-intel) case_vfio_assign intel ;;
	virtio-blk-intx) case_virtio_blk_intx acpi ;;
	virtio-blk-intx-acpi-off) case_virtio_blk_intx acpi-off ;;
	vfio-intx) case_vfio_intx ;;
	*) fail "no such case (known: $all_cases)" ;;
	esac
	report "$case_name"
done

#!/bin/sh
# shellcheck shell=dash
# The cases of tests/l1/arm64/run.sh. Runs inside the emulated arm64 L1 host
# (busybox sh, started by guest-images/arm64/l1-init.sh, which sets SHAPEVM,
# SHAPEVM_GUEST_KERNEL, SHAPEVM_GUEST_INITRD, SHAPEVM_L1_KVM,
# SHAPEVM_CASE_TIMEOUT, SHAPEVM_EDU_BDF, SHAPEVM_E1000E_BDF and SHAPEVM_QEMU).
#
#   sh cases.sh [CASE...]      (default: all but qemu-boot)
#
# Each L2 case boots the test guest (guest-images/arm64) with shapevm and
# judges it from shapevm's exit status and the guest's own output;
# host-probe runs no guest; qemu-boot boots the same guest with Debian's
# arm64 QEMU, the reference. Each case prints exactly one line:
#   SHAPEVM_RESULT: ok CASE
#   SHAPEVM_RESULT: not ok CASE: why
# Before it come the command ("SHAPEVM_CASE: CASE: run ..."), the output of
# the VMM and the guest, each line prefixed "CASE| ", and the exit status with
# the time taken ("SHAPEVM_CASE: CASE: exit N after S s"). The guest's /init
# (guest-images/lib/guest-init.sh) runs what follows " -- " on its command
# line and then prints "SHAPEVM_STATUS=<its exit status>".
set -u

all_cases="boot reset virtio-blk-its gicv2m gicv3-intx its-host-window virtio-rng-console bad-image dump-dtb host-probe vfio-assign vfio-assign-viommu"
case_timeout=${SHAPEVM_CASE_TIMEOUT:-120}
# What boot and qemu-boot ask the guest: CPUs and memory it sees, and a
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

# prog_run CASE PROGRAM ARGS...: run "PROGRAM ARGS" under a hard timeout;
# its output in /tmp/CASE.out (carriage returns dropped) and echoed to the
# console; vmm_status, vmm_seconds and vmm_timed_out set. run_vmm CASE
# ARGS... runs shapevm so.
prog_run() {
	name=$1
	shift
	echo "SHAPEVM_CASE: $name: $*"
	start=$(centiseconds)
	# stdin from /dev/null: the VMM must not take L1's console as its own.
	# -k: if SIGTERM does not end it, SIGKILL does.
	timeout -k 5 "$case_timeout" "$@" </dev/null >"/tmp/$name.raw" 2>&1
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
	prog_name=$1
	shift
	prog_run "$prog_name" "$SHAPEVM" "$@"
}

# Each check adds a reason to $why when it fails.
why=
fail() { why="${why:+$why; }$*"; }

# expect_exit N: the VMM's exit status is N. On a mismatch, the reason
# quotes shapevm's own last error line, which says more than a number.
expect_exit() {
	[ "$vmm_status" = "$1" ] && return
	if [ "$vmm_timed_out" = 1 ]; then
		fail "timed out after ${case_timeout}s (status $vmm_status), expected exit $1 ($(exit_meaning "$1"))"
	else
		fail "exited $vmm_status ($(exit_meaning "$vmm_status")), expected $1 ($(exit_meaning "$1"))"
	fi
	error=$(grep -E '^(shapevm|qemu-system-aarch64): ' "/tmp/$name.out" | tail -1)
	[ -z "$error" ] || fail "it said: $error"
}

# guest_spoke: the guest's /init printed something of its own. When it did
# not, one reason says so instead of one per missing value.
guest_spoke() {
	grep -q -E '^SHAPEVM_(STATUS|NPROC|BLK_SIZE)=' "/tmp/$name.out" && return
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

# ram_lines FILE: the RAM banks of a printed plan (its "ram" rows:
# start end size kind name why).
ram_lines() {
	awk '$4 == "ram"' "$1"
}

# boot: 2 vCPUs and 512M are what the guest finds (PSCI brings the second
# CPU up, the device tree's memory node gives the RAM); the UART is the
# 16550 (console=ttyS0); the guest powers off (PSCI SYSTEM_OFF): 0.
case_boot() {
	run_vmm boot run -k "$SHAPEVM_GUEST_KERNEL" -i "$SHAPEVM_GUEST_INITRD" \
		-m 512M -c 2 -p "console=ttyS0 quiet -- $probe_command"
	expect_exit 0
	guest_spoke || return
	expect_cpus 2
	expect_memtotal_mib 400 512
	expect_guest_status 7
}

# The virtio-blk cases: the guest reads 1 MiB that L1 wrote into the image
# (its hash must match) and writes a marker it flushes, which L1 then finds
# in the image file; around that it prints its /proc/interrupts lines for
# virtio twice (SHAPEVM_IRQ_A: before, SHAPEVM_IRQ_B: after), so L1 can see
# which MSI controller delivers the disk's interrupts and that they came.
# The command goes on the kernel command line in double quotes (one argument
# for /init) and must hold no double quote itself.
blk_image=/tmp/vda.img
# shellcheck disable=SC2016
blk_command='echo SHAPEVM_BLK_SIZE=$(cat /sys/block/vda/size); grep virtio /proc/interrupts | sed s/^/SHAPEVM_IRQ_A:/; echo SHAPEVM_BLK_READ=$(dd if=/dev/vda bs=1M skip=1 count=1 2>/dev/null | sha256sum | cut -c1-64); echo SHAPEVM-BLK-WRITTEN | dd of=/dev/vda bs=512 seek=100 conv=fsync 2>/dev/null; grep virtio /proc/interrupts | sed s/^/SHAPEVM_IRQ_B:/; exit 7'

# irq_count TAG: "COUNT CHIP..." for the guest's virtio-blk request queue
# interrupts (virtioN-req.M, or virtioN alone on INTx, which carries the
# queues and config changes together) in the /proc/interrupts lines printed
# with TAG:
# their counts summed over CPUs and queues, and the irq chips that deliver
# them ("ITS-MSI" through the ITS, "MSI" through a GICv2m frame, "GICv3"
# for a wired INTx). Nothing when there are no such lines.
irq_count() {
	awk -v tag="SHAPEVM_IRQ_$1:" '
	(at = index($0, tag)) > 0 {
		$0 = substr($0, at + length(tag))
		if ($NF !~ /^virtio[0-9]+(-req|$)/)
			next
		found = 1
		for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++)
			total += $i
		if (!($i in chips)) {
			chips[$i] = 1
			names = names " " $i
		}
	}
	END { if (found) print total + 0 names }' "/tmp/$name.out"
}

# case_virtio_blk CASE IRQCHIP CHIP_WANTED: the disk works with the guest's
# MSIs sent through IRQCHIP (shapevm's --irqchip), and its request
# interrupts are counted on the irq chip CHIP_WANTED and rise with the I/O.
case_virtio_blk() {
	name=$1
	irqchip=$2
	chip_wanted=$3
	shift 3
	dd if=/dev/zero of="$blk_image" bs=1M count=8 2>/dev/null
	dd if=/dev/urandom of=/tmp/blk-pattern bs=1M count=1 2>/dev/null
	dd if=/tmp/blk-pattern of="$blk_image" bs=1M seek=1 conv=notrunc 2>/dev/null
	want=$(sha256sum /tmp/blk-pattern | cut -c1-64)
	run_vmm "$name" run "$@" --irqchip "$irqchip" --disk "$blk_image" -k "$SHAPEVM_GUEST_KERNEL" \
		-i "$SHAPEVM_GUEST_INITRD" -m 256M -p "console=ttyS0 quiet -- \"$blk_command\""
	expect_exit 0
	guest_spoke || return
	grep -q -x 'SHAPEVM_BLK_SIZE=16384' "/tmp/$name.out" ||
		fail "the guest's /dev/vda is $(grep -o 'SHAPEVM_BLK_SIZE=.*' "/tmp/$name.out" | tail -1) sectors, expected 16384"
	grep -q -x "SHAPEVM_BLK_READ=$want" "/tmp/$name.out" ||
		fail "the guest read $(grep -o 'SHAPEVM_BLK_READ=.*' "/tmp/$name.out" | tail -1), expected $want"
	dd if="$blk_image" bs=512 skip=100 count=1 2>/dev/null | grep -q SHAPEVM-BLK-WRITTEN ||
		fail "the marker the guest wrote and flushed is not in the image file"
	before=$(irq_count A)
	after=$(irq_count B)
	echo "SHAPEVM_CASE: $name: virtio-blk request interrupts before the I/O: ${before:-none}; after: ${after:-none}"
	if [ -z "$before" ] || [ -z "$after" ]; then
		fail "the guest's /proc/interrupts has no virtio request queue lines (virtioN-req.M: no MSI-X vectors?)"
	else
		chips=${after#* }
		[ "$chips" = "$chip_wanted" ] ||
			fail "the disk's interrupts come through '$chips', expected '$chip_wanted' only"
		[ "${after%% *}" -gt "${before%% *}" ] ||
			fail "the disk's interrupt count did not rise with the I/O (${before%% *} before, ${after%% *} after)"
	fi
	expect_guest_status 7
}

# gicv3-intx: --irqchip gicv3 has no MSI controller, so virtio-pci falls back
# to INTx: the disk (device 1, INTA) is on SPI 5 (INTID 37) by the device
# tree's interrupt-map, level-triggered, and its count rises with the I/O.
case_gicv3_intx() {
	case_virtio_blk gicv3-intx gicv3 GICv3
	grep -q -E '^SHAPEVM_IRQ_B: *[0-9]+:( +[0-9]+)+ +GICv3 +37 +Level +virtio0$' "/tmp/$name.out" ||
		fail "virtio0 is not on GICv3 INTID 37, level: $(grep -o 'SHAPEVM_IRQ_B:.*virtio.*' "/tmp/$name.out" | head -1)"
}

# its-host-window: the host's IOMMU reserves the SMMU's usual software MSI
# window 0x8000000-0x80fffff (a --host-reserved file; the same region L1's
# SMMUv3 groups report). The plan (-v prints it and how it avoided each host
# region) puts the ITS frame on it, so the guest's doorbell page 0x8010000 is
# inside the host's window, keeps RAM off it, and the disk's ITS MSIs still
# arrive through the moved frame.
case_its_host_window() {
	echo "0x0000000008000000 0x00000000080fffff msi" >/tmp/host-msi.txt
	case_virtio_blk its-host-window gicv3-its ITS-MSI -v --host-reserved /tmp/host-msi.txt
	name=its-host-window
	grep -q '^0x0000000008000000 0x000000000801ffff .* msi  *gic-its ' "/tmp/$name.out" ||
		fail "the printed plan has no gic-its frame at 0x8000000-0x801ffff"
	grep -q "^0x0000000008000000 0x00000000080fffff msi .*the guest's MSI doorbell sits on it" "/tmp/$name.out" ||
		fail "the plan's host report does not put the guest's doorbell on the host's msi window"
	ram_lines "/tmp/$name.out" >/tmp/$name.ram
	grep -q . /tmp/$name.ram || fail "the printed plan has no RAM rows"
	while read -r start end _; do
		[ $((start)) -gt $((0x80fffff)) ] || [ $((end)) -lt $((0x8000000)) ] ||
			fail "RAM bank $start-$end overlaps the host's msi window"
	done </tmp/$name.ram
}

# vfio-assign: run -v --vfio gives two real (emulated) PCI devices that L1
# bound to vfio-pci behind its SMMUv3 to an L2 guest: QEMU's edu, whose
# BAR0 identity register the guest reads at the address shapevm placed the
# BAR (a KVM memslot over VFIO's mmap), and the e1000e NIC, which Linux's
# e1000e driver brings up: its link comes up, a DHCP exchange with QEMU's
# user-mode network (L1's NIC backend) works, so the NIC's DMA reaches guest
# RAM through the SMMU, and its MSI-X interrupts are counted on the ITS
# ("ITS-MSI": shapevm routed each vector with the device's requester ID).
# The plan printed by -v puts the ITS frame on the host's msi window, which
# both groups report (0x8000000-0x80fffff, the SMMU driver's software MSI
# window), and keeps RAM off it; -v also shows every memory BAR mapped into
# the IOMMU at its guest address for peer-to-peer DMA.
# vfio-assign-viommu: the same in an L1 whose devices sit behind a
# virtio-iommu (Linux 6.12 in L1 and L2): its msi window is the ITS's
# doorbell page 0x8090000-0x809ffff, so the plan moves the guest's ITS to
# 0x8080000 to put its translater page there.
# shellcheck disable=SC2016
assign_command='. /lib/shapevm/modules.sh; modules_load e1000e >/dev/null; for d in /sys/bus/pci/devices/*; do case $(cat $d/vendor):$(cat $d/device) in 0x1234:0x11e8) E=$d;; 0x8086:0x10d3) N=$d;; esac; done; r=$(head -1 $E/resource); echo SHAPEVM_EDU_ID=$(devmem ${r%% *} 32); i=$(ls $N/net); ip link set $i up; n=0; while [ $(cat /sys/class/net/$i/carrier) != 1 ] && [ $n -lt 30 ]; do sleep 1; n=$((n+1)); done; echo SHAPEVM_LINK=$(cat /sys/class/net/$i/carrier); udhcpc -i $i -n -q -t 5 -T 3 -s /bin/true 2>&1 | sed s/^/SHAPEVM_DHCP:/; grep $i /proc/interrupts | sed s/^/SHAPEVM_IRQ:/; exit 7'
# case_vfio_assign CASE WINDOW_START WINDOW_END ITS_START ITS_END: as above,
# the host's msi window and the guest's ITS frame where the plan must put
# them (16-digit hex, as the plan prints them).
case_vfio_assign() {
	name=$1 win_start=$2 win_end=$3 its_start=$4 its_end=$5
	if [ -z "${SHAPEVM_EDU_BDF:-}" ] || [ -z "${SHAPEVM_E1000E_BDF:-}" ]; then
		fail "L1 has no edu and e1000e bound to vfio-pci (see the SHAPEVM_L1 lines)"
		return
	fi
	group=$(basename "$(readlink "/sys/bus/pci/devices/$SHAPEVM_EDU_BDF/iommu_group")")
	host_msi=$(awk '$3 == "msi" { print $1, $2 }' "/sys/kernel/iommu_groups/$group/reserved_regions")
	[ "$host_msi" = "$win_start $win_end" ] ||
		fail "L1's IOMMU reports the msi window '$host_msi', expected $win_start $win_end"
	run_vmm "$name" run -v --vfio "$SHAPEVM_EDU_BDF" --vfio "$SHAPEVM_E1000E_BDF" \
		-k "$SHAPEVM_GUEST_KERNEL" -i "$SHAPEVM_GUEST_INITRD" -m 256M \
		-p "console=ttyS0 quiet -- \"$assign_command\""
	expect_exit 0
	out=/tmp/$name.out
	grep -q "^$its_start $its_end .* msi  *gic-its " "$out" ||
		fail "the printed plan has no gic-its frame at $its_start-$its_end"
	grep -q "^$win_start $win_end msi .*the guest's MSI doorbell sits on it" "$out" ||
		fail "the plan's host report does not put the guest's doorbell on the host's msi window"
	ram_lines "$out" >"/tmp/$name.ram"
	grep -q . "/tmp/$name.ram" || fail "the printed plan has no RAM rows"
	while read -r start end _; do
		[ $((start)) -gt $((win_end)) ] || [ $((end)) -lt $((win_start)) ] ||
			fail "RAM bank $start-$end overlaps the host's msi window"
	done <"/tmp/$name.ram"
	# Peer-to-peer: each device's memory BARs also go into the IOMMU at
	# their guest addresses (edu's BAR0, the e1000e's BAR0, 1 and 3).
	peer=$(grep -c ': BAR[0-9] at 0x[0-9a-f]*: mapped for peer-to-peer DMA' "$out")
	[ "$peer" -ge 4 ] || fail "$peer BARs mapped for peer-to-peer DMA, expected at least 4"
	! grep -q 'not mapped for peer-to-peer DMA' "$out" ||
		fail "$(grep -m1 'not mapped for peer-to-peer DMA' "$out")"
	guest_spoke || return
	grep -q -i '^SHAPEVM_EDU_ID=0x010000ED' "$out" ||
		fail "the guest read edu's identity as $(grep -o 'SHAPEVM_EDU_ID=.*' "$out" | tail -1), expected 0x010000ED"
	grep -q '^SHAPEVM_LINK=1' "$out" ||
		fail "the e1000e link did not come up ($(grep -o 'SHAPEVM_LINK=.*' "$out" | tail -1))"
	grep -q '^SHAPEVM_DHCP:.*lease of .* obtained' "$out" ||
		fail "no DHCP lease through the e1000e ($(grep '^SHAPEVM_DHCP:' "$out" | tail -1))"
	# The NIC's vectors ("SHAPEVM_IRQ: N: COUNT... CHIP ..."): their chips
	# and their counts summed over CPUs.
	irqs=$(awk '/^SHAPEVM_IRQ:/ {
		for (i = 3; i <= NF && $i ~ /^[0-9]+$/; i++)
			total += $i
		chips = chips " " $i
	} END { print total + 0 chips }' "$out")
	echo "SHAPEVM_CASE: $name: e1000e interrupts: ${irqs:-none}"
	# Linux 6.1 names the chip ITS-MSI; 6.12's per-device MSI domains
	# ITS-PCI-MSIX-<address>.
	if [ -z "${irqs#* }" ]; then
		fail "the guest's /proc/interrupts has no e1000e lines"
	else
		for chip in ${irqs#* }; do
			case $chip in
			ITS-MSI | ITS-PCI-MSI*) ;;
			*) fail "an e1000e vector comes through $chip, not the ITS" ;;
			esac
		done
		[ "${irqs%% *}" -gt 0 ] || fail "no e1000e interrupt arrived"
	fi
	expect_guest_status 7
}

# reset: the guest reboots (PSCI SYSTEM_RESET): shapevm exits 3.
case_reset() {
	run_vmm reset run -k "$SHAPEVM_GUEST_KERNEL" -i "$SHAPEVM_GUEST_INITRD" \
		-m 256M -p "console=ttyS0 quiet shapevm.end=reboot -- true"
	expect_exit 3
	guest_spoke || return
	expect_guest_status 0
}

# virtio-rng-console: --rng and --console virtio on arm64 as on x86: the
# guest's console is hvc0 (its /init's lines come through virtio-console),
# /dev/hwrng is virtio_rng and gives 4 KiB.
# shellcheck disable=SC2016
rng_command='echo SHAPEVM_HWRNG=$(cat /sys/class/misc/hw_random/rng_current); echo SHAPEVM_RNG_BYTES=$(dd if=/dev/hwrng bs=4096 count=1 2>/dev/null | wc -c); exit 7'
case_virtio_rng_console() {
	run_vmm virtio-rng-console run --rng --console virtio -k "$SHAPEVM_GUEST_KERNEL" \
		-i "$SHAPEVM_GUEST_INITRD" -m 256M -p "console=hvc0 quiet -- \"$rng_command\""
	expect_exit 0
	guest_spoke || return
	grep -q '^SHAPEVM_HWRNG=virtio_rng' "/tmp/$name.out" ||
		fail "the guest's hwrng is $(grep -o 'SHAPEVM_HWRNG=.*' "/tmp/$name.out" | tail -1), expected virtio_rng.N"
	grep -q -x 'SHAPEVM_RNG_BYTES=4096' "/tmp/$name.out" ||
		fail "the guest read $(grep -o 'SHAPEVM_RNG_BYTES=.*' "/tmp/$name.out" | tail -1) from /dev/hwrng, expected 4096 bytes"
	expect_guest_status 7
}

# bad-image: kernels shapevm cannot boot give exit 1 and one line that says
# why, before any guest runs: a gzip-compressed Image, one cut to 40 bytes.
case_bad_image() {
	gzip -c "$SHAPEVM_GUEST_KERNEL" >/tmp/Image.gz
	run_vmm bad-image run -k /tmp/Image.gz -m 256M
	expect_exit 1
	grep -q '^shapevm: --kernel /tmp/Image.gz: .*compressed' "/tmp/$name.out" ||
		fail "no error line saying the Image is compressed"
	head -c 40 "$SHAPEVM_GUEST_KERNEL" >/tmp/Image.short
	run_vmm bad-image run -k /tmp/Image.short -m 256M
	expect_exit 1
	grep -q '^shapevm: --kernel /tmp/Image.short: .*truncated' "/tmp/$name.out" ||
		fail "no error line saying the Image is truncated"
	rm -f /tmp/Image.gz /tmp/Image.short
}

# one_line FILE: the lines of FILE joined with ", ".
one_line() {
	sed -e ':a' -e 'N' -e '$!ba' -e 's/\n/, /g' "$1"
}

# dtb_memory FILE: the RAM a flattened device tree gives the guest, one
# "START SIZE" line (16 hex digits each) per (address, size) pair in the
# reg of the root's memory nodes (named memory@... or of device_type
# "memory"), read with the root's #address-cells and #size-cells. A tiny
# FDT reader (L1 has no dtc): the header's off_dt_struct (at 8) and
# off_dt_strings (at 12), then the structure block's tokens: BEGIN_NODE (1,
# a name), END_NODE (2), PROP (3: length, name offset, value), NOP (4), END
# (9). Fails if FILE is no FDT.
dtb_memory() {
	od -An -v -tx1 "$1" | awk '
	function byte(at) {
		return (index(hex, substr(b[at], 1, 1)) - 1) * 16 + index(hex, substr(b[at], 2, 1)) - 1
	}
	function word(at) { return b[at] b[at + 1] b[at + 2] b[at + 3] }
	function num(at,   h, v, k) {
		h = word(at)
		for (k = 1; k <= 8; k++)
			v = v * 16 + index(hex, substr(h, k, 1)) - 1
		return v
	}
	function cstr(at,   s) {
		for (s = ""; at < n && b[at] != "00"; at++)
			s = s sprintf("%c", byte(at))
		return s
	}
	function cells(at, count,   s, k) {
		for (k = 0; k < count; k++)
			s = s word(at + 4 * k)
		while (length(s) < 16)
			s = "0" s
		return s
	}
	BEGIN { hex = "0123456789abcdef" }
	{ for (i = 1; i <= NF; i++) b[n++] = $i }
	END {
		if (word(0) != "d00dfeed")
			exit 1
		strings = num(12)
		address_cells = 2
		size_cells = 1
		depth = 0
		for (at = num(8); at < n;) {
			token = num(at)
			at += 4
			if (token == 1) {
				name = cstr(at)
				at += int((length(name) + 4) / 4) * 4
				depth++
				memory[depth] = depth == 2 && name ~ /^memory(@|$)/
				reg_len[depth] = 0
			} else if (token == 2) {
				step = 4 * (address_cells + size_cells)
				if (memory[depth])
					for (p = reg_at[depth]; p + step <= reg_at[depth] + reg_len[depth]; p += step)
						print cells(p, address_cells), cells(p + 4 * address_cells, size_cells)
				depth--
			} else if (token == 3) {
				len = num(at)
				prop = cstr(strings + num(at + 4))
				at += 8
				if (depth == 1 && prop == "#address-cells")
					address_cells = num(at)
				if (depth == 1 && prop == "#size-cells")
					size_cells = num(at)
				if (depth == 2 && prop == "device_type" && cstr(at) == "memory")
					memory[depth] = 1
				if (depth == 2 && prop == "reg") {
					reg_at[depth] = at
					reg_len[depth] = len
				}
				at += int((len + 3) / 4) * 4
			} else if (token != 4) {
				break
			}
		}
	}'
}

# dump-dtb: run --dump-dtb FILE writes the device tree shapevm gives the
# guest. It must be a whole flattened device tree (magic 0xd00dfeed, its
# header's totalsize the file's size) whose memory nodes hold exactly the
# RAM banks of the plan shapevm prints for the same machine (plan -m 512M
# -c 2). The blob is also printed in base64 between SHAPEVM_DTB_BEGIN and
# SHAPEVM_DTB_END: run.sh saves it, and decompiles it when the outer host
# has dtc, for a closer look.
dtb_file=/tmp/dump.dtb
case_dump_dtb() {
	run_vmm dump-dtb-plan plan -m 512M -c 2
	expect_exit 0
	ram_lines /tmp/dump-dtb-plan.out | while read -r bank_start bank_end _; do
		printf '%016x %016x\n' "$((bank_start))" "$((bank_end - bank_start + 1))"
	done >/tmp/dump-dtb-plan.ram
	[ -s /tmp/dump-dtb-plan.ram ] || { fail "the 512M plan has no RAM lines"; return; }
	rm -f "$dtb_file"
	run_vmm dump-dtb run --dump-dtb "$dtb_file" -k "$SHAPEVM_GUEST_KERNEL" \
		-i "$SHAPEVM_GUEST_INITRD" -m 512M -c 2 -p "console=ttyS0 quiet -- true"
	expect_exit 0
	if [ ! -s "$dtb_file" ]; then
		fail "no $dtb_file written"
		return
	fi
	echo "SHAPEVM_DTB_BEGIN"
	base64 "$dtb_file"
	echo "SHAPEVM_DTB_END"
	magic=$(od -An -tx1 -N4 "$dtb_file" | tr -d ' \n')
	[ "$magic" = d00dfeed ] || { fail "$dtb_file starts $magic, not the FDT magic d00dfeed"; return; }
	totalsize=$((0x$(od -An -tx1 -j4 -N4 "$dtb_file" | tr -d ' \n')))
	[ "$totalsize" = "$(wc -c <"$dtb_file")" ] ||
		fail "the FDT header's totalsize is $totalsize, the file has $(wc -c <"$dtb_file") bytes"
	dtb_memory "$dtb_file" >/tmp/dump-dtb.ram
	echo "SHAPEVM_CASE: dump-dtb: memory (start size) in the DTB: $(one_line /tmp/dump-dtb.ram); in the plan: $(one_line /tmp/dump-dtb-plan.ram)"
	if [ ! -s /tmp/dump-dtb.ram ]; then
		fail "the DTB has no memory node with a reg"
	elif [ "$(sort /tmp/dump-dtb.ram)" != "$(sort /tmp/dump-dtb-plan.ram)" ]; then
		fail "the DTB's memory ($(one_line /tmp/dump-dtb.ram)) is not the plan's RAM ($(one_line /tmp/dump-dtb-plan.ram))"
	fi
}

# host-probe: no guest. L1 has /dev/kvm; the static shapevm runs there:
# --version, and a 512M plan whose RAM starts at 0x40000000, where arm64's
# guest RAM begins (arch/arm64/layout.h).
case_host_probe() {
	[ "${SHAPEVM_L1_KVM:-0}" = 1 ] ||
		fail "L1 has no /dev/kvm (see the SHAPEVM_L1 lines: did Linux start at EL2?)"
	run_vmm host-probe-version --version
	expect_exit 0
	grep -q '^shapevm [0-9]' /tmp/host-probe-version.out ||
		fail "--version printed no \"shapevm <version>\" line"
	run_vmm host-probe plan -m 512M
	expect_exit 0
	first=$(ram_lines /tmp/host-probe.out | head -1)
	if [ -z "$first" ]; then
		fail "the 512M plan has no RAM lines"
	elif [ "$((${first%% *}))" != "$((0x40000000))" ]; then
		fail "the plan's RAM starts at ${first%% *}, expected 0x40000000"
	fi
}

# qemu-boot: the reference. The same guest, as boot, with Debian's arm64
# QEMU (guest-images/arm64/stage-qemu.sh) on L1's KVM: -M virt with a
# GICv3 and ITS, "-cpu host"; its console is the PL011 (ttyAMA0). QEMU
# exits 0 when the guest powers off.
case_qemu_boot() {
	if [ -z "${SHAPEVM_QEMU:-}" ]; then
		fail "L1 has no qemu-system-aarch64 (run.sh stages it with SHAPEVM_L1_QEMU=1)"
		return
	fi
	prog_run qemu-boot "$SHAPEVM_QEMU" -accel kvm -M virt,gic-version=3,its=on -cpu host \
		-smp 2 -m 512M -nodefaults -no-user-config -display none -monitor none \
		-serial stdio -no-reboot -kernel "$SHAPEVM_GUEST_KERNEL" -initrd "$SHAPEVM_GUEST_INITRD" \
		-append "console=ttyAMA0 quiet -- $probe_command"
	expect_exit 0
	guest_spoke || return
	expect_cpus 2
	expect_memtotal_mib 400 512
	expect_guest_status 7
}

# needs_kvm CASE: the case boots an L2 guest, which needs L1's /dev/kvm.
needs_kvm() {
	[ "$1" != host-probe ]
}

# The list is split into arguments on purpose.
# shellcheck disable=SC2086
[ $# -gt 0 ] || set -- $all_cases
for case_name in "$@"; do
	if needs_kvm "$case_name" && [ "${SHAPEVM_L1_KVM:-0}" != 1 ]; then
		echo "SHAPEVM_RESULT: not ok $case_name: L1 has no /dev/kvm (see the SHAPEVM_L1 lines of the L1 log)"
		continue
	fi
	case $case_name in
	boot) case_boot ;;
	virtio-blk-its) case_virtio_blk virtio-blk-its gicv3-its ITS-MSI ;;
	gicv3-intx) case_gicv3_intx ;;
	gicv2m) case_virtio_blk gicv2m gicv2m MSI ;;
	its-host-window) case_its_host_window ;;
	reset) case_reset ;;
	virtio-rng-console) case_virtio_rng_console ;;
	bad-image) case_bad_image ;;
	dump-dtb) case_dump_dtb ;;
	host-probe) case_host_probe ;;
	vfio-assign)
		case_vfio_assign vfio-assign 0x0000000008000000 0x00000000080fffff \
			0x0000000008000000 0x000000000801ffff ;;
	vfio-assign-viommu)
		case_vfio_assign vfio-assign-viommu 0x0000000008090000 0x000000000809ffff \
			0x0000000008080000 0x000000000809ffff ;;
	qemu-boot) case_qemu_boot ;;
	*) fail "no such case (known: $all_cases qemu-boot)" ;;
	esac
	report "$case_name"
done

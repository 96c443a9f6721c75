#!/usr/bin/env bash
# Real Linux guests under shapevm, inside an emulated x86_64 host.
#
#   SHAPEVM_STATIC=build/x86_64-static/shapevm bash tests/l1/x86/run.sh [CASE...]
#
# This machine's /dev/kvm cannot boot Linux, so QEMU (TCG, q35, an AMD "-cpu max")
# emulates an L1 host whose kvm_amd runs nested on TCG's SVM; inside it the
# static shapevm boots Debian's kernel as L2 with guest-images' initramfs.
# One L1 boot runs all the cases (tests/l1/x86/cases.sh) one after another;
# the cases named *-intel get a second L1 boot of their own, with an emulated
# Intel IOMMU instead of the AMD one (run-l1.sh's SHAPEVM_L1_IOMMU=intel):
#   boot-smp  -m 512M -c 2: the guest sees 2 CPUs and 400-512 MiB, its command
#             ends with status 7, it powers off: shapevm exits 0
#   reset     the guest reboots (reboot=k, i8042): shapevm exits 3
#   poweroff  the guest runs true and powers off: shapevm exits 0
#   acpi-off  as boot-smp with acpi=off (CPUs from the MP table), ends by reset: 3
#   host-facts  no guest: shapevm host-facts and plan --vfio on the edu device
#             L1 bound to vfio-pci behind its emulated AMD IOMMU: the msi and
#             HyperTransport regions, VFIO's IOVA ranges, a 256M plan (and the
#             same from the saved facts), 2T refused
#   holes     -m 512M --host-reserved a file with an RMRR-like direct region
#             0x1df6e000-0x1df84fff and 150 one-page reserved regions 1 MiB
#             apart from 0x10000000: Linux's /sys/firmware/memmap has over 128
#             entries, the RMRR and the last page (only in SETUP_E820_EXT) as
#             Reserved, 400-512 MiB; it powers off: 0
#   plan-file the same file through plan --json, plan --check (0) and
#             run --plan without -m: the same map, powers off: 0
#   virtio-blk      --disk: the guest reads what L1 wrote and writes a marker
#                   it flushed, which L1 finds in the image file
#   virtio-blk-direct  the same with --disk IMG,direct (O_DIRECT), the image on
#                   ext2 on a RAM disk in L1 (brd, ext4 from the kernel
#                   package); on L1's tmpfs, which refuses O_DIRECT, shapevm
#                   must stop with a one-line error naming the disk
#   virtio-ext4-ro  --disk IMG,ro: an ext4 image from mkfs.ext4 -d, mounted
#                   and a file hashed; writes fail in the guest
#   virtio-rng      --rng: /dev/hwrng is virtio_rng and gives bytes
#   virtio-console  --console virtio: console=hvc0 carries /init's output
#   virtio-net      --net tap=tap0 with vhost-net: pings both ways and a
#                   2 MiB file over TCP (busybox httpd in L1, wget in the guest)
#   virtio-net-novhost  the same with --no-vhost (shapevm's data path)
#   vfio-edu  no guest, no KVM: /vfio-edu (tests/l1/x86/vfio-edu.c, shapevm's
#             vfio/ and planner) on edu behind the AMD IOMMU: host facts from
#             its own type1v2 container, a 256M plan, the RAM banks mapped for
#             DMA, edu DMA guest RAM -> its buffer -> other guest RAM (2048
#             bytes, compared), edu's MSI on an eventfd; RAM on the msi window
#             and the HyperTransport hole, and past RLIMIT_MEMLOCK, refused by
#             shapevm before the ioctl; everything unmapped at the end
#   vfio-edu-intel  the same behind intel-iommu: msi window refused, and the
#             ISA bridge's direct-relaxable 0-16 MiB: no plan without
#             --allow-relaxable, the DMA check refuses RAM there unless allowed
#   The bad-input cases start no guest: each run --vfio must exit 1 with one
#   line, and leave edu bound to vfio-pci with its group free (plan --vfio
#   of it still works); L1 has a PCI bridge with a second edu (vfio-pci) and
#   an e1000 (on e1000) behind it, one IOMMU group (run-l1.sh):
#   vfio-unbound  the e1000: "is bound to e1000, not vfio-pci (unbind it and
#             bind it to vfio-pci)"; the ISA bridge 00:1f.0: "bound to no
#             driver (bind it to vfio-pci)"
#   vfio-group-peer  the second edu: "IOMMU group N is not viable: <e1000> is
#             bound to e1000 (unbind it or bind it to vfio-pci)"
#   vfio-missing  0000:00:1f.7: "no such PCI device"; 0000:00:02: "not a PCI
#             address"
#   vfio-collide  -m 4G --vfio edu --host-reserved a file reserving 4 GiB up
#             to the HyperTransport hole: the planner's "4G of RAM does not
#             fit ... Ask for at most ..."
#   vfio-assign  run -v --vfio: edu assigned to an L2 guest, which reads BAR0's
#             identity 0x010000ED and gets edu's MSI; the plan keeps RAM off
#             0xfee00000 and the HyperTransport hole. It runs after the
#             bad-input cases, so it also shows they left edu usable
#   vfio-assign-intel  the same behind intel-iommu. Only the ISA bridge's
#             group has the direct-relaxable 0-16 MiB (plan --vfio of the edu
#             at 00:01.0 needs no flag), so it assigns the edu run-l1.sh puts
#             at 00:1f.4, in that group: without --allow-relaxable refused
#             (exit 1, one line naming the flag), with it RAM placed there,
#             off the msi window, the identity read and the MSI delivered
#   virtio-blk-intx  --disk with the guest on pci=nomsi: virtio0 on IO-APIC
#             GSI 17 (_PRT), level (fasteoi), its count rising over a read
#             of what L1 wrote; no MSI at all
#   virtio-blk-intx-acpi-off  the same with acpi=off: GSI 17 from the MP
#             table's PCI entries; ends by reset: 3
#   vfio-intx run --vfio edu, bound in the guest to uio_pci_generic: edu's
#             INTx (GSI 17, VFIO trigger eventfd -> KVM resample irqfd)
#             wakes a read of /dev/uio0, twice (acked and unmasked between)
#
# Prints "ok - CASE" or "not ok - CASE: why" for each and then
# "N passed, M failed" (", K skipped"); exits 1 if any failed. The console of
# L1 and L2 is kept in build/l1-x86/console.log (console-intel.log for the
# Intel L1; host seconds on each line); on a failure its path and last 40
# lines are printed. Without QEMU, or when the guest kernel cannot be
# fetched, every case is skipped (exit 0).
#
# Environment: SHAPEVM_STATIC (required), SHAPEVM_VFIO_EDU (the static
# vfio-edu program, default: beside SHAPEVM_STATIC, where make STATIC=1 puts
# it), SHAPEVM_CASE_TIMEOUT (seconds per L2 run, default 150: an L2 boot
# takes 20-60 s alone, several times that on a busy host),
# SHAPEVM_L1_LOGDIR (default build/l1-x86), SHAPEVM_CACHE (see
# guest-images/build.sh).
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
images=$root/guest-images
all_cases=(boot-smp reset poweroff acpi-off host-facts holes plan-file virtio-blk virtio-blk-direct virtio-ext4-ro virtio-rng virtio-console virtio-net virtio-net-novhost vfio-edu vfio-edu-intel vfio-unbound vfio-group-peer vfio-missing vfio-collide vfio-assign vfio-assign-intel virtio-blk-intx virtio-blk-intx-acpi-off vfio-intx)
if [ $# -gt 0 ]; then cases=("$@"); else cases=("${all_cases[@]}"); fi
case_timeout=${SHAPEVM_CASE_TIMEOUT:-150}
logdir=${SHAPEVM_L1_LOGDIR:-$root/build/l1-x86}

for name in "${cases[@]}"; do
	case " ${all_cases[*]} " in
	*" $name "*) ;;
	*) echo "run.sh: unknown case $name (known: ${all_cases[*]})" >&2; exit 2 ;;
	esac
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

if [ -z "${SHAPEVM_STATIC:-}" ]; then
	echo "run.sh: set SHAPEVM_STATIC to a statically linked shapevm (make STATIC=1)" >&2
	exit 2
fi
[ -f "$SHAPEVM_STATIC" ] || fail_all "SHAPEVM_STATIC=$SHAPEVM_STATIC: no such file (make STATIC=1 builds it)"
command -v qemu-system-x86_64 >/dev/null ||
	skip_all "qemu-system-x86_64 is not installed (package qemu-system-x86; scripts/install-deps.sh)"
command -v timeout >/dev/null || skip_all "timeout is not installed (package coreutils)"

mkdir -p "$logdir" || fail_all "cannot create $logdir"
run_start=${EPOCHREALTIME/./}
# The builders' messages go to stderr as usual; their last line, which says
# why when they fail, also goes into the result lines.
errors=$logdir/build-errors.txt
vars=$("$images/build.sh" x86_64 2> >(tee "$errors" >&2))
status=$?
wait # for tee
case $status in
0) eval "$vars" ;;
3) skip_all "cannot build the test guest here: $(tail -n 1 "$errors")" ;;
*) fail_all "guest-images/build.sh x86_64 failed: $(tail -n 1 "$errors")" ;;
esac

# Files the virtio cases need inside L1 (/virtio): an ext4 image with a file
# whose hash the guest must find. Without mkfs.ext4 the case says so.
extra=$logdir/l1-extra
rm -rf "$extra" && mkdir -p "$extra/virtio/tree" || fail_all "cannot create $extra"
head -c 100000 /dev/urandom >"$extra/virtio/tree/hello.txt"
sha256sum "$extra/virtio/tree/hello.txt" | cut -c1-64 >"$extra/virtio/hello.sha256"
if command -v mkfs.ext4 >/dev/null; then
	mkfs.ext4 -q -F -d "$extra/virtio/tree" "$extra/virtio/ext4.img" 8M ||
		fail_all "mkfs.ext4 could not build the test image"
else
	echo "# no mkfs.ext4 (package e2fsprogs): virtio-ext4-ro will fail"
fi
rm -rf "$extra/virtio/tree"
# virtio-blk-direct's RAM disk and file system: brd and ext4 with what they
# need, in load order (modules_order), decompressed, listed in "order".
# shellcheck source=guest-images/lib/modules.sh
. "$images/lib/modules.sh"
mkdir -p "$extra/virtio/modules" || fail_all "cannot create $extra/virtio/modules"
if order=$(modules_order "$SHAPEVM_MODULES_DIR/modules.dep" "$SHAPEVM_MODULES_DIR/modules.builtin" \
	brd ext4 crc32c_generic); then
	for path in $order; do
		target=$extra/virtio/modules/${path%.xz}
		mkdir -p "$(dirname "$target")" || fail_all "cannot create $(dirname "$target")"
		case $path in
		*.ko.xz) xz -dc "$SHAPEVM_MODULES_DIR/$path" >"$target" ;;
		*) cp "$SHAPEVM_MODULES_DIR/$path" "$target" ;;
		esac || fail_all "cannot stage the module $path"
		echo "${path%.xz}" >>"$extra/virtio/modules/order"
	done
else
	echo "# no brd or ext4 module in $SHAPEVM_MODULES_DIR: virtio-blk-direct will fail"
fi
# The vfio-edu cases' program, static like shapevm, as /vfio-edu.
vfio_edu=${SHAPEVM_VFIO_EDU:-$(dirname "$SHAPEVM_STATIC")/vfio-edu}
if [ -f "$vfio_edu" ]; then
	install -m 0755 "$vfio_edu" "$extra/vfio-edu" || fail_all "cannot stage $vfio_edu"
else
	echo "# no $vfio_edu (make STATIC=1 builds it): the vfio-edu cases will fail"
fi

"$images/x86_64/build-l1-initramfs.sh" "$logdir/l1-initrd.cpio" "$SHAPEVM_STATIC" \
	"$SHAPEVM_GUEST_KERNEL" "$SHAPEVM_GUEST_INITRD" "$here/cases.sh" "$extra" \
	2> >(tee "$errors" >&2)
status=$?
wait
case $status in
0) ;;
3) skip_all "cannot build the L1 initramfs here: $(tail -n 1 "$errors")" ;;
*) fail_all "cannot build the L1 initramfs: $(tail -n 1 "$errors")" ;;
esac

# run_l1 IOMMU LOG CASE...: one L1 boot with that emulated IOMMU runs the
# cases; prints their results, its timings and, when one of them failed,
# the last 40 lines of its console log.
run_l1() {
	local iommu=$1 log=$2 l1_timeout case_list l1_status l1_fate name line
	local l1_init l1_kvm run_seconds failed_before=$failed
	shift 2
	# Budget: L1 reaches /init in ~14 s and an L2 run takes 25-45 s (acpi=off
	# is the slowest); the hard limit lets every case use its whole timeout
	# and still leaves L1 time to report.
	l1_timeout=$((60 + $# * (case_timeout + 10)))
	case_list=$(IFS=,; echo "$*")
	SHAPEVM_L1_IOMMU=$iommu "$images/x86_64/run-l1.sh" --initrd "$logdir/l1-initrd.cpio" \
		--log "$log" --timeout "$l1_timeout" \
		--append "shapevm.cases=$case_list shapevm.case_timeout=$case_timeout"
	l1_status=$?
	run_seconds=$(( (${EPOCHREALTIME/./} - run_start) / 1000000 ))

	# Why a case may have printed no result: what happened to L1 as a whole.
	if [ "$l1_status" = 124 ] || [ "$l1_status" = 137 ]; then
		l1_fate="L1 was stopped by the ${l1_timeout}s timeout"
	elif ! grep -q 'SHAPEVM_L1: init reached' "$log"; then
		l1_fate="L1 never reached its /init (QEMU exited $l1_status)"
	elif ! grep -q 'SHAPEVM_L1: done' "$log"; then
		l1_fate="L1 ended before its cases finished (QEMU exited $l1_status)"
	else
		l1_fate="L1 finished without reporting it"
	fi

	for name in "$@"; do
		# A kernel message may share the console line, so match anywhere in it.
		line=$(grep -E "SHAPEVM_RESULT: (ok|not ok) $name(:|\$)" "$log" | tail -1)
		case $line in
		*"SHAPEVM_RESULT: ok $name") pass "$name" ;;
		*"SHAPEVM_RESULT: not ok $name: "*) fail "$name" "${line#*"SHAPEVM_RESULT: not ok $name: "}" ;;
		*) fail "$name" "no result: $l1_fate" ;;
		esac
	done

	# Timings, read off the host's stamps in the log: "# " lines, as TAP comments.
	l1_init=$(grep -m1 'SHAPEVM_L1: init reached' "$log" | sed -n 's/^\[ *\([0-9.]*\)\].*/\1/p')
	l1_kvm=$(grep -m1 'SHAPEVM_L1: /dev/kvm ready' "$log" | sed -n 's/^\[ *\([0-9.]*\)\].*/\1/p')
	echo "# $iommu L1 reached /init after ${l1_init:-?} s, /dev/kvm after ${l1_kvm:-?} s; whole run ${run_seconds} s"
	grep -o 'SHAPEVM_CASE: [a-z0-9-]*: exit .*' "$log" | sed 's/^SHAPEVM_CASE: /# /'

	if [ "$failed" -gt "$failed_before" ]; then
		echo "# console log: $log (last 40 lines follow)"
		tail -n 40 "$log"
	fi
}

# Cases named *-intel need Intel's IOMMU: they get an L1 of their own.
amd_cases=() intel_cases=()
for name in "${cases[@]}"; do
	case $name in
	*-intel) intel_cases+=("$name") ;;
	*) amd_cases+=("$name") ;;
	esac
done
[ ${#amd_cases[@]} -eq 0 ] || run_l1 amd "$logdir/console.log" "${amd_cases[@]}"
[ ${#intel_cases[@]} -eq 0 ] || run_l1 intel "$logdir/console-intel.log" "${intel_cases[@]}"
finish

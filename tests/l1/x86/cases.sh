#!/bin/sh
# shellcheck shell=dash
# The L2 cases of tests/l1/x86/run.sh. Runs inside the emulated L1 host
# (busybox sh, started by guest-images/x86_64/l1-init.sh, which sets SHAPEVM,
# SHAPEVM_GUEST_KERNEL, SHAPEVM_GUEST_INITRD, SHAPEVM_L1_KVM and
# SHAPEVM_CASE_TIMEOUT).
#
#   sh cases.sh [CASE...]      (default: all of them)
#
# Each case boots the test guest with shapevm, judges it from shapevm's exit
# status and the guest's own output, and prints exactly one line:
#   SHAPEVM_RESULT: ok CASE
#   SHAPEVM_RESULT: not ok CASE: why
# Before it come the command ("SHAPEVM_CASE: CASE: run ..."), the output of
# shapevm and the guest, each line prefixed "CASE| ", and the exit status with
# the time taken ("SHAPEVM_CASE: CASE: exit N after S s"). The guest's /init
# (guest-images/x86_64/guest-init.sh) runs what follows " -- " on its command
# line and then prints "SHAPEVM_STATUS=<its exit status>".
set -u

all_cases="boot-smp reset poweroff acpi-off"
case_timeout=${SHAPEVM_CASE_TIMEOUT:-60}
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

# run_vmm CASE ARGS...: run "shapevm ARGS" under a hard timeout, its output in
# /tmp/CASE.out (carriage returns dropped) and echoed to the console. Sets
# vmm_status, vmm_seconds and vmm_timed_out.
run_vmm() {
	name=$1
	shift
	echo "SHAPEVM_CASE: $name: $SHAPEVM $*"
	start=$(centiseconds)
	# stdin from /dev/null: shapevm must not take L1's console as its own.
	# -k: if SIGTERM does not end it, SIGKILL does.
	timeout -k 5 "$case_timeout" "$SHAPEVM" "$@" </dev/null >"/tmp/$name.raw" 2>&1
	vmm_status=$?
	elapsed=$(($(centiseconds) - start))
	vmm_seconds=$((elapsed / 100)).$((elapsed / 10 % 10))
	vmm_timed_out=0
	[ "$elapsed" -lt $((case_timeout * 100)) ] || vmm_timed_out=1
	tr -d '\r' <"/tmp/$name.raw" >"/tmp/$name.out"
	sed "s/^/$name| /" "/tmp/$name.out"
	echo "SHAPEVM_CASE: $name: exit $vmm_status after $vmm_seconds s"
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

# The list is split into arguments on purpose.
# shellcheck disable=SC2086
[ $# -gt 0 ] || set -- $all_cases
for case_name in "$@"; do
	if [ "${SHAPEVM_L1_KVM:-0}" != 1 ]; then
		echo "SHAPEVM_RESULT: not ok $case_name: L1 has no /dev/kvm (kvm_amd did not load; see the L1 log)"
		continue
	fi
	case $case_name in
	boot-smp) case_boot_smp ;;
	reset) case_reset ;;
	poweroff) case_poweroff ;;
	acpi-off) case_acpi_off ;;
	*) fail "no such case (known: $all_cases)" ;;
	esac
	report "$case_name"
done

#!/bin/busybox sh
# shellcheck shell=dash source-path=SCRIPTDIR
# /init of the shapevm test guests, x86_64 and arm64 alike (busybox-static in
# an initramfs), so a test reads both the same way.
#
# Linux hands /init whatever follows " -- " on the kernel command line as
# arguments. With arguments, they are run as one shell command; without, a
# short demo prints what the guest sees. Either way the last line printed is
# exactly "SHAPEVM_STATUS=<status>", so a test can tell the command's result
# apart from the VMM's own exit status, and then the guest ends itself:
# "poweroff -f" (ACPI on x86, PSCI SYSTEM_OFF on arm64), or "reboot -f" when
# the command line holds shapevm.end=reboot (for reset tests, and for x86
# acpi=off guests, which Linux cannot power off).
#
# The shebang names busybox itself: until "--install" runs there is no sh.
set -u

/bin/busybox mkdir -p /proc /sys /dev /tmp /root /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
export PATH=/sbin:/bin:/usr/sbin:/usr/bin HOME=/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# Our cpio has no /dev/console; reopen it from devtmpfs in case the kernel
# could not give init a console before /dev was mounted. A failed "exec"
# redirection would end the shell (and panic the kernel), so try it first:
# with console=hvc0 there is no console until virtio_console loads.
console_reopen() {
	if (: </dev/console) 2>/dev/null; then
		exec </dev/console >/dev/console 2>&1
	fi
}
console_reopen

# shellcheck source=../lib/modules.sh
. /lib/shapevm/modules.sh
# Modules the image was built with (guest-images/ARCH/guest-modules.txt).
# They are all for virtio devices (and ext4 on their disks): a guest with none
# skips them, which saves seconds under emulation.
if grep -qs 0x1af4 /sys/bus/pci/devices/*/vendor; then
	modules_load_list /etc/shapevm/modules || echo "init: some modules did not load"
fi
# With console=hvc0 the console only exists once virtio_console has loaded:
# open it again so the output goes there.
console_reopen

# demo: what the machine looks like from inside.
demo() {
	echo "shapevm guest: Linux $(uname -r) on $(uname -m)"
	echo "  CPUs online:  $(nproc) ($(cat /sys/devices/system/cpu/online))"
	echo "  MemTotal:     $(awk '/^MemTotal:/ { printf "%d MiB", $2 / 1024 }' /proc/meminfo)"
	echo "  command line: $(cat /proc/cmdline)"
	echo "  uptime:       $(cut -d' ' -f1 /proc/uptime) s"
	found=
	for dev in /sys/bus/pci/devices/*; do
		[ -e "$dev" ] || continue
		[ -n "$found" ] || echo "  PCI devices (slot vendor:device class):"
		found=1
		echo "    ${dev##*/} $(cat "$dev/vendor"):$(cat "$dev/device") $(cat "$dev/class")"
	done
	[ -n "$found" ] || echo "  PCI devices:  none"
}

# drain_console: wait until the serial port has sent everything. A tty write
# returns once the bytes are queued, and reboot(2) (ACPI, PSCI) does not wait for the UART,
# so without this the status line could be lost. stty applies settings with
# TCSADRAIN; re-applying the current ones changes nothing but waits. Bounded,
# so a UART that never drains cannot keep the guest from ending.
drain_console() {
	timeout 2 stty -F /dev/console "$(stty -F /dev/console -g)" 2>/dev/null
}

if [ $# -gt 0 ]; then
	sh -c "$*"
	status=$?
else
	demo
	status=$?
fi
echo "SHAPEVM_STATUS=$status"
drain_console

case " $(cat /proc/cmdline) " in
*" shapevm.end=reboot "*) reboot -f ;;
*) poweroff -f ;;
esac
# Only reached if the kernel refused; PID 1 must not exit (that panics).
echo "init: the guest could not end itself"
while :; do sleep 3600; done

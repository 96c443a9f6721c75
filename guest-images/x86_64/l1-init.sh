#!/bin/busybox sh
# shellcheck shell=dash source-path=SCRIPTDIR
# /init of the emulated L1 host (QEMU TCG, "-cpu max": AMD SVM with nested
# paging). It loads KVM and VFIO (x86_64/l1-modules.txt, dependencies from
# modules.dep), binds QEMU's edu device (1234:11e8, behind the emulated
# AMD or Intel IOMMU) to vfio-pci, then runs /cases.sh with the cases named by
# shapevm.cases= on its command line, and powers L1 off so QEMU exits.
#
# What /cases.sh gets, in its environment:
#   SHAPEVM               /shapevm, the static VMM under test
#   SHAPEVM_GUEST_KERNEL  /guest/bzImage
#   SHAPEVM_GUEST_INITRD  /guest/initrd.cpio.gz
#   SHAPEVM_L1_KVM        1 if /dev/kvm is there, else 0
#   SHAPEVM_CASE_TIMEOUT  seconds each VMM run may take (shapevm.case_timeout=)
#   SHAPEVM_EDU_BDF       edu's PCI address, bound to vfio-pci (0000:00:02.0);
#                         empty when there is no edu or it could not be bound
# Lines starting "SHAPEVM_L1:" report on L1 itself, for the host's log.
set -u

/bin/busybox mkdir -p /proc /sys /dev /tmp /root /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
export PATH=/sbin:/bin:/usr/sbin:/usr/bin HOME=/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1

# shellcheck source=../lib/modules.sh
. /lib/shapevm/modules.sh

uptime_s() { cut -d' ' -f1 /proc/uptime; }

# cmdline_arg NAME DEFAULT: the value of shapevm.NAME= on the command line.
# (Dotted words are not passed to init as arguments or environment.)
cmdline_arg() {
	read -r words </proc/cmdline
	for word in $words; do
		case $word in
		shapevm."$1"=*) echo "${word#*=}"; return ;;
		esac
	done
	echo "$2"
}

echo "SHAPEVM_L1: init reached at $(uptime_s) s: Linux $(uname -r), $(nproc) CPU, $(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo) MiB"
modules_load_list /etc/shapevm/modules
kvm=0
if [ -c /dev/kvm ]; then
	kvm=1
	amd=/sys/module/kvm_amd/parameters
	echo "SHAPEVM_L1: /dev/kvm ready at $(uptime_s) s (kvm_amd npt=$(cat $amd/npt) nested=$(cat $amd/nested) nrips=$(cat $amd/nrips))"
else
	echo "SHAPEVM_L1: no /dev/kvm; svm in cpuinfo: $(grep -c -w svm /proc/cpuinfo); kernel says:"
	dmesg | grep -i -E 'kvm|svm' | tail -5
fi

# find_edu: the PCI address of QEMU's edu device, or nothing.
find_edu() {
	for dev in /sys/bus/pci/devices/*; do
		[ "$(cat "$dev/vendor"):$(cat "$dev/device")" = 0x1234:0x11e8 ] || continue
		basename "$dev"
		return
	done
}

# bind_vfio BDF: hand the device to vfio-pci. driver_override binds this one
# device only, whatever else shares its IDs.
bind_vfio() {
	dev=/sys/bus/pci/devices/$1
	[ -e "$dev/driver" ] && echo "$1" >"$dev/driver/unbind"
	echo vfio-pci >"$dev/driver_override" &&
		echo "$1" >/sys/bus/pci/drivers_probe &&
		[ "$(basename "$(readlink "$dev/driver")")" = vfio-pci ]
}

edu=$(find_edu)
if [ -z "$edu" ]; then
	echo "SHAPEVM_L1: no edu device (1234:11e8) on the PCI bus"
elif ! bind_vfio "$edu" 2>/tmp/bind.err; then
	echo "SHAPEVM_L1: edu $edu: cannot bind it to vfio-pci: $(cat /tmp/bind.err) (its driver: $(basename "$(readlink "/sys/bus/pci/devices/$edu/driver")" 2>/dev/null))"
	edu=
else
	group=$(basename "$(readlink "/sys/bus/pci/devices/$edu/iommu_group")")
	echo "SHAPEVM_L1: edu $edu bound to vfio-pci at $(uptime_s) s: IOMMU group $group (devices: $(cd "/sys/kernel/iommu_groups/$group/devices" && echo *)), /dev/vfio: $(cd /dev/vfio && echo *)"
fi

SHAPEVM_CASE_TIMEOUT=$(cmdline_arg case_timeout 60)
export SHAPEVM=/shapevm SHAPEVM_GUEST_KERNEL=/guest/bzImage \
	SHAPEVM_GUEST_INITRD=/guest/initrd.cpio.gz SHAPEVM_L1_KVM=$kvm \
	SHAPEVM_CASE_TIMEOUT SHAPEVM_EDU_BDF="$edu"
# The case names are split into arguments on purpose.
# shellcheck disable=SC2046
sh /cases.sh $(cmdline_arg cases "" | tr , ' ')
echo "SHAPEVM_L1: done at $(uptime_s) s"

# Let the UART send everything before the power goes (see guest-init.sh).
timeout 2 stty -F /dev/console "$(stty -F /dev/console -g)" 2>/dev/null
poweroff -f
while :; do sleep 3600; done

#!/bin/busybox sh
# shellcheck shell=dash source-path=SCRIPTDIR
# /init of the emulated L1 host (QEMU TCG, "-cpu max": AMD SVM with nested
# paging). It loads KVM and VFIO (x86_64/l1-modules.txt, dependencies from
# modules.dep), binds QEMU's edu devices (1234:11e8, behind the emulated
# AMD or Intel IOMMU) to vfio-pci, then runs /cases.sh with the cases named by
# shapevm.cases= on its command line, and powers L1 off so QEMU exits.
# run-l1.sh gives L1 several edus: one on the root bus, alone in its IOMMU
# group (the one most cases assign); one behind a conventional PCI bridge,
# whose group it shares with an e1000 that stays on the e1000 driver; and,
# with Intel's IOMMU, one at 00:1f.4, in the ISA bridge's group.
#
# What /cases.sh gets, in its environment:
#   SHAPEVM               /shapevm, the static VMM under test
#   SHAPEVM_GUEST_KERNEL  /guest/bzImage
#   SHAPEVM_GUEST_INITRD  /guest/initrd.cpio.gz
#   SHAPEVM_L1_KVM        1 if /dev/kvm is there, else 0
#   SHAPEVM_CASE_TIMEOUT  seconds each VMM run may take (shapevm.case_timeout=)
#   SHAPEVM_EDU_BDF       edu's PCI address, bound to vfio-pci (0000:00:02.0);
#                         empty when there is no edu or it could not be bound
#   SHAPEVM_EDU_PEER_BDF  the edu behind the bridge, bound to vfio-pci, in a
#                         group that is not viable (the e1000); or empty
#   SHAPEVM_E1000_BDF     the e1000 (8086:100e) behind the bridge, on its own
#                         driver; or empty
#   SHAPEVM_EDU_LPC_BDF   the edu at 00:1f.4 (Intel L1 only), bound to
#                         vfio-pci, in the group of the ISA bridge and its
#                         direct-relaxable 0-16 MiB; or empty
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

# find_pci VENDOR:DEVICE: the PCI addresses of such devices, in address
# order (so the root bus's come first), one a line.
find_pci() {
	for dev in /sys/bus/pci/devices/*; do
		[ "$(cat "$dev/vendor"):$(cat "$dev/device")" = "$1" ] && basename "$dev"
	done
}

# driver_of BDF: the driver the device is bound to, or "none".
driver_of() {
	if [ -e "/sys/bus/pci/devices/$1/driver" ]; then
		basename "$(readlink "/sys/bus/pci/devices/$1/driver")"
	else
		echo none
	fi
}

# group_of BDF: the device's IOMMU group and its members, for the log.
group_of() {
	group=$(basename "$(readlink "/sys/bus/pci/devices/$1/iommu_group")")
	echo "IOMMU group $group (devices: $(cd "/sys/kernel/iommu_groups/$group/devices" && echo *))"
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

# Which edu is which, by where it sits: behind a bridge (not bus 00), in
# the ICH9 slot (00:1f), or on the root bus (the first one there).
edu='' edu_peer='' edu_lpc=''
for bdf in $(find_pci 0x1234:0x11e8); do
	case $bdf in
	0000:00:1f.*) edu_lpc=${edu_lpc:-$bdf} ;;
	0000:00:*) edu=${edu:-$bdf} ;;
	*) edu_peer=${edu_peer:-$bdf} ;;
	esac
done
e1000=$(find_pci 0x8086:0x100e | sed -n 1p)
if [ -z "$edu" ]; then
	echo "SHAPEVM_L1: no edu device (1234:11e8) on the PCI bus"
elif ! bind_vfio "$edu" 2>/tmp/bind.err; then
	echo "SHAPEVM_L1: edu $edu: cannot bind it to vfio-pci: $(cat /tmp/bind.err) (its driver: $(driver_of "$edu"))"
	edu=
else
	echo "SHAPEVM_L1: edu $edu bound to vfio-pci at $(uptime_s) s: $(group_of "$edu"), /dev/vfio: $(cd /dev/vfio && echo *)"
fi
# The second edu joins vfio-pci too, so its group's only offender is the
# e1000 on its own driver.
if [ -z "$edu_peer" ]; then
	echo "SHAPEVM_L1: no second edu (behind the PCI bridge)"
elif ! bind_vfio "$edu_peer" 2>/tmp/bind.err; then
	echo "SHAPEVM_L1: edu $edu_peer: cannot bind it to vfio-pci: $(cat /tmp/bind.err) (its driver: $(driver_of "$edu_peer"))"
	edu_peer=
else
	echo "SHAPEVM_L1: edu $edu_peer bound to vfio-pci: $(group_of "$edu_peer"); e1000 ${e1000:-none} on $(driver_of "${e1000:-none}")"
fi
if [ -n "$edu_lpc" ]; then
	if bind_vfio "$edu_lpc" 2>/tmp/bind.err; then
		echo "SHAPEVM_L1: edu $edu_lpc bound to vfio-pci: $(group_of "$edu_lpc"), reserved: $(tr '\n' ',' <"/sys/bus/pci/devices/$edu_lpc/iommu_group/reserved_regions")"
	else
		echo "SHAPEVM_L1: edu $edu_lpc: cannot bind it to vfio-pci: $(cat /tmp/bind.err) (its driver: $(driver_of "$edu_lpc"))"
		edu_lpc=
	fi
fi

SHAPEVM_CASE_TIMEOUT=$(cmdline_arg case_timeout 60)
export SHAPEVM=/shapevm SHAPEVM_GUEST_KERNEL=/guest/bzImage \
	SHAPEVM_GUEST_INITRD=/guest/initrd.cpio.gz SHAPEVM_L1_KVM=$kvm \
	SHAPEVM_CASE_TIMEOUT SHAPEVM_EDU_BDF="$edu" SHAPEVM_EDU_PEER_BDF="$edu_peer" \
	SHAPEVM_E1000_BDF="$e1000" SHAPEVM_EDU_LPC_BDF="$edu_lpc"
# The case names are split into arguments on purpose.
# shellcheck disable=SC2046
sh /cases.sh $(cmdline_arg cases "" | tr , ' ')
echo "SHAPEVM_L1: done at $(uptime_s) s"

# Let the UART send everything before the power goes (see guest-init.sh).
timeout 2 stty -F /dev/console "$(stty -F /dev/console -g)" 2>/dev/null
poweroff -f
while :; do sleep 3600; done

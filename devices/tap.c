// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "devices/tap.h"
#include "vmm/log.h"

/* A tap shapevm created is down; bring it up so the host side can use it. */
static void tap_bring_up(const char *name)
{
	struct ifreq ifr = { 0 };
	int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (sock < 0)
		return;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(sock, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(sock, SIOCSIFFLAGS, &ifr) < 0)
			log_warn("--net tap=%s: cannot bring it up: %s", name, strerror(errno));
	}
	close(sock);
}

static bool tap_exists(const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/class/net/%s", name);
	return access(path, F_OK) == 0;
}

int tap_open(const char *name, unsigned int vnet_hdr_size, bool *created)
{
	struct ifreq ifr = { 0 };
	int hdr = vnet_hdr_size, fd, ret;

	*created = !tap_exists(name);
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		log_error("--net tap=%s: /dev/net/tun: %s", name, strerror(errno));
		return ret;
	}
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		ret = -errno;
		if (errno == EPERM && *created)
			log_error("--net tap=%s: no such interface, and creating one needs CAP_NET_ADMIN (ip tuntap add %s mode tap user $USER)",
				  name, name);
		else if (errno == EPERM || errno == EBUSY)
			log_error("--net tap=%s: cannot attach: %s (is it another user's, or in use?)",
				  name, strerror(errno));
		else
			log_error("--net tap=%s: TUNSETIFF: %s", name, strerror(errno));
		close(fd);
		return ret;
	}
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdr) < 0) {
		ret = -errno;
		log_error("--net tap=%s: TUNSETVNETHDRSZ: %s", name, strerror(errno));
		close(fd);
		return ret;
	}
	if (*created)
		tap_bring_up(name);
	return fd;
}

int tap_set_offload(int fd, unsigned int flags)
{
	return ioctl(fd, TUNSETOFFLOAD, flags) < 0 ? -errno : 0;
}

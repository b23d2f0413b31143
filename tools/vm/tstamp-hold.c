// SPDX-License-Identifier: GPL-2.0
/*
 * tstamp-hold: keep the kernel's receive-timestamp static key enabled for
 * the whole guest run.
 *
 * Every tcpdump that starts or stops turns net_enable_timestamp() /
 * net_disable_timestamp() into a text patch of netstamp_needed_key's jump
 * sites (dev_queue_xmit_nit, __netif_receive_skb ...). Under QEMU TCG with
 * two vCPUs a CPU can still execute the breakpoint of that patch after the
 * patching CPU has finished with it, and the kernel dies with "Oops: int3"
 * in dev_queue_xmit_nit (seen on 6.12.118 in the perm-group scenario, a ping
 * flood running while tcpdump started). One socket holding SO_TIMESTAMP keeps
 * the key's count above zero, so no scenario patches kernel text any more.
 *
 * Usage: tstamp-hold &   (runs until killed)
 */
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
	int one = 1;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_TIMESTAMP, &one, sizeof(one)) < 0) {
		perror("tstamp-hold");
		return 1;
	}
	for (;;)
		pause();
}

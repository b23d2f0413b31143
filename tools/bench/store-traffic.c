// SPDX-License-Identifier: GPL-2.0
/*
 * store-traffic: writes a nanosecond pcap of COUNT Ethernet frames spread
 * evenly over SECONDS from START (epoch seconds), in FLOWS flows, for the
 * capture store's benchmark (tools/bench/store-bench.sh): flow f is
 * 10.1.f/256.f%256:(20000 + f) -> 10.2.0.1:443, TCP for even f, UDP for
 * odd f; frame i belongs to flow i % FLOWS, sizes cycle over 60..1000 bytes.
 *
 *   store-traffic OUT COUNT SECONDS FLOWS START
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void le32(uint8_t *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = v >> 24;
}

int main(int argc, char **argv)
{
	static uint8_t frame[1100];
	uint8_t h[24] = { 0 }, r[16];
	unsigned long long count, seconds, flows, start, i;
	FILE *out;

	if (argc != 6) {
		fprintf(stderr, "usage: %s OUT COUNT SECONDS FLOWS START\n", argv[0]);
		return 2;
	}
	count = strtoull(argv[2], NULL, 10);
	seconds = strtoull(argv[3], NULL, 10);
	flows = strtoull(argv[4], NULL, 10);
	start = strtoull(argv[5], NULL, 10);
	if (!count || !flows || flows > 65535) {
		fprintf(stderr, "%s: COUNT and FLOWS (1..65535) above 0\n", argv[0]);
		return 2;
	}
	out = fopen(argv[1], "wb");
	if (!out) {
		perror(argv[1]);
		return 1;
	}
	le32(h, 0xa1b23c4d);
	h[4] = 2;
	h[6] = 4;
	le32(h + 16, 262144);
	le32(h + 20, 1);
	fwrite(h, 1, sizeof(h), out);
	for (i = 0; i < count; i++) {
		unsigned long long f = i % flows;
		unsigned long long ns = start * 1000000000ULL +
			(unsigned long long)((double)i * seconds * 1e9 / count);
		uint32_t len = 60 + (uint32_t)(i * 7 % 941);
		uint8_t *ip = frame + 14, *l4 = frame + 34;
		int tcp = !(f & 1);

		memset(frame, 0, len);
		frame[0] = 0x02; frame[5] = 0x02; frame[6] = 0x02; frame[11] = 0x01;
		put16(frame + 12, 0x0800);
		ip[0] = 0x45;
		put16(ip + 2, (uint16_t)(len - 14));
		put16(ip + 4, (uint16_t)i);
		ip[8] = 64;
		ip[9] = tcp ? 6 : 17;
		ip[12] = 10; ip[13] = 1; ip[14] = (uint8_t)(f >> 8); ip[15] = (uint8_t)f;
		ip[16] = 10; ip[17] = 2; ip[18] = 0; ip[19] = 1;
		put16(l4, (uint16_t)(20000 + f));
		put16(l4 + 2, 443);
		if (tcp) {
			l4[12] = 0x50;
			l4[13] = 0x10;
		} else {
			put16(l4 + 4, (uint16_t)(len - 34));
		}
		le32(r, (uint32_t)(ns / 1000000000ULL));
		le32(r + 4, (uint32_t)(ns % 1000000000ULL));
		le32(r + 8, len);
		le32(r + 12, len);
		fwrite(r, 1, sizeof(r), out);
		fwrite(frame, 1, len, out);
	}
	return fclose(out) ? 1 : 0;
}

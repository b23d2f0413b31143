// SPDX-License-Identifier: GPL-2.0
/*
 * filter-oracle: runs on the host, with libpcap. Writes to stdout the
 * cases file skbremap-filter reads in the VM: the frames of the shared
 * traffic mix (tests/c/mix.h), then for each expression of the mix the
 * program pcap_compile() makes (DLT_EN10MB, the expression's snaplen) and
 * libpcap's verdict on every frame as it is on the wire (the oracle: what
 * tcpdump with that expression would keep, and how much of it).
 *
 *   frames <n>
 *   f <len> <hex bytes>                   n lines, frame i on line i
 *   case <snaplen> <expression>
 *   prog <len>
 *   <code> <jt> <jf> <k>                  len lines
 *   verdicts <v0> ... <v(n-1)>
 *   end
 */
#include <pcap/pcap.h>
#include <stdio.h>

#include "mix.h"

int main(void)
{
	uint32_t i, j;

	build_mix();
	printf("frames %u\n", NFRAMES);
	for (i = 0; i < NFRAMES; i++) {
		printf("f %u ", frame_len[i]);
		for (j = 0; j < frame_len[i]; j++)
			printf("%02x", frames[i][j]);
		printf("\n");
	}
	for (i = 0; i < NEXPRS; i++) {
		pcap_t *p = pcap_open_dead(DLT_EN10MB, exprs[i].snaplen);
		struct bpf_program prog;

		if (!p || pcap_compile(p, &prog, exprs[i].text, 1,
				       PCAP_NETMASK_UNKNOWN)) {
			fprintf(stderr, "filter-oracle: %s: %s\n",
				exprs[i].text, p ? pcap_geterr(p) : "no pcap");
			return 1;
		}
		printf("case %d %s\nprog %u\n", exprs[i].snaplen,
		       exprs[i].text, prog.bf_len);
		for (j = 0; j < prog.bf_len; j++)
			printf("%u %u %u %u\n", prog.bf_insns[j].code,
			       prog.bf_insns[j].jt, prog.bf_insns[j].jf,
			       prog.bf_insns[j].k);
		printf("verdicts");
		for (j = 0; j < NFRAMES; j++) {
			struct pcap_pkthdr h = { .caplen = frame_len[j],
						 .len = frame_len[j] };

			printf(" %d", pcap_offline_filter(&prog, &h,
							  frames[j]));
		}
		printf("\n");
		pcap_freecode(&prog);
		pcap_close(p);
	}
	printf("end\n");
	return 0;
}

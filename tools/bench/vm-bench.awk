# The in-VM benchmark's table (tools/bench/vm-bench.sh): reads the guest's raw records
# (tools/vm/bench-guest.sh: load,size,consumer[#round],phase,nominal_pps,offered,at_tap,
# captured,drops,gen_secs,gen_pps,busy_ticks,busy_cpu1_ticks,proc_ticks,backlog_drops,note,user_ticks,
# softirq_cpu1_ticks; load "X:file" = the consumer wrote to a file; loads "burst" and "over" =
# the throttled disk), prints a table per load and sink, the ratios to tcpdump and to the best
# peer (tcpdump, netsniff-ng, dumpcap), the throttled-disk table, the A/A control and the
# targets as verdicts, and writes the rows to csv.
#   awk -F, -v csv=OUT.csv -f tools/bench/vm-bench.awk bench.csv
# USER_HZ is 100 in the guest: one busy tick is 10 ms.
# CPU per packet, minus the same phase with no consumer (same round), divided by the packets
# captured:
#   pktgen  CPU 1's busy ticks in the "cpu" step (paced at a rate every consumer should
#           sustain): CPU 1 is the capture host (RPS, skbremap's workqueue and the consumer
#           pinned there), CPU 0 only runs pktgen (which spins between paced frames)
#   lo      all CPUs' busy ticks in the flood (the sender's CPU 0 also carries the outgoing
#           tap copy of each datagram, and is busy for as long as the sender runs: the
#           difference to the load alone is noisy, see the A/A control)
# With several rounds (vm-bench.sh --rounds N), each cell is the consumer's best round:
# interference from the shared host only ever makes a run worse. The flood columns come from
# the round with the highest capture ratio, loss-free is the highest over the rounds, cpu the
# lowest.
function key(l, s, c) { return l SUBSEP s SUBSEP c }
# "pktgen:file" -> "pktgen": the load without its sink.
function base(l,    b_) { b_ = l; sub(/:.*/, "", b_); return b_ }
# The best peer's loss-free rate / cpu per packet at (l, s): highest / lowest of tcpdump,
# netsniff-ng and dumpcap (BESTPEER[...] names which).
function best_lf(l, s,    i, k, v, bk) {
	v = ""; bk = ""
	for (i = 1; i <= npeers; i++) {
		k = key(l, s, peers[i])
		if (!(k in lf) || na[k] != "") continue
		if (v == "" || lf[k] > v || (lf[k] == v && lfcap[k])) { v = lf[k]; bk = k }
	}
	BEST_LF_KEY = bk
	return bk
}
function best_cpu(l, s,    i, k, v, bk) {
	v = ""; bk = ""
	for (i = 1; i <= npeers; i++) {
		k = key(l, s, peers[i])
		if (!(k in cpu) || cpu[k] == "" || na[k] != "") continue
		if (v == "" || cpu[k] < v) { v = cpu[k]; bk = k }
	}
	return bk
}
function best_capr(l, s,    i, k, v) {
	v = ""
	for (i = 1; i <= npeers; i++) {
		k = key(l, s, peers[i])
		if (!(k in cap) || na[k] != "") continue
		if (v == "" || capratio(k) > v) v = capratio(k)
	}
	return v
}
function peername(k,    kk) { split(k, kk, SUBSEP); return kk[3] }
function num(v, f) { return v == "" ? "-" : sprintf(f, v) }
function ratio(a, b) { return (a == "" || b == "" || b + 0 <= 0) ? "-" : sprintf("%.2f", a / b) }
function lossless(drops, cap, off) { return drops + 0 == 0 && cap + 0 >= off + 0 }
# Loss-free rate: "N+" = the unpaced flood lost nothing (a lower bound: the generator's
# fastest), "<N" = lossy at every step tried (N the slowest step's achieved rate).
function lf_str(k) {
	if (!(k in lf)) return "-"
	if (lfcap[k]) return lf[k] "+"
	if (lf[k] == 0) return "<" lfmin[k]
	return lf[k]
}
function lf_ratio(k, r,    v) {
	if (!(k in lf) || !(r in lf) || (lf[k] == 0 && lf[r] == 0)) return "-"
	if (lf[r] == 0) return "inf"
	v = sprintf("%.2f", lf[k] / lf[r])
	if (lfcap[k] && lfcap[r]) return "~" v
	if (lfcap[k]) return ">=" v
	if (lfcap[r]) return "<=" v
	return v
}
function capratio(k) { return (k in cap && off[k] > 0) ? cap[k] / off[k] : "" }
# Per round (kr = key SUBSEP round, b = load SUBSEP size SUBSEP round): cpu and proc per packet.
function cpu_r(kr, l, b) {
	if (base(l) == "pktgen") {
		if (!(kr in r_ccap) || r_ccap[kr] + 0 <= 0 || !(b in cbase)) return ""
		return (r_cbusy1[kr] - cbase[b]) * 10000 / r_ccap[kr]
	}
	if (!(kr in r_cap) || r_cap[kr] + 0 <= 0 || !(b in fbase)) return ""
	return (r_fbusy[kr] - fbase[b]) * 10000 / r_cap[kr]
}
function proc_r(kr, l) {
	if (base(l) == "pktgen") return (r_ccap[kr] + 0 > 0) ? r_cproc[kr] * 10000 / r_ccap[kr] : ""
	return (r_cap[kr] + 0 > 0) ? r_fproc[kr] * 10000 / r_cap[kr] : ""
}
# utime alone (field 17; absent in raw files of runs before it: empty).
function user_r(kr, l) {
	if (base(l) == "pktgen") return (r_ccap[kr] + 0 > 0 && r_cuser[kr] != "") ? r_cuser[kr] * 10000 / r_ccap[kr] : ""
	return (r_cap[kr] + 0 > 0 && r_fuser[kr] != "") ? r_fuser[kr] * 10000 / r_cap[kr] : ""
}
# CPU 1's softirq ticks per captured packet (field 18), minus the load alone's; pktgen's cpu
# step, lo's flood.
function sirq_r(kr, l, b) {
	if (base(l) == "pktgen") {
		if (!(kr in r_ccap) || r_ccap[kr] + 0 <= 0 || r_csirq[kr] == "" || !(b in csbase)) return ""
		return (r_csirq[kr] - csbase[b]) * 10000 / r_ccap[kr]
	}
	if (!(kr in r_cap) || r_cap[kr] + 0 <= 0 || r_fsirq[kr] == "" || !(b in fsbase)) return ""
	return (r_fsirq[kr] - fsbase[b]) * 10000 / r_cap[kr]
}
# verdict: "met|not met|undetermined (x.xx)" for mode m vs tcpdump at size s.
function verdict(l, s, m, thr,    k, r, v) {
	k = key(l, s, m); r = key(l, s, "tcpdump")
	if (na[k] != "") return "n/a"
	if (!(k in lf) || !(r in lf)) return "not measured"
	if (lf[r] == 0 && lf[k] > 0) return "met (tcpdump lossy at every step)"
	if (lf[r] == 0) return "undetermined (both lossy at every step)"
	v = lf[k] / lf[r]
	if (lfcap[k] && lfcap[r])
		return sprintf("undetermined (%.2fx: both loss-free at the generator's fastest)", v)
	if (lfcap[r] && !lfcap[k]) return sprintf("not met (<= %.2fx)", v)
	return sprintf("%s (%s%.2fx)", v >= thr ? "met" : "not met", lfcap[k] ? ">= " : "", v)
}
BEGIN {
	nmodes = split("bounce ring ring-worker adaptive remap fanout2 tcpdump netsniff-ng dumpcap recvfrom tcpdump2", order, " ")
	npeers = split("tcpdump netsniff-ng dumpcap", peers, " ")
}
{
	l = $1; s = $2; ph = $4
	split($3, cr_, "#"); c = cr_[1]; rd = (cr_[2] == "") ? 1 : cr_[2] + 0
	if (rd > nrounds) nrounds = rd
	k = key(l, s, c); kr = k SUBSEP rd; b = l SUBSEP s SUBSEP rd
	if (!(l in seenload)) { seenload[l] = 1; loads[++nloads] = l }
	if (!((l, s) in seensize)) { seensize[l, s] = 1; sizes[l, ++nsizes[l]] = s }
	seen[k] = 1
	if (ph == "na") { na[k] = $16; next }
	if (ph == "paths") { r_paths[kr] = $16; next }
	if (ph == "written") { r_cap[kr] = $8; next }
	if (ph == "filebytes") { r_fbytes[kr] = $8; next }
	if (l == "burst" || l == "over") {
		if (ph == "flood") {
			if (!(l in seenthr)) { seenthr[l] = 1; thrloads[++nthr] = l }
			t_off[l, c] = $6; t_cap[l, c] = $8; t_drops[l, c] = $9; t_secs[l, c] = $10; t_pps[l, c] = $11
			t_peak[l, c] = $5; t_proc[l, c] = $14; t_seen[l, c] = 1
		}
		next
	}
	if (ph == "flood") {
		if (c == "none") {
			gen[b] = $11; genoff[b] = $6; genback[b] = $15; fbase[b] = $12; fsbase[b] = $18; next
		}
		r_fsirq[kr] = $18
		r_off[kr] = $6; r_cap[kr] = $8; r_drops[kr] = $9; r_secs[kr] = $10; r_back[kr] = $15
		r_fbusy[kr] = $12; r_fproc[kr] = $14; r_fuser[kr] = $17
		if (!lossless($9, $8, $6)) r_flossy[kr] = 1
		if (base(l) == "pktgen") {
			if (lossless($9, $8, $6)) { r_lf[kr] = $11; r_lfcap[kr] = 1 } else { r_lf[kr] = 0; r_lfmin[kr] = $11 }
		}
		next
	}
	if (ph == "cpu" && c == "none") { cbase[b] = $13; cbaseoff[b] = $6; csbase[b] = $18; next }
	if (ph == "cpu") {
		r_ccap[kr] = $8; r_cbusy1[kr] = $13; r_cproc[kr] = $14; r_cuser[kr] = $17; r_csirq[kr] = $18
		if (!lossless($9, $8, $6)) r_cpulossy[kr] = 1
	}
	if (ph == "cpu" || ph == "step") {
		r_nsteps[kr]++
		if (lossless($9, $8, $6)) { if (!r_lfcap[kr] && $11 > r_lf[kr]) r_lf[kr] = $11 }
		else if (!r_lfcap[kr] && (r_lfmin[kr] == "" || $11 < r_lfmin[kr])) r_lfmin[kr] = $11
	}
}
END {
	# The best round of each consumer (see the top of this file).
	for (k in seen) {
		split(k, kk, SUBSEP); l = kk[1]; s = kk[2]
		bestc = -1; bestu = ""; nsteps[k] = 0
		for (rd = 1; rd <= nrounds; rd++) {
			kr = k SUBSEP rd; b = l SUBSEP s SUBSEP rd
			if (!(kr in r_cap)) continue
			crr = r_off[kr] > 0 ? r_cap[kr] / r_off[kr] : 0
			if (crr > bestc) {
				bestc = crr
				off[k] = r_off[kr]; cap[k] = r_cap[kr]; drops[k] = r_drops[kr]; back[k] = r_back[kr]
				secs[k] = r_secs[kr]; paths[k] = r_paths[kr]; fbytes[k] = r_fbytes[kr]
			}
			if (kr in r_lf) {
				if (!(k in lf) || r_lf[kr] > lf[k] || (r_lf[kr] == lf[k] && r_lfcap[kr])) {
					lf[k] = r_lf[kr]; lfcap[k] = r_lfcap[kr]
				}
				if (r_lfmin[kr] != "" && (lfmin[k] == "" || r_lfmin[kr] < lfmin[k])) lfmin[k] = r_lfmin[kr]
			}
			u = cpu_r(kr, l, b)
			if (u != "" && (bestu == "" || u < bestu)) {
				bestu = u; cpu[k] = u; proc[k] = proc_r(kr, l); user[k] = user_r(kr, l)
				sirq[k] = sirq_r(kr, l, b)
				cpulossy[k] = (base(l) == "pktgen") ? r_cpulossy[kr] : r_flossy[kr]
			}
			nsteps[k] += r_nsteps[kr]
		}
	}
	print "load,size,consumer,offered,captured,drops,backlog_drops,capture_ratio,captured_pps,cpu_us_per_pkt,proc_us_per_pkt,user_us_per_pkt,softirq_us_per_pkt,lossfree_pps,lossfree_lower_bound,capture_vs_tcpdump,capture_vs_recvfrom,lossfree_vs_tcpdump,lossfree_vs_recvfrom,cpu_vs_tcpdump,cpu_vs_recvfrom,lossfree_vs_best_peer,cpu_vs_best_peer,file_bytes,note" > csv
	print ""
	if (nrounds > 1)
		printf "## %d rounds of every consumer; each cell is the consumer's best round (host interference only makes runs worse)\n", nrounds
	print "## each consumer alone against the same load; the unpaced flood of a fixed count; load \"X:file\" = the"
	print "##   consumer writes a pcap file on ext4 on a virtio disk, else -w /dev/null:"
	print "##   offered = frames put on the wire (pktgen: sent + refused by the capture CPU's backlog; lo: datagrams sent);"
	print "##   drops = what the consumer reports (skbremap's module, tcpdump's and dumpcap's \"dropped\", netsniff-ng's"
	print "##   \"failed filter (out of space)\", the socket's tp_drops; on lo each datagram passes the tap twice);"
	print "##   backlog = lost before any tap; capt% = captured/offered; kpps = captured / the generator's send time"
	print "## cpu = capture-CPU time per captured packet: user + system + softirq + irq of CPU 1 from /proc/stat"
	print "##   (the consumer, skbremap's kworker, the softirq taps), minus the load alone's:"
	print "##   pktgen: in a step paced at 1/8 of the generator's rate (* = that step lost packets too);"
	print "##   lo: all CPUs in the flood (* = the flood lost packets: the figure is time more than work);"
	print "##   proc = the consumer process's utime+stime, sirq = CPU 1's softirq, user = utime alone (each per packet)"
	print "## loss-free = pktgen's achieved rate (pps) of the fastest run that lost nothing: N+ = the unpaced"
	print "##   flood lost nothing (lower bound), <N = lossy at every step tried"
	print "## ratios: this consumer / tcpdump and / the best peer (the best of tcpdump, netsniff-ng, dumpcap at that"
	print "##   load and size; lf = loss-free: higher is better; u = cpu per packet: lower is better);"
	print "##   tcpdump2 = tcpdump run again last (A/A control: noise)"
	hdr = sprintf("%-11s %5s %-11s %8s %8s %8s %7s %6s %7s %7s %7s %7s %7s %9s | %7s %7s | %5s %5s", \
		"load", "size", "consumer", "offered", "captured", "drops", "backlog", "capt%", "kpps", "cpu us", "proc us", "sirq us", "user us", \
		"loss-free", "lf/tcp", "lf/best", "u/tcp", "u/best")
	for (li = 1; li <= nloads; li++) {
		l = loads[li]
		if (l == "burst" || l == "over") continue
		print ""
		print hdr
		for (si = 1; si <= nsizes[l]; si++) {
			s = sizes[l, si]; b = l SUBSEP s SUBSEP 1
			t = key(l, s, "tcpdump"); rv = key(l, s, "recvfrom")
			blk = best_lf(l, s); bck = best_cpu(l, s)
			if (b in gen) {
				bc = (base(l) == "pktgen") ? ((cbaseoff[b] > 0 && b in cbase) ? cbase[b] * 10000 / cbaseoff[b] : "") : \
					(genoff[b] > 0 ? fbase[b] * 10000 / genoff[b] : "")
				printf "%-11s %5s %-11s %8s %8s %8s %7s %6s %7s %7s %7s %7s %7s %9s |  the load alone%s (cpu per offered frame)\n", \
					l, s, "(none)", genoff[b], "-", "-", genback[b], "-", num(gen[b] / 1000, "%.1f"), num(bc, "%.1f"), "-", "-", "-", "-", \
					(nrounds > 1 ? ", round 1" : "")
				printf "%s,%s,none,%s,,,%s,,%s,%s,,,,,,,,,,,,,,,load alone (cpu per offered frame)\n", l, s, genoff[b], genback[b], \
					gen[b], num(bc, "%.2f") > csv
			}
			for (oi = 1; oi <= nmodes; oi++) {
				c = order[oi]; k = key(l, s, c)
				if (na[k] != "") {
					printf "%-11s %5s %-11s %s\n", l, s, c, na[k]
					printf "%s,%s,%s,,,,,,,,,,,,,,,,,,,,,,%s\n", l, s, c, na[k] > csv
					continue
				}
				if (!(k in cap)) continue
				cr = capratio(k); u = cpu[k]; ut = cpu[t]; ur = cpu[rv]
				lfb = (blk == "") ? "-" : lf_ratio(k, blk); ub = (bck == "") ? "-" : ratio(u, cpu[bck])
				printf "%-11s %5s %-11s %8s %8s %8s %7s %6s %7s %7s %7s %7s %7s %9s | %7s %7s | %5s %5s\n", \
					l, s, c, off[k], cap[k], drops[k], back[k], num(cr == "" ? "" : cr * 100, "%.1f"), \
					num(secs[k] > 0 ? cap[k] / secs[k] / 1000 : "", "%.1f"), num(u, "%.1f") (cpulossy[k] ? "*" : ""), \
					num(proc[k], "%.1f"), num(sirq[k], "%.1f"), num(user[k], "%.1f"), lf_str(k), lf_ratio(k, t), lfb, \
					ratio(u, ut), ub
				printf "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", l, s, c, off[k], cap[k], \
					drops[k], back[k], num(cr, "%.4f"), num(secs[k] > 0 ? cap[k] / secs[k] : "", "%.0f"), num(u, "%.2f"), \
					num(proc[k], "%.2f"), num(user[k], "%.2f"), num(sirq[k], "%.2f"), (k in lf) ? lf[k] : "", lfcap[k] ? 1 : 0, \
					ratio(cr, capratio(t)), ratio(cr, capratio(rv)), lf_ratio(k, t), lf_ratio(k, rv), ratio(u, ut), ratio(u, ur), \
					lfb, ub, fbytes[k], paths[k] > csv
			}
			if (blk != "" || bck != "")
				printf "%-11s %5s   best peer: loss-free %s, cpu %s\n", l, s, \
					(blk == "" ? "-" : peername(blk) " " lf_str(blk)), (bck == "" ? "-" : peername(bck) " " num(cpu[bck], "%.1f"))
		}
	}
	if (nthr > 0) {
		print ""
		print "## the throttled disk (QEMU throttling.bps-total): each consumer writes a pcap file there, one start"
		print "##   for the whole load; burst = pktgen bursts of 1500 B frames paced at the peak rate, pauses between"
		print "##   (average below the disk's rate); over = one unpaced flood (average above it);"
		print "##   avg pps = offered / (bursts + pauses); drops by reason: the remapd lines below"
		printf "%-6s %-11s %8s %8s %8s %6s %8s %8s %8s %10s\n", "load", "consumer", "offered", "captured", "drops", "capt%", "peak pps", "avg pps", "proc us", "file B"
		for (ti = 1; ti <= nthr; ti++) {
			l = thrloads[ti]
			for (oi = 1; oi <= nmodes; oi++) {
				c = order[oi]
				if (na[key(l, 1500, c)] != "") { printf "%-6s %-11s %s\n", l, c, na[key(l, 1500, c)]; continue }
				if (!((l, c) in t_seen)) continue
				printf "%-6s %-11s %8s %8s %8s %6s %8s %8s %8s %10s\n", l, c, t_off[l, c], t_cap[l, c], t_drops[l, c], \
					num(t_off[l, c] > 0 ? t_cap[l, c] * 100 / t_off[l, c] : "", "%.1f"), t_peak[l, c], t_pps[l, c], \
					num(t_cap[l, c] > 0 ? t_proc[l, c] * 10000 / t_cap[l, c] : "", "%.1f"), r_fbytes[key(l, 1500, c) SUBSEP 1]
				printf "%s,1500,%s,%s,%s,%s,,%s,%s,,,,,,,,,,,,,,,,%s\n", l, c, t_off[l, c], t_cap[l, c], t_drops[l, c], \
					num(t_off[l, c] > 0 ? t_cap[l, c] / t_off[l, c] : "", "%.4f"), t_pps[l, c], r_paths[key(l, 1500, c) SUBSEP 1] > csv
			}
		}
	}
	print ""
	print "## remapd: packets per delivery path, skbremap's drops by reason and the output path's own words"
	print "##   (the whole run of the consumer, the flood's best round), and paced steps of the loss-free search"
	for (li = 1; li <= nloads; li++) {
		l = loads[li]
		for (si = 1; si <= nsizes[l]; si++) {
			s = sizes[l, si]
			for (oi = 1; oi <= nmodes; oi++) {
				c = order[oi]; k = key(l, s, c)
				if (!(k in cap) && !(k SUBSEP 1 in r_paths)) continue
				n = ""
				p_ = (k in cap) ? paths[k] : r_paths[k SUBSEP 1]
				if (p_ != "") n = n " " p_ ";"
				if (nsteps[k] > 0) n = n sprintf(" %d paced step%s;", nsteps[k], nsteps[k] > 1 ? "s" : "")
				if (n != "") printf "  %-11s %5s %-11s%s\n", l, s, c, n
			}
		}
	}
	print ""
	print "## targets (printed, not asserted): skbremap = remapd --mode adaptive (the default); best peer = the"
	print "##   best of tcpdump, netsniff-ng, dumpcap at that load, sink and size; A/A = tcpdump2/tcpdump"
	for (li = 1; li <= nloads; li++) {
		l = loads[li]
		if (base(l) != "pktgen") continue
		for (si = 1; si <= nsizes[l]; si++) {
			s = sizes[l, si]; k = key(l, s, "adaptive")
			if (!(k in cap)) continue
			blk = best_lf(l, s); bck = best_cpu(l, s)
			v1 = (blk == "") ? "not measured" : lf_ratio(k, blk)
			ok1 = (blk == "") ? "not measured" : verdict_best(k, blk)
			v2 = (bck == "" || cpu[k] == "") ? "-" : ratio(cpu[k], cpu[bck])
			ok2 = (v2 == "-") ? "not measured" : (cpu[k] <= cpu[bck] ? "met" : "not met")
			printf "%-11s %5s loss-free >= 1.0x best peer (%s): %s (%s); cpu/pkt <= best peer's (%s): %s (%s); A/A lf %s\n", \
				l, s, (blk == "" ? "-" : peername(blk)), ok1, v1, (bck == "" ? "-" : peername(bck)), ok2, v2, \
				lf_ratio(key(l, s, "tcpdump2"), key(l, s, "tcpdump"))
			f = key(l, s, "fanout2")
			if (f in cap) {
				cf = capratio(f); ca = capratio(k)
				printf "%-11s %5s fanout -j 2 captures >= one capture (flood capt%% %s vs %s, loss-free %s vs %s): %s\n", l, s, \
					num(cf * 100, "%.1f"), num(ca * 100, "%.1f"), lf_str(f), lf_str(k), \
					(cf >= ca && (lf[f] >= lf[k] || lfcap[f])) ? "met" : "not met"
			} else if (na[f] != "")
				printf "%-11s %5s fanout: %s\n", l, s, na[f]
		}
	}
	if ("burst" in seenthr) {
		any_peer_lost = 0
		for (i = 1; i <= npeers; i++) if (t_drops["burst", peers[i]] + 0 > 0 || t_cap["burst", peers[i]] + 0 < t_off["burst", peers[i]] + 0) any_peer_lost = 1
		a_ok = ("burst", "adaptive") in t_seen && t_drops["burst", "adaptive"] + 0 == 0 && t_cap["burst", "adaptive"] + 0 >= t_off["burst", "adaptive"] + 0
		printf "throttled disk, average below the disk's rate: skbremap lost %s of %s%s; peers %s: %s\n", \
			t_off["burst", "adaptive"] - t_cap["burst", "adaptive"], t_off["burst", "adaptive"], "", \
			any_peer_lost ? "lost packets" : "lost nothing", \
			a_ok ? (any_peer_lost ? "met" : "met (no loss), but the peers lost nothing either") : "not met"
	}
}
# verdict_best: "met|not met|undetermined" for key k against the best peer's key r (loss-free).
function verdict_best(k, r,    v) {
	if (lf[r] == 0 && lf[k] > 0) return "met"
	if (lf[r] == 0) return "undetermined (both lossy at every step)"
	v = lf[k] / lf[r]
	if (lfcap[k] && lfcap[r]) return "undetermined (both loss-free at the generator's fastest)"
	if (lfcap[r] && !lfcap[k]) return "not met"
	return v >= 1.0 ? "met" : "not met"
}

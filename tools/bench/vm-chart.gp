# The in-VM benchmark's chart: gnuplot -e "data='build/bench/vm-bench.csv'; out='...png'" tools/bench/vm-chart.gp
# data: the rows tools/bench/vm-bench.awk writes (load,size,consumer,offered,captured,drops,backlog_drops,
# capture_ratio,captured_pps,cpu_us_per_pkt,...). pktgen load only; awk picks one consumer per line.
set terminal pngcairo size 1400,600 font ",10" noenhanced
set output out
set datafile separator ","
set multiplot layout 1,2 title "skbremap.ko in the VM (QEMU TCG: read the ratios, not the absolute values); pktgen over veth"
set logscale x 2
set xlabel "frame size (bytes)"
set key top right
set grid
sel(c) = sprintf("< awk -F, '$1==\"pktgen\" && $3==\"%s\" && $8!=\"\"' %s", c, data)
set title "capture ratio under the unpaced flood (captured / offered)"
set ylabel "captured / offered"
set yrange [0:1.05]
plot sel("bounce") u 2:8 w lp lw 2 t "skbremap bounce", \
     sel("ring") u 2:8 w lp lw 2 t "skbremap ring", \
     sel("ring-worker") u 2:8 w lp lw 2 dt 4 t "skbremap ring via the worker", \
     sel("adaptive") u 2:8 w lp lw 2 t "skbremap adaptive", \
     sel("remap") u 2:8 w lp lw 2 t "skbremap remap", \
     sel("tcpdump") u 2:8 w lp lw 2 dt 2 t "tcpdump (TPACKET_V3)", \
     sel("recvfrom") u 2:8 w lp lw 2 dt 3 t "recvfrom loop"
set title "CPU per captured packet on the capture CPU (paced at 1/8 of the generator's rate)"
set ylabel "microseconds per packet (guest, TCG)"
set autoscale y
set logscale y
plot sel("bounce") u 2:10 w lp lw 2 t "skbremap bounce", \
     sel("ring") u 2:10 w lp lw 2 t "skbremap ring", \
     sel("ring-worker") u 2:10 w lp lw 2 dt 4 t "skbremap ring via the worker", \
     sel("adaptive") u 2:10 w lp lw 2 t "skbremap adaptive", \
     sel("remap") u 2:10 w lp lw 2 t "skbremap remap", \
     sel("tcpdump") u 2:10 w lp lw 2 dt 2 t "tcpdump (TPACKET_V3)", \
     sel("recvfrom") u 2:10 w lp lw 2 dt 3 t "recvfrom loop"
unset multiplot

# The benchmark chart: gnuplot -e "prim='...'; emu='...'; out='...png'" tools/bench/chart.gp
# prim: primitives --data (size cpu copy_kern rpkt_kern rwin_kern recv_kern copy_tot rpkt_tot
#       rwin_tot recv_tot); emu: emulator --data (size cpu bounce ring remap adaptive).
# Rows alternate by consumer CPU (column 2): awk splits them so lines join.
set terminal pngcairo size 1400,600 font ",10"
set output out
set multiplot layout 1,2 title "RemapDaemon delivery cost per packet (user space, this host; medians, log-log)"
set logscale xy
set xlabel "packet size (bytes)"
set ylabel "ns per packet"
set key top left
set grid
set title "primitives: produce + release + consumer reads every byte"
plot "< awk '$2==0' ".prim u 1:7 w lp lw 2 t "copy into ring, same CPU", \
     "< awk '$2==1' ".prim u 1:7 w lp dt 2 t "copy into ring, other CPU", \
     "< awk '$2==0' ".prim u 1:8 w lp lw 2 t "remap, 1 mmap/packet, same CPU", \
     "< awk '$2==0' ".prim u 1:9 w lp lw 2 t "remap, 1 mmap/window, same CPU", \
     "< awk '$2==1' ".prim u 1:9 w lp dt 2 t "remap, 1 mmap/window, other CPU", \
     "< awk '$2==0' ".prim u 1:10 w lp lw 2 t "recv() into buffer, same CPU"
set title "emulator: worker + consumer CPU per packet, by mode"
plot "< awk '$2==0' ".emu u 1:3 w lp lw 2 t "bounce, same CPU", \
     "< awk '$2==0' ".emu u 1:4 w lp lw 2 t "ring, same CPU", \
     "< awk '$2==0' ".emu u 1:5 w lp lw 2 t "remap, same CPU", \
     "< awk '$2==0' ".emu u 1:6 w lp lw 2 t "adaptive, same CPU", \
     "< awk '$2==1' ".emu u 1:4 w lp dt 2 t "ring, other CPU", \
     "< awk '$2==1' ".emu u 1:5 w lp dt 2 t "remap, other CPU"
unset multiplot

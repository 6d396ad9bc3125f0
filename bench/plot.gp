# bench/plot.gp — calls/s and p99 latency per h2load shape, pronto against
# the two official servers (scenario a). bench/run calls it as
#   gnuplot -e "datafile='...'; outfile='...'; plottitle='...'" bench/plot.gp
# datafile columns: shape pronto_cps async_cps callback_cps
#                   pronto_p99_ms async_p99_ms callback_p99_ms
set terminal pngcairo size 1200,520 font "sans,10"
set output outfile
set datafile missing "NaN"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics
set key below horizontal
set xlabel "shape: connections x concurrent streams each"
set multiplot layout 1,2 title plottitle
set title "calls/s (higher is better)"
set yrange [0:*]
plot datafile using 2:xtic(1) title "pronto" lc rgb "#1b9e77", \
     '' using 3 title "grpc async (CQ)" lc rgb "#7570b3", \
     '' using 4 title "grpc callback" lc rgb "#d95f02"
set title "p99 latency, ms (lower is better)"
set logscale y
set yrange [*:*]
plot datafile using 5:xtic(1) title "pronto" lc rgb "#1b9e77", \
     '' using 6 title "grpc async (CQ)" lc rgb "#7570b3", \
     '' using 7 title "grpc callback" lc rgb "#d95f02"
unset multiplot

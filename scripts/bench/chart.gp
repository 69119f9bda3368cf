# scripts/bench/chart.gp: the chart of docs/benchmarks.md (gnuplot 5).
#
#   gnuplot -e "applydat='apply.dat'; noopdat='noop.dat'; out='docs/benchmarks.png'; \
#               ntools=9; acolors='#...'; adash='2 2 1 ...'; nnoop=5; ncolors='#...'" scripts/bench/chart.gp
#
# apply.dat: a header line (N, then one tool per column), then one line per N
# with the median seconds of applying N revisions, "-" where not measured.
# noop.dat: the same for the no-op migrate command, in milliseconds.
# acolors / ncolors: one colour per tool column (a tool has the same colour in
# both panels); adash: one dash type per apply column (2, dashed, for the psql
# floors).  Both panels are log-log, one line per tool.
set terminal pngcairo size 1400,620 font "DejaVu Sans,10" noenhanced
set output out
set datafile missing "-"
set key autotitle columnheader
set logscale xy
set grid xtics ytics mxtics mytics lc rgb "#dddddd"
set multiplot layout 1,2 title "pgmig benchmark: medians of several runs on fresh databases (log-log)"

set title "Applying N realistic revisions"
set xlabel "revisions (N)"
set ylabel "seconds (wall, whole command)"
set key top left font ",9"
plot for [i=2:ntools+1] applydat using 1:i with linespoints lw 2 pt 7 ps 0.8 \
     lc rgb word(acolors, i-1) dt int(word(adash, i-1))

set title "Nothing to do: the migrate command on a fully migrated history"
set ylabel "milliseconds (wall, whole command)"
set key top left font ",9"
plot for [i=2:nnoop+1] noopdat using 1:i with linespoints lw 2 pt 7 ps 0.8 lc rgb word(ncolors, i-1)

unset multiplot

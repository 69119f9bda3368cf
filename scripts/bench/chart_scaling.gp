# scripts/bench/chart_scaling.gp: the scaling chart of docs/benchmarks.md
# (docs/benchmarks-scaling.png), gnuplot 5.
#
#   gnuplot -e "scalingdat='scaling.dat'; out='docs/benchmarks-scaling.png'; \
#               colors='#d62728 #000000'" scripts/bench/chart_scaling.gp
#
# scaling.dat: a header line (H, then "pgmig up ..." and "psql ..."), then one
# line per history size H with the median seconds of deploying one new
# revision on a history of H applied revisions, "-" where not measured.
# The x axis is linear (H starts at 0); the y axis is logarithmic, so that
# psql's tenth of a second and pgmig's seconds both read; a deploy whose cost
# does not grow with the history is a flat line.
set terminal pngcairo size 900,560 font "DejaVu Sans,10" noenhanced
set output out
set datafile missing "-"
set key autotitle columnheader top left font ",9"
set logscale y
set grid xtics ytics mytics lc rgb "#dddddd"
set title "Deploying 1 new revision on an applied history (medians; log scale)"
set xlabel "revisions already applied (H)"
set ylabel "seconds (wall, whole command)"
set format x "%.0f"
set xrange [0:*]
# pgmig solid, psql dashed (as the psql floors of the other chart)
dashes = "1 2"
plot for [i=2:3] scalingdat using 1:i with linespoints lw 2 pt 7 ps 0.9 lc rgb word(colors, i-1) dt int(word(dashes, i-1))

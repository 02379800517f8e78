# benchlib.sh: what the benchmarks (bench.sh, bench-html.sh) share, sourced by them; the work
# is done by benchlib.py beside it (python3). Peak RSS is the command's own high-water mark
# (VmHWM, see benchlib.py), CPU times the command's own (wait4). The sourcing script sets
# here to the directory of both (tests/).
benchlib_py=${here:?benchlib.sh: set here to the tests directory}/benchlib.py

# measure LABEL INPUT RUNS CMD...: best wall-clock of RUNS runs of CMD < INPUT > /dev/null, and
# the peak RSS of those runs: "LABEL SIZE BEST_WALL PEAK_RSS_KIB".
measure() {
    python3 "$benchlib_py" measure "$@"
}

# pipeline INPUT RUNS CMD... [:: CMD...]...: each command X in the pipeline that
# `sh -c 'cat INPUT | X | cat >/dev/null'` runs (the same three processes and two pipes, built
# by python3 so that X's own resource use can be read), RUNS rounds, the commands taking turns
# within each round (so that a slow spell of a noisy machine falls on all of them). One line
# per command, in order: SIZE WALL_MIN WALL_MEDIAN USER_MIN USER_MEDIAN SYS_MIN PEAK_RSS_KIB
# (wall clock of the whole pipeline in s, user and system CPU of X alone in s, X's peak RSS).
pipeline() {
    python3 "$benchlib_py" pipeline "$@"
}

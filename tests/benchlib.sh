# benchlib.sh: what the benchmarks (bench.sh, bench-html.sh) share, sourced by them: measure,
# a command's best wall-clock time and peak RSS on an input file. Needs python3.

# measure LABEL INPUT RUNS CMD...: best wall-clock of RUNS runs of CMD < INPUT > /dev/null, and
# the peak RSS of those runs (getrusage of the children of a fresh python3 process).
measure() {
    python3 - "$@" <<'PY'
import os, resource, subprocess, sys, time
label, path, runs, cmd = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
size = os.path.getsize(path)
best = None
for _ in range(runs):
    with open(path, 'rb') as inp, open(os.devnull, 'wb') as out:
        t0 = time.perf_counter()
        rc = subprocess.run(cmd, stdin=inp, stdout=out).returncode
        dt = time.perf_counter() - t0
    if rc != 0:
        sys.exit(f'{label}: {cmd[0]} exited with status {rc}')
    best = dt if best is None else min(best, dt)
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
print(f'{label} {size} {best:.6f} {rss}')
PY
}

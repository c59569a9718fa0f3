#!/usr/bin/env bash
# Issue 18: the README test command five times in a row with the second core kept busy by a CPU hog started here.
# Stops at the first failing run; each run's output is in /tmp/loaded.N.log, the summary in /tmp/loaded.log.
#   bash benchmarks/suite_loaded.sh [runs]
cd "$(dirname "$0")/.."
python3 -c 'while True: pass' & HOG=$!
trap 'kill $HOG' EXIT
for i in $(seq "${1:-5}"); do
  { echo "== run $i"; date; uptime; } >> /tmp/loaded.log
  /usr/bin/time -f "run $i: %e s wall %U+%S s CPU %M KB" python -m pytest -q -p no:cacheprovider > "/tmp/loaded.$i.log" 2>>/tmp/loaded.log
  rc=$?; tail -1 "/tmp/loaded.$i.log" >> /tmp/loaded.log; { echo "rc=$rc"; uptime; } >> /tmp/loaded.log
  [ $rc -eq 0 ] || exit $rc
done

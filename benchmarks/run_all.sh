#!/usr/bin/env bash
# Every benchmark in benchmarks/ (each *.sh except this one), one after another.
set -euo pipefail
cd "$(dirname "$0")"
for b in ./*.sh; do
  [ "$b" = ./run_all.sh ] && continue
  echo "== $b"; "$b"
done

#!/usr/bin/env bash
# Sustained POST /api/v2/time_entries throughput and latency at 32 connections (wrk), next to
# a plain insert of the same rows from 32 clients, on SQLite and PostgreSQL.
# Usage: ./benchmarks/api_throughput.sh [--backends sqlite,postgres] [--duration 15] [--workers 2]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }
exec .venv/bin/python benchmarks/api_throughput.py "$@"

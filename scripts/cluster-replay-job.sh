#!/usr/bin/env bash
# Stands in for `dgmw train` on a compute node in the cluster scale measurement
# (docs/cluster-scale.md): instead of training, a job replays a real run recorded on the cluster
# (its template folder), so 1,000 jobs cost Slurm's and the workbench's work, not 1,000 trainings.
#
# As a Slurm profile's launch:  bash scripts/cluster-replay-job.sh TEMPLATE [--pace SECONDS]
# The job script adds `train --run-spec RUN_FOLDER/spec.json`, as it does for the real `dgmw`.
#
# It copies the template's checkpoint files into the run folder, then writes the template's
# events.jsonl there with the template folder's path replaced by the run folder's (and this job's
# id in its `attempt` record), every line at once or one line every SECONDS, and right after the
# `done` line writes `date +%s%N` (nanoseconds) into RUN_FOLDER/ended-at: when the job "ended".
set -euo pipefail

usage() {
  echo "usage: cluster-replay-job.sh TEMPLATE_FOLDER [--pace SECONDS] train --run-spec SPEC" >&2
  exit 2
}

template="${1:-}"
[ -n "$template" ] || usage
shift
pace=0
if [ "${1:-}" = --pace ]; then
  pace="${2:-}"
  shift 2 || usage
fi
[ "${1:-}" = train ] && [ "${2:-}" = --run-spec ] && [ -n "${3:-}" ] || usage
run_folder="$(dirname "$3")"
[ -f "$template/events.jsonl" ] || {
  echo "cluster-replay-job: $template/events.jsonl is missing: record a template run first." >&2
  exit 1
}

# Checkpoints and the like: every file of the template but its stream, spec and end time.
for file in "$template"/*; do
  case "$(basename "$file")" in
    events.jsonl | spec.json | ended-at) ;;
    *) [ -f "$file" ] && cp "$file" "$run_folder/" ;;
  esac
done

# For sed: the paths as literal text (\, the | delimiter and & escaped).
literal() { printf '%s' "$1" | sed -e 's/[\\|&]/\\&/g'; }
job_id="${SLURM_ARRAY_JOB_ID:-${SLURM_JOB_ID:-0}}${SLURM_ARRAY_TASK_ID:+_$SLURM_ARRAY_TASK_ID}"
events="$(sed -e "s|$(literal "$template")|$(literal "$run_folder")|g" \
  -e "s|\"jobId\":\"[^\"]*\"|\"jobId\":\"$job_id\"|" "$template/events.jsonl")"

out="$run_folder/events.jsonl"
if [ "$pace" = 0 ]; then
  # Everything before `done` in one write, then `done` on its own, as a fast job would.
  grep -v '^{"type":"done"' <<<"$events" >>"$out" || true
  grep '^{"type":"done"' <<<"$events" >>"$out"
else
  while IFS= read -r line; do
    sleep "$pace"
    printf '%s\n' "$line" >>"$out"
  done <<<"$events"
fi
date +%s%N >"$run_folder/ended-at"

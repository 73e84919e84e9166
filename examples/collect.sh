#!/bin/sh
# collect.sh MOUNT GROUP — waits, through the mounted tree, until every
# input of a group has finished, then prints each input's result (or why
# it has none) and the input with the lowest "loss". Needs a tree mounted
# with `kubectl konduktor mount MOUNT`, and jq.
#
# Reading the tree's files makes no API request (konduktor-fs serves them
# from its watch-fed cache), so looping over them once a second costs the
# cluster nothing, however many inputs the group has.
#
#   grp=$(kubectl konduktor map examples/sweep/trial.yaml --inputs lrs.jsonl)
#   examples/collect.sh ~/konduktor "$grp"
set -eu
[ $# -eq 2 ] || { echo "usage: collect.sh MOUNT GROUP" >&2; exit 2; }
group=$1/$2

# A group that was just created shows up within a second.
tries=0
until [ -d "$group" ]; do
  tries=$((tries + 1))
  [ "$tries" -le 30 ] || { echo "collect.sh: no $group" >&2; exit 3; }
  sleep 1
done

# Each input is a directory (00, 01, ... in input order) whose status file
# starts with the input's state.
while :; do
  left=0
  for input in "$group"/*/; do
    read -r state < "$input/status"
    case $state in
    SUCCEEDED | FAILED) ;;
    *) left=$((left + 1)) ;;
    esac
  done
  [ "$left" -eq 0 ] && break
  echo "$left inputs still to finish" >&2
  sleep 1
done

for input in "$group"/*/; do
  index=$(basename "$input")
  if [ -f "$input/result.json" ]; then
    echo "$index $(jq -c . "$input/result.json")"
  else
    # error: the outcome on its first line, the reason on its second.
    { read -r outcome; read -r reason; } < "$input/error"
    echo "$index failed: $outcome: $reason"
  fi
done
if ls "$group"/*/result.json >/dev/null 2>&1; then
  echo "best: $(cat "$group"/*/result.json | jq -s -c 'min_by(.loss)')"
fi

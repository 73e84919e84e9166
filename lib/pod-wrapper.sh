# konduktor pod wrapper (lib/pod-wrapper.sh, run as `sh -c`): unpacks the
# task's files, runs its setup and run, and reports the result through the
# container's termination message (docs/results.md).
#
# POSIX sh only: it runs under dash, bash and BusyBox ash, in any image with
# sh, tar, sed, dd, wc and tr. Every piece of task data (scripts, inputs,
# paths) arrives in an environment variable or a file and is passed on as
# data; nothing here evaluates it as shell text.

k_marker='#konduktor/v1'
k_tlog=${KONDUKTOR_TERMINATION_LOG:-/dev/termination-log}
k_out=${KONDUKTOR_OUTPUT_DIR:-/konduktor/output}
k_work=${KONDUKTOR_WORK_DIR:-/konduktor/work}
k_setup=${KONDUKTOR_SETUP:-}
k_run=${KONDUKTOR_RUN:-}
k_args=
k_child=
k_status=0
unset KONDUKTOR_SETUP KONDUKTOR_RUN
: "${RESTART_ATTEMPT:=0}"
export RESTART_ATTEMPT

k_say() {
  printf 'konduktor: %s\n' "$1" >&2
}

# k_fail MESSAGE: the wrapper itself failed before the task could run.
# Exit code 121 tells the Job not to retry (podFailurePolicy FailIndex).
k_fail() {
  k_say "$1"
  printf '%s error %s' "$k_marker" "$1" >"$k_tlog" 2>/dev/null
  exit 121
}

# k_home PATH: PATH with a leading ~ made the pod user's home.
k_home() {
  case $1 in
  "~") printf '%s' "${HOME:-/root}" ;;
  "~/"*) printf '%s/%s' "${HOME:-/root}" "${1#"~/"}" ;;
  *) printf '%s' "$1" ;;
  esac
}

# k_decode FIELD: one field of a group input line: a '.' then text in which
# backslash, space and control characters are printf %b escapes.
k_decode() {
  printf '%b' "${1#.}"
}

# The workdir and file mounts, shipped as tar archives in a ConfigMap.
k_unpack() {
  k_files=${KONDUKTOR_FILES_DIR:-}
  [ -n "$k_files" ] && [ -d "$k_files" ] || return 0
  if [ -f "$k_files/workdir.tar" ]; then
    tar -x -o -f "$k_files/workdir.tar" -C "$k_work" ||
      k_fail "cannot unpack the workdir into $k_work"
  fi
  k_i=0
  while [ -f "$k_files/mount-$k_i.tar" ]; do
    k_dest=$(k_home "$(cat "$k_files/mount-$k_i.path")") ||
      k_fail "cannot read where file mount $k_i goes"
    if [ "$(cat "$k_files/mount-$k_i.kind")" = dir ]; then
      k_dir=$k_dest
    else
      k_dir=${k_dest%/*}
      [ -n "$k_dir" ] || k_dir=/
    fi
    { mkdir -p "$k_dir" && tar -x -o -f "$k_files/mount-$k_i.tar" -C "$k_dir"; } ||
      k_fail "cannot unpack file mount $k_i into $k_dest"
    k_i=$((k_i + 1))
  done
}

# A group's input: the line for JOB_COMPLETION_INDEX from the chunk whose
# key "inputs-<first>-<last>" covers it. Sets KONDUKTOR_INPUT, writes
# KONDUKTOR_INPUT_FILE, exports kwargs and leaves args in k_args.
k_input() {
  k_dir=${KONDUKTOR_INPUTS_DIR:-}
  [ -n "$k_dir" ] || return 0
  k_index=${JOB_COMPLETION_INDEX:-}
  case $k_index in
  '' | *[!0123456789]*) k_fail "JOB_COMPLETION_INDEX is not an index: '$k_index'" ;;
  esac
  k_line=
  for k_chunk in "$k_dir"/inputs-*; do
    [ -f "$k_chunk" ] || continue
    k_range=${k_chunk##*/inputs-}
    k_lo=${k_range%-*}
    k_hi=${k_range#*-}
    if [ "$k_index" -ge "$k_lo" ] && [ "$k_index" -le "$k_hi" ]; then
      k_line=$(sed -n "$((k_index - k_lo + 1))p" "$k_chunk") ||
        k_fail "cannot read $k_chunk"
      break
    fi
  done
  [ -n "$k_line" ] || k_fail "no input for index $k_index in $k_dir"
  set -f
  set -- $k_line
  set +f
  k_mode=$1
  k_v=$(k_decode "$2"; printf x)
  KONDUKTOR_INPUT=${k_v%x}
  export KONDUKTOR_INPUT
  if [ -n "${KONDUKTOR_INPUT_FILE:-}" ]; then
    printf '%s' "$KONDUKTOR_INPUT" >"$KONDUKTOR_INPUT_FILE" ||
      k_fail "cannot write $KONDUKTOR_INPUT_FILE"
  fi
  shift 2
  case $k_mode in
  j) k_args=j ;;
  a) k_args="a $*" ;;
  k)
    for k_field in "$@"; do
      k_field=${k_field#.}
      k_name=${k_field%%=*}
      case $k_name in
      '' | [0123456789]* | *[!ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_]*)
        k_fail "input variable name '$k_name' is not valid" ;;
      esac
      k_v=$(k_decode ".${k_field#*=}"; printf x)
      export "$k_name=${k_v%x}"
    done
    ;;
  *) k_fail "unknown input encoding '$k_mode'" ;;
  esac
}

# Waits for the running step, forwarding TERM/INT/HUP to it (this shell is
# the container's PID 1, which ignores signals it does not trap). A status
# above 128 means a trapped signal interrupted wait, or the step died of a
# signal: if the step is still there, wait again; once it is gone, one more
# wait gives its own status (shells keep a finished child's status; 127:
# this one did not, keep what we have). Never wait again on a step that is
# gone: dash, bash and BusyBox all answer its status again, forever.
k_wait() {
  while :; do
    wait "$k_child"
    k_status=$?
    if [ "$k_status" -le 128 ]; then
      break
    fi
    if ! kill -0 "$k_child" 2>/dev/null; then
      wait "$k_child"
      k_rc=$?
      if [ "$k_rc" -ne 127 ]; then
        k_status=$k_rc
      fi
      break
    fi
  done
  k_child=
}

k_forward() {
  if [ -n "$k_child" ]; then
    kill -TERM "$k_child" 2>/dev/null
  fi
}

# The result contract: copy at most 4097 bytes of result.json into the
# termination message, then decide on that copy (never on a truncated
# message): a marker replaces it when there is no result, when it is larger
# than the kubelet's 4096-byte cap, when it is empty, or when it begins with
# '#', the marker's first byte, which no JSON text can begin with.
k_report() {
  k_result=$k_out/result.json
  if [ ! -e "$k_result" ] && [ ! -L "$k_result" ]; then
    printf '%s no-result' "$k_marker" >"$k_tlog"
    return
  fi
  if [ ! -f "$k_result" ]; then
    printf '%s malformed not-a-regular-file' "$k_marker" >"$k_tlog"
    return
  fi
  dd if="$k_result" of="$k_tlog" bs=1 count=4097 2>/dev/null ||
    k_fail "cannot copy result.json to $k_tlog"
  k_size=$(wc -c <"$k_tlog" | tr -d ' \t')
  if [ "$k_size" -gt 4096 ]; then
    k_size=$(wc -c <"$k_result" | tr -d ' \t')
    printf '%s too-large %s' "$k_marker" "$k_size" >"$k_tlog"
  elif [ "$k_size" -eq 0 ]; then
    printf '%s malformed empty' "$k_marker" >"$k_tlog"
  elif [ "$(dd if="$k_tlog" bs=1 count=1 2>/dev/null)" = '#' ]; then
    printf '%s malformed starts-with-marker-byte' "$k_marker" >"$k_tlog"
  fi
}

trap k_forward TERM INT HUP

if [ -n "${KONDUKTOR_CONTROL_DIR:-}" ] && [ -s "$KONDUKTOR_CONTROL_DIR/stop" ]; then
  k_say "skipped: the group stopped after a failure ($(cat "$KONDUKTOR_CONTROL_DIR/stop"))"
  printf '%s skipped %s' "$k_marker" "the group stopped after a failure" >"$k_tlog"
  exit 122
fi
mkdir -p "$k_out" "$k_work" && cd "$k_work" || k_fail "cannot enter $k_work"
k_unpack
k_input

# Positional parameters of `run`: the input (single), or its items (args).
set --
case $k_args in
j) set -- "$KONDUKTOR_INPUT" ;;
a*)
  set -f
  for k_field in ${k_args#a}; do
    k_v=$(k_decode "$k_field"; printf x)
    set -- "$@" "${k_v%x}"
  done
  set +f
  ;;
esac

if command -v bash >/dev/null 2>&1; then
  k_shell=bash
else
  k_shell=sh
fi

if [ -n "$k_setup" ]; then
  "$k_shell" -c "$k_setup" konduktor-setup &
  k_child=$!
  k_wait
  if [ "$k_status" -ne 0 ]; then
    k_say "setup failed with exit code $k_status"
    : >"$k_tlog" 2>/dev/null
    exit "$k_status"
  fi
fi

"$k_shell" -c "$k_run" konduktor-run "$@" &
k_child=$!
k_wait
if [ "$k_status" -ne 0 ]; then
  # An empty message lets the kubelet put the log's tail there
  # (terminationMessagePolicy FallbackToLogsOnError).
  : >"$k_tlog" 2>/dev/null
  exit "$k_status"
fi
if [ "${RANK:-0}" = 0 ]; then
  k_report
else
  : >"$k_tlog" 2>/dev/null
fi
exit 0

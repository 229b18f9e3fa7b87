#!/bin/sh
# fail_signal.sh SIG MMUSIM ARG...: runs mmusim ARG... and sends it SIG (INT, TERM) once it is
# running with its handler for SIG installed (seen in /proc/PID/status); prints "exit N" with its
# exit status (128 + the signal number when a signal ended it).
sig=$1
shift
case $sig in INT) bit=2 ;; TERM) bit=16384 ;; *) echo "unknown signal $sig" >&2; exit 2 ;; esac
sh -c '
  me=$$
  (
    i=0
    while [ $i -lt 400 ]; do
      if [ "$(cat /proc/$me/comm 2>/dev/null)" = mmusim ]; then
        m=$(sed -n "s/^SigCgt:[[:space:]]*//p" /proc/$me/status)
        m=${m#????????}
        [ $(( 0x$m & '"$bit"' )) -ne 0 ] && break
      fi
      sleep 0.025
      i=$((i + 1))
    done
    sleep 0.5
    kill -'"$sig"' $me
  ) &
  exec "$@"' mmusim "$@"
echo "exit $?"

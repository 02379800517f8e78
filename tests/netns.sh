#!/bin/sh
# netns.sh COMMAND...: runs the resolver's tests inside a network namespace of their own, whose
# only interface is loopback (up), so nothing they do can reach another host even by mistake;
# where the machine allows none (no unshare, no privilege), runs COMMAND as it is and says so.
if [ -z "${WINNOW_IN_NETNS:-}" ] && command -v unshare >/dev/null 2>&1 && command -v ip >/dev/null 2>&1; then
  for how in "-n" "-rn"; do
    if unshare $how sh -c 'ip link set lo up' 2>/dev/null; then
      WINNOW_IN_NETNS=1 exec unshare $how sh -c 'ip link set lo up && exec "$@"' netns "$@"
    fi
  done
fi
[ -n "${WINNOW_IN_NETNS:-}" ] || echo "netns.sh: no network namespace here: $1 runs on the host's loopback" >&2
exec "$@"

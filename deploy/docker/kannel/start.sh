#!/bin/bash
# bearerbox, then the fake SMSC (prints what it receives to stdout), then smsbox; the container ends
# when any of them does, so Compose's restart policy brings the gateway back whole.
set -euo pipefail
/usr/sbin/bearerbox -v 1 /etc/kannel/dunning.conf &
# The SMSC and smsbox connect to bearerbox: wait until its admin port answers.
until (exec 3<>/dev/tcp/127.0.0.1/13000) 2>/dev/null; do sleep 0.2; done
/usr/lib/kannel/test/fakesmsc -H 127.0.0.1 -r 13010 -i 0 -m 0 "0 0 text unused" &
/usr/sbin/smsbox -v 1 /etc/kannel/dunning.conf &
wait -n

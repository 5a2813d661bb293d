# SPDX-License-Identifier: GPL-2.0
#
# What the suites that run greenai-exporter share (exporter.bats,
# faults.bats): starting it on a free port and waiting until it has
# sampled, and a grid intensity forecast that turns dirty on demand.
# Needs EXPORTER, T (the test's directory) and the PIDS array.

# exporter_start ARGS...: greenai-exporter on a free port of 127.0.0.1, its
# state in $T/state, its log in $T/exporter.log, with ARGS; EXPORTER_PID,
# and PORT once /healthz answers (over $SCHEME, http by default; 60 s at
# most)
exporter_start() {
	"$EXPORTER" -l 127.0.0.1:0 --state "$T/state" "$@" \
		2>>"$T/exporter.log" 3>&- &
	EXPORTER_PID=$!
	PIDS+=("$EXPORTER_PID")
	local deadline=$((SECONDS + 60))
	PORT=
	while [ "$SECONDS" -lt "$deadline" ]; do
		PORT=$(sed -n 's/.*listening on port \([0-9]*\),.*/\1/p' \
			"$T/exporter.log" | tail -n 1)
		[ -n "$PORT" ] && curl -kfs "${SCHEME:-http}://127.0.0.1:$PORT/healthz" \
			>/dev/null && return 0
		kill -0 "$EXPORTER_PID" 2>/dev/null ||
			fail "the exporter stopped: $(cat "$T/exporter.log")"
		sleep 0.05
	done
	fail "the exporter never became healthy: $(cat "$T/exporter.log")"
}

# grid_series FILE DIRTY: a forecast file of the grid's intensity, as the
# file provider reads it: 100 g/kWh, and with DIRTY 1, 900 from now for an
# hour. Written whole, then renamed: a reader asks for it every second.
grid_series() {
	python3 - "$1" "$2" <<-'PY'
		import os, sys, time
		from datetime import datetime, timezone
		now = time.time()
		iso = lambda t: datetime.fromtimestamp(t, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
		s = "time,intensity\n%s,100\n" % iso(now - 60)
		if sys.argv[2] == "1":
		    s += "%s,900,1h\n" % iso(now)
		open(sys.argv[1] + ".tmp", "w").write(s)
		os.rename(sys.argv[1] + ".tmp", sys.argv[1])
	PY
}

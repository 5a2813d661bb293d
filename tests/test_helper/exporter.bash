# SPDX-License-Identifier: GPL-2.0
#
# What the suites that run greenai-exporter share (exporter.bats,
# faults.bats): starting it on a free port and waiting until it has
# sampled. Needs EXPORTER, T (the test's directory) and the PIDS array.

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

#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# greenai-exporter on the host's BPF backend. Containers are cgroups
# made with the path shapes of docker, containerd/CRI and CRI-O under
# kubepods (cgroup v2), with the runtimes' files in a tree given by
# --runtime-root; they are made and removed during the tests. A real
# Prometheus (Debian's) scrapes the exporter and is asked through its
# HTTP API; promtool checks the exposition. Runs as root.

setup() {
	load ../test_helper/common-setup
	_common_setup
	load ../test_helper/cgroups
	load ../test_helper/exporter
	[ "$(id -u)" -eq 0 ] || skip "the exporter needs root here (BPF)"
	EXPORTER=$TOP/build/greenai-exporter
	GREENAI=$TOP/build/greenai
	BIN=$TOP/build/tests
	[ -x "$EXPORTER" ] || fail "no $EXPORTER: make tools"
	_cgroups_setup
	unset GREENAI_REGION GREENAI_CONFIG
	export XDG_CONFIG_HOME=$BATS_TEST_TMPDIR/config
	T=$BATS_TEST_TMPDIR
	RT=$T/runtime
	PIDS=()
	V1_DIRS=()
}

teardown() {
	local d
	end_pids
	_cgroups_teardown
	# v1 directories, deepest first, once what ran in them has gone
	for d in "${V1_DIRS[@]}"; do
		rmdir "$d" 2>/dev/null || true
	done
}

# Container ids and pod UIDs end in the test's pid: the cgroups they name
# are the machine's, and another run of the suite may be making its own.
SFX=$(printf '%08x' $$)
ID_A=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa$SFX
ID_B=bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb$SFX
ID_C=cccccccccccccccccccccccccccccccccccccccccccccccccccccccc$SFX
POD_UID=6e3f1c2a-8b7d-4e5f-9a0b-1c2d$SFX
POD2_UID=0f1e2d3c-4b5a-4978-8695-a4b3$SFX
ID_D=dddddddddddddddddddddddddddddddddddddddddddddddddddddddd$SFX
POD3_UID=1a2b3c4d-5e6f-4a7b-8c9d-0e1f$SFX

# start_exporter ARGS...: greenai-exporter (test_helper/exporter.bash),
# sampling every 0.5 s, an ended container kept 2 s (4 samples), its
# ledger in $T, the runtimes' files under $RT
start_exporter() {
	exporter_start -i 0.5 --keep-ended 2 --ledger "$T/ledger.db" \
		--runtime-root "$RT" "$@"
}

# samples: greenai_exporter_samples_total in the last scrape in $output
samples() {
	awk '$1 == "greenai_exporter_samples_total" { print $2 }' <<<"$output"
}

stop_exporter() {
	kill -TERM "$EXPORTER_PID"
	wait "$EXPORTER_PID"
}

scrape() {
	curl -fsS "http://127.0.0.1:$PORT/metrics"
}

# value METRIC LABEL_REGEX: the value of the one sample of METRIC whose
# labels match, from the last scrape in $output
value() {
	awk -v m="$1" -v re="$2" '
		index($0, m "{") == 1 && $0 ~ re { print $NF; n++ }
		END { exit n != 1 }' <<<"$output" ||
		fail "not one $1 matching $2 in: $(grep "^$1" <<<"$output")"
}

# until_scrape AWK_CONDITION: scrape until the exposition satisfies it
# (60 s at most)
until_scrape() {
	local deadline=$((SECONDS + 60))
	while :; do
		output=$(scrape) || true
		awk "$1" <<<"$output" && return 0
		[ "$SECONDS" -lt "$deadline" ] || break
		sleep 0.1
	done
	fail "never: $1: $output"
}

# containers, with the runtimes' files that name them and their pods: a
# docker one, busy, labelled with a model; a containerd/CRI one in a
# kubepods burstable pod, idle after its start; a CRI-O one in a
# besteffort pod, named by the kubelet's pod directory only. Start the
# exporter first: what ran before it is not charged.
make_containers() {
	local pod_=${POD_UID//-/_} pod
	DOCKER=$(new_cgroup "system.slice/docker-$ID_A.scope")
	pod=kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod$pod_.slice
	CRI=$(new_cgroup "$pod/cri-containerd-$ID_B.scope")
	pod=kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${POD2_UID//-/_}.slice
	CRIO=$(new_cgroup "$pod/crio-$ID_C.scope")
	mkdir -p "$RT/var/log/pods/batch_etl-27_$POD2_UID/etl"
	mkdir -p "$RT/var/lib/docker/containers/$ID_A" \
		"$RT/run/containerd/io.containerd.runtime.v2.task/k8s.io/$ID_B"
	echo '{"Name":"/trainer","Config":{"Labels":{}}}' \
		>"$RT/var/lib/docker/containers/$ID_A/config.v2.json"
	cat >"$RT/run/containerd/io.containerd.runtime.v2.task/k8s.io/$ID_B/config.json" <<-EOF
	{"annotations":{"io.kubernetes.cri.container-name":"infer",
	 "io.kubernetes.cri.sandbox-name":"bert-serve-0",
	 "io.kubernetes.cri.sandbox-namespace":"ml"}}
	EOF
	python3 -c 'import os, sys; os.setxattr(sys.argv[1], "user.greenai.model", b"bert-base")' "$DOCKER"
	"$BIN/cgspawn" "$DOCKER" "$BIN/spin" 600 2>/dev/null &
	PIDS+=($!)
	"$BIN/cgspawn" "$CRI" sleep 600 2>/dev/null &
	PIDS+=($!)
	"$BIN/cgspawn" "$CRIO" sleep 600 2>/dev/null &
	PIDS+=($!)
}

@test "exporter: bad usage and bad files are refused before it listens" {
	run "$EXPORTER" --bogus
	assert_failure 2
	assert_output --partial "unknown option"
	for bad in "-i 0" "-i x" "-i 61" "--pue 0.5" "--region ZZ" \
		"--intensity -3" "--max-series 0" "--backend kmod" \
		"--tls-cert /x" "-l nowhere" "-l 127.0.0.1:70000" "-l :" \
		"--save-every 0" "--save-every x" "--save-every 3601" \
		"--idle most" "--idle-power x" "--keep-ended 0" \
		"--keep-ended 3601" "--max-per-client 0" "--max-per-client 1.5"; do
		run "$EXPORTER" $bad
		assert_failure 2
		assert_output --partial "greenai-exporter: "
	done
	# an auth file others may read
	echo "u:p" >"$T/auth"
	chmod 644 "$T/auth"
	run "$EXPORTER" --auth-file "$T/auth" -l 127.0.0.1:0
	assert_failure 2
	assert_output --partial "chmod 600"
	# a state file that is not one: refused, and left as it was
	echo '{"version":1,"node_zones":[]}' >"$T/state"
	cp "$T/state" "$T/state.orig"
	run "$EXPORTER" -l 127.0.0.1:0 --state "$T/state" --no-ledger
	assert_failure 1
	assert_output --partial "not a greenai-exporter state file"
	cmp "$T/state" "$T/state.orig"
}

@test "exporter: /metrics passes promtool in text and OpenMetrics, with health, index, 404 and 405" {
	command -v promtool >/dev/null || fail "no promtool: make deps"
	start_exporter
	make_containers
	until_scrape '/^greenai_container_joules_total\{.*runtime="docker"/ { f = 1 } END { exit !f }'
	printf '%s\n' "$output" >"$T/metrics.txt"
	run promtool check metrics <"$T/metrics.txt"
	assert_success
	# the idle policy each zone is split under, and the node's own idle
	grep -qE '^greenai_idle_power_watts\{.*zone="package-0",provenance="estimated",policy="capacity",basis="model"\} [0-9]+\.[0-9]+$' "$T/metrics.txt" ||
		fail "no idle policy: $(grep idle "$T/metrics.txt")"
	grep -qE '^greenai_node_own_idle_joules_total\{.*zone="package-0"' "$T/metrics.txt" ||
		fail "no node idle: $(grep idle "$T/metrics.txt")"
	# every metric the Grafana dashboard asks for is one the exporter has
	run /usr/bin/python3 -c 'import json, re, sys
have = {l.split("{")[0].split(" ")[0] for l in open(sys.argv[2]) if l[0] != "#"}
d = json.load(open(sys.argv[1]))
exprs = [t["expr"] for p in d["panels"] for t in p["targets"]]
used = {m for e in exprs for m in re.findall(r"\bgreenai_[a-z0-9_]+", e)}
missing = used - have
assert used and not missing, missing
print(len(used), "metrics")' "$TOP/deploy/grafana/greenai-dashboard.json" "$T/metrics.txt"
	assert_success
	run curl -sS -D "$T/h" -H 'Accept: application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5' \
		"http://127.0.0.1:$PORT/metrics"
	assert_success
	grep -qi '^content-type: application/openmetrics-text; version=1.0.0' "$T/h"
	assert_line "# TYPE greenai_container_joules counter"
	assert_line "# UNIT greenai_container_joules joules"
	assert_equal "${lines[-1]}" "# EOF"
	run curl -sS -D "$T/h" "http://127.0.0.1:$PORT/metrics"
	grep -qi '^content-type: text/plain; version=0.0.4' "$T/h"
	refute_line --partial "# EOF"
	run curl -s "http://127.0.0.1:$PORT/healthz"
	assert_output "ok"
	run curl -s "http://127.0.0.1:$PORT/"
	assert_output --partial 'href="metrics"'
	run curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/nope"
	assert_output 404
	run curl -s -o /dev/null -w '%{http_code}' -X POST -d x "http://127.0.0.1:$PORT/metrics"
	assert_output 405
}

@test "exporter: docker, containerd/CRI and CRI-O containers get their ids, names, pods and models" {
	start_exporter
	make_containers
	until_scrape '/^greenai_container_cpu_seconds_total\{.*infer/ { f = 1 } END { exit !f }'
	value greenai_container_cpu_seconds_total "container_id=\"$ID_A\",container_name=\"trainer\",runtime=\"docker\",pod_name=\"\",pod_namespace=\"\",model=\"bert-base\""
	value greenai_container_cpu_seconds_total "container_id=\"$ID_B\",container_name=\"infer\",runtime=\"containerd\",pod_name=\"bert-serve-0\",pod_namespace=\"ml\",model=\"\""
	value greenai_pod_joules_total "pod_uid=\"$POD_UID\",pod_name=\"bert-serve-0\",pod_namespace=\"ml\",zone=\"package-0\""
	until_scrape "/^greenai_container_cpu_seconds_total\\{.*$ID_C/ { f = 1 } END { exit !f }"
	value greenai_container_cpu_seconds_total "container_id=\"$ID_C\",container_name=\"\",runtime=\"cri-o\",pod_name=\"etl-27\",pod_namespace=\"batch\",model=\"\""
	value greenai_pod_cpu_seconds_total "pod_uid=\"$POD2_UID\",pod_name=\"etl-27\",pod_namespace=\"batch\""
	value greenai_model_co2_grams_total 'model="bert-base"'
	# the model's figures are its container's
	a=$(value greenai_model_joules_total 'model="bert-base",zone="package-0"')
	b=$(value greenai_container_joules_total "container_id=\"$ID_A\".*zone=\"package-0\"")
	assert_equal "$a" "$b"
	# every series names the node and each zone's provenance
	run awk '/^greenai_(container|pod|model)_joules_total/ && !/node_name="[^"]+"/ { print }' <<<"$output"
	assert_output ""
	run awk '/^greenai_container_joules_total/ && !/provenance="estimated"/ { print }' <<<"$output"
	assert_output ""
}

@test "exporter: a pod is its containers and its own cgroup, with nothing counted twice" {
	local pod_=${POD_UID//-/_} pod c1 c2 spin
	start_exporter
	pod=kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod$pod_.slice
	c1=$(new_cgroup "$pod/cri-containerd-$ID_B.scope")
	c2=$(new_cgroup "$pod/cri-containerd-$ID_C.scope")
	"$BIN/cgspawn" "$c1" sleep 600 2>/dev/null &
	PIDS+=($!)
	"$BIN/cgspawn" "$c2" sleep 600 2>/dev/null &
	PIDS+=($!)
	# 0.5 s of CPU time in the pod's own cgroup, in no container
	"$BIN/cgspawn" "$CG/$pod" "$BIN/spin" 0.5 2>/dev/null &
	spin=$!
	wait "$spin"
	until_scrape "/^greenai_pod_cpu_seconds_total\\{.*pod_uid=\"$POD_UID\"/ && \$NF >= 0.5 { f = 1 } END { exit !f }"
	local p a b
	p=$(value greenai_pod_cpu_seconds_total "pod_uid=\"$POD_UID\"")
	a=$(value greenai_container_cpu_seconds_total "container_id=\"$ID_B\"")
	b=$(value greenai_container_cpu_seconds_total "container_id=\"$ID_C\"")
	# the pod's figure is its containers' and the spin's, the spin once
	# (its exit and start are charged a little more than it spun)
	awk -v p="$p" -v a="$a" -v b="$b" 'BEGIN { own = p - a - b; exit !(own >= 0.5 && own < 0.75) }' ||
		fail "pod $p s, containers $a s and $b s: the pod's own cgroup is not counted once"
}

# start_prometheus: Debian's Prometheus scraping the exporter every second,
# on a free port (PPORT)
start_prometheus() {
	command -v prometheus >/dev/null || fail "no prometheus: make deps"
	PPORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	cat >"$T/prom.yml" <<-EOF
	global: {scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s}
	scrape_configs:
	  - job_name: greenai
	    static_configs: [{targets: ['127.0.0.1:$PORT']}]
	EOF
	prometheus --config.file="$T/prom.yml" --storage.tsdb.path="$T/tsdb" \
		--web.listen-address="127.0.0.1:$PPORT" >"$T/prom.log" 2>&1 3>&- &
	PIDS+=($!)
}

# query EXPR: the first value of an instant query, once there is one (60 s
# at most)
query() {
	local i out
	for i in $(seq 600); do
		out=$(curl -s "http://127.0.0.1:$PPORT/api/v1/query" \
			--data-urlencode "query=$1" 2>/dev/null |
			python3 -c 'import json, sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if r else "")' 2>/dev/null)
		[ -n "$out" ] && { echo "$out"; return 0; }
		sleep 0.1
	done
	return 1
}

@test "exporter: Prometheus scrapes it; rate() of the busy container's joules is positive, the idle one's about 0" {
	start_exporter
	make_containers
	start_prometheus
	busy=$(query "rate(greenai_container_joules_total{runtime=\"docker\",container_name=\"trainer\"}[5s])") ||
		fail "no rate for the busy container: $(scrape | grep '^greenai_container_joules') $(grep -v level=info "$T/prom.log" | tail -5)"
	idle=$(query "rate(greenai_container_joules_total{runtime=\"containerd\",container_name=\"infer\"}[5s])") ||
		fail "no rate for the idle container"
	# the busy one spins (with whatever share of a CPU the machine
	# gives it): its power is above 0; the idle one sleeps: next to none
	awk -v b="$busy" -v i="$idle" 'BEGIN { exit !(b > 0 && i < b / 100) }' ||
		fail "busy $busy W, idle $idle W"
	# the node's power is at least the busy container's, both over the
	# same window (one query: two would see two windows)
	ratio=$(query "sum(rate(greenai_node_joules_total[5s])) / sum(rate(greenai_container_joules_total{runtime=\"docker\",container_name=\"trainer\"}[5s]))")
	awk -v r="$ratio" 'BEGIN { exit !(r >= 0.9) }' ||
		fail "node power / busy container power: $ratio"
	run curl -s "http://127.0.0.1:$PPORT/api/v1/targets"
	assert_output --partial '"health":"up"'
}

@test "exporter: counters never go back through churn and a restart; a finished container is folded and in the ledger" {
	start_exporter
	make_containers
	until_scrape '/^greenai_container_cpu_seconds_total\{.*trainer/ { f = 1 } END { exit !f }'
	a1=$(value greenai_container_joules_total "container_name=\"trainer\".*zone=\"package-0\"")
	n1=$(value greenai_node_joules_total 'zone="package-0"')
	stop_exporter
	[ -s "$T/state" ] || fail "no state file saved"
	start_exporter
	until_scrape '/^greenai_exporter_samples_total [2-9]/ { f = 1 } END { exit !f }'
	a2=$(value greenai_container_joules_total "container_name=\"trainer\".*zone=\"package-0\"")
	n2=$(value greenai_node_joules_total 'zone="package-0"')
	awk -v a="$a1" -v b="$a2" -v m="$n1" -v n="$n2" 'BEGIN { exit !(b >= a && n >= m) }' ||
		fail "went back over the restart: container $a1 -> $a2, node $n1 -> $n2"
	# the docker container ends: exposed once more, then folded
	remove_cgroup "$DOCKER"
	until_scrape '/^greenai_terminated_containers_total\{[^}]*\} 1$/ { f = 1 } END { exit !f }'
	# its series are gone from the exposition
	! grep -q 'container_name="trainer"' <<<"$output" ||
		fail "the folded container is still exposed"
	t=$(value greenai_terminated_containers_joules_total 'zone="package-0"')
	awk -v a="$a2" -v t="$t" 'BEGIN { exit !(t >= a) }' ||
		fail "terminated $t J < the container's last $a2 J"
	# and the ledger has it as a finished run
	run "$GREENAI" report --by container --format csv --ledger "$T/ledger.db"
	assert_success
	assert_output --partial "docker/$ID_A"
}

@test "exporter: a kubepods container in the v1 hierarchies only (cgroupfs driver, hybrid host) is found by its processes" {
	local v1 d h spin
	v1=$(dirname "$CG")
	[ -d "$v1/cpu" ] && [ -d "$v1/systemd" ] ||
		skip "no v1 cpu and name=systemd hierarchies: not a hybrid host"
	start_exporter
	mkdir -p "$RT/var/log/pods/search_ranker-5_$POD3_UID/ranker"
	# born in a plain v2 cgroup (no container), torn down with it
	h=$(new_cgroup greenai-v1host.$$)
	# the file is there before the loop reads it, whenever the job starts
	: >"$T/spawn"
	"$BIN/cgspawn" "$h" "$BIN/spin" 600 2>"$T/spawn" &
	PIDS+=($!)
	local deadline=$((SECONDS + 60))
	while [ "$SECONDS" -lt "$deadline" ]; do
		spin=$(sed -n 's/.*pid \([0-9]*\).*/\1/p' "$T/spawn")
		[ -n "$spin" ] && break
		sleep 0.05
	done
	[ -n "$spin" ] || fail "no spin"
	# as runc with the cgroupfs driver: the same path in every v1 hierarchy
	for d in systemd cpu memory; do
		mkdir -p "$v1/$d/kubepods/burstable/pod$POD3_UID/$ID_D"
		V1_DIRS=("$v1/$d/kubepods/burstable/pod$POD3_UID/$ID_D"
			"$v1/$d/kubepods/burstable/pod$POD3_UID"
			"$v1/$d/kubepods/burstable" "$v1/$d/kubepods" "${V1_DIRS[@]}")
		echo "$spin" >"$v1/$d/kubepods/burstable/pod$POD3_UID/$ID_D/cgroup.procs"
	done
	grep -q "kubepods/burstable/pod$POD3_UID/$ID_D" "/proc/$spin/cgroup"
	until_scrape "/^greenai_container_cpu_seconds_total\\{.*$ID_D/ { if (\$NF > 0.5) f = 1 } END { exit !f }"
	value greenai_container_cpu_seconds_total "container_id=\"$ID_D\",container_name=\"\",runtime=\"kubepods\",pod_name=\"ranker-5\",pod_namespace=\"search\""
	value greenai_pod_joules_total "pod_uid=\"$POD3_UID\",pod_name=\"ranker-5\",pod_namespace=\"search\",zone=\"package-0\""
	# it ends: the container is folded once its process has gone
	echo 1 >"$h/cgroup.kill"
	until_scrape '/^greenai_terminated_containers_total\{[^}]*\} 1$/ { f = 1 } END { exit !f }'
	! grep -q "$ID_D" <<<"$output" || fail "the ended v1 container is still exposed"
}

@test "exporter: when the backend is opened anew its counters go on from where they were" {
	start_exporter
	make_containers
	until_scrape '/^greenai_container_cpu_seconds_total\{.*trainer/ { f = 1 } END { exit !f }'
	a1=$(value greenai_container_joules_total "container_name=\"trainer\".*zone=\"package-0\"")
	n1=$(value greenai_node_joules_total 'zone="package-0"')
	c1=$(value greenai_node_co2_grams_total 'node_name=')
	# SIGHUP: the BPF programs unloaded and loaded again, totals from zero
	kill -HUP "$EXPORTER_PID"
	until_scrape '/^greenai_exporter_backend_reopens_total 1$/ { f = 1 } END { exit !f }'
	a2=$(value greenai_container_joules_total "container_name=\"trainer\".*zone=\"package-0\"")
	n2=$(value greenai_node_joules_total 'zone="package-0"')
	c2=$(value greenai_node_co2_grams_total 'node_name=')
	awk -v a="$a1" -v b="$a2" -v m="$n1" -v n="$n2" -v c="$c1" -v d="$c2" \
		'BEGIN { exit !(b >= a && n >= m && d >= c) }' ||
		fail "went back: container $a1 -> $a2, node $n1 -> $n2, CO2e $c1 -> $c2"
	# and the busy container goes on counting over the new backend
	until_scrape "/^greenai_container_joules_total\\{.*trainer.*package-0/ { if (\$NF > $a2 + 1) f = 1 } END { exit !f }"
	grep -q "^greenai-exporter: backend opened again" "$T/exporter.log"
}

@test "exporter: huge headers get 431, 200 concurrent scrapes are all answered, a slow client stalls nobody" {
	start_exporter
	big=$(head -c 20000 /dev/zero | tr '\0' x)
	run curl -s -o /dev/null -w '%{http_code}' -H "X-Big: $big" "http://127.0.0.1:$PORT/metrics"
	assert_output 431
	# a client that sends half a request and waits, longer than any scrape
	# below may take (teardown ends it)
	python3 -c 'import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
time.sleep(600)' "$PORT" 3>&- &
	PIDS+=($!)
	# from 20 addresses of the loopback, 10 each: under the per-client bound
	seq 0 199 | xargs -P 200 -I{} sh -c 'curl -s -o /dev/null \
		-w "%{http_code}\n" --max-time 120 \
		--interface 127.0.0.$(($1 % 20 + 1)) "$2"' sh {} \
		"http://127.0.0.1:$PORT/metrics" >"$T/codes"
	run sort "$T/codes"
	assert_equal "$(grep -c '^200$' "$T/codes")" 200
	kill -0 "$EXPORTER_PID"
	run curl -s "http://127.0.0.1:$PORT/healthz"
	assert_output "ok"
}

# terminated STATE: how many containers the state file says were folded
terminated() {
	python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["terminated_containers"]["count"])' "$1" 2>/dev/null ||
		echo -1
}

# series_in_state STATE KEY: 1 when the state file has the series KEY
series_in_state() {
	python3 -c 'import json, sys
print(int(any(x["key"] == sys.argv[2] for x in json.load(open(sys.argv[1]))["series"])))' \
		"$1" "$2" 2>/dev/null || echo -1
}

@test "exporter: an ended container is folded --keep-ended after it ends, scraped or not" {
	local s0 s n=0 deadline
	start_exporter --keep-ended 5 --save-every 1
	make_containers
	until_scrape '/^greenai_container_cpu_seconds_total\{.*trainer/ { f = 1 } END { exit !f }'
	remove_cgroup "$DOCKER"
	s0=$(samples)
	# scraped as fast as it answers, it stays as it was: a scrape does
	# not hasten its folding
	while :; do
		output=$(scrape)
		s=$(samples)
		[ "$s" -le $((s0 + 4)) ] || break
		grep -q 'container_name="trainer"' <<<"$output" ||
			fail "folded at sample $s, $((s - s0)) after it ended"
		n=$((n + 1))
	done
	[ "$n" -ge 2 ] || fail "only $n scrapes in 4 samples"
	stop_exporter
	# the same, never scraped: folded all the same (the state file says)
	rm -f "$T/state"
	start_exporter --keep-ended 1 --save-every 1
	DOCKER=$(new_cgroup "system.slice/docker-$ID_A.scope")
	"$BIN/cgspawn" "$DOCKER" "$BIN/spin" 600 2>/dev/null &
	PIDS+=($!)
	deadline=$((SECONDS + 60))
	until [ "$(series_in_state "$T/state" "docker/$ID_A")" = 1 ]; do
		[ "$SECONDS" -lt "$deadline" ] || fail "never in the state file"
		sleep 0.1
	done
	remove_cgroup "$DOCKER"
	until [ "$(terminated "$T/state")" = 1 ]; do
		[ "$SECONDS" -lt "$deadline" ] ||
			fail "never folded without a scrape: $(cat "$T/state")"
		sleep 0.1
	done
	[ "$(series_in_state "$T/state" "docker/$ID_A")" = 0 ]
}

@test "exporter: a runtime's names in a service's or a user's subtree are not root's containers" {
	local root svc user c
	start_exporter
	root=$(new_cgroup "system.slice/docker-$ID_B.scope")
	# a delegated service names a cgroup as docker does: no container
	svc=$(new_cgroup "system.slice/greenai-ci-$$.service/docker-$ID_A.scope")
	# a user's instance names one with root's container's id: the user's
	user=$(new_cgroup "user.slice/user-65534.slice/user@65534.service/app.slice/docker-$ID_B.scope")
	for c in "$root" "$svc" "$user"; do
		"$BIN/cgspawn" "$c" "$BIN/spin" 600 2>/dev/null &
		PIDS+=($!)
	done
	until_scrape "/^greenai_container_cpu_seconds_total\\{.*owner=\"uid:65534\",container_id=\"$ID_B\"/ { u = 1 } /^greenai_container_cpu_seconds_total\\{.*owner=\"\",container_id=\"$ID_B\"/ { r = 1 } END { exit !(u && r) }"
	! grep -q "container_id=\"$ID_A\"" <<<"$output" ||
		fail "a service's cgroup is exposed as a container"
	# one series each, and the user's has no name from root's runtime
	value greenai_container_cpu_seconds_total "owner=\"uid:65534\",container_id=\"$ID_B\",container_name=\"\",runtime=\"docker\""
	value greenai_container_cpu_seconds_total "owner=\"\",container_id=\"$ID_B\""
}

# model_cgroup NAME MODEL [UID]: a plain cgroup labelled MODEL, owned by
# UID (root by default), with a process in it; its path in MODEL_CG
model_cgroup() {
	MODEL_CG=$(new_cgroup "$1")
	[ -z "${3:-}" ] || chown "$3" "$MODEL_CG"
	python3 -c 'import os, sys; os.setxattr(sys.argv[1], "user.greenai.model", sys.argv[2].encode())' \
		"$MODEL_CG" "$2"
	"$BIN/cgspawn" "$MODEL_CG" "$BIN/spin" 600 2>/dev/null &
	PIDS+=($!)
}

@test "exporter: model series are bounded, a user's are marked as theirs, and they end with their cgroups" {
	local m=bert-$SFX root user
	start_exporter --max-series 2 --keep-ended 1 --save-every 1
	# the same model name on root's cgroup and on one a user owns
	model_cgroup "greenai-model-root.$$" "$m"
	root=$MODEL_CG
	model_cgroup "greenai-model-user.$$" "$m" 65534
	user=$MODEL_CG
	until_scrape "/^greenai_model_cpu_seconds_total\\{.*owner=\"uid:65534\",model=\"$m\"/ { u = 1 } /^greenai_model_cpu_seconds_total\\{.*owner=\"\",model=\"$m\"/ { r = 1 } END { exit !(u && r) }"
	# a third model is past --max-series: counted in the node only
	model_cgroup "greenai-model-more.$$" "gpt-$SFX"
	until_scrape '/^greenai_exporter_series_dropped_total [1-9]/ { f = 1 } END { exit !f }'
	! grep -q "gpt-$SFX" <<<"$output" || fail "a model past the bound is exposed"
	# root's ends: its series is folded, the user's stays
	remove_cgroup "$root"
	until_scrape '/^greenai_terminated_models_total\{[^}]*\} [1-9]/ { f = 1 } END { exit !f }'
	! grep -q "owner=\"\",model=\"$m\"" <<<"$output" ||
		fail "the ended model is still exposed"
	grep -q "owner=\"uid:65534\",model=\"$m\"" <<<"$output" ||
		fail "the user's model is gone"
	# and the state file keeps only what is exposed
	stop_exporter
	[ "$(series_in_state "$T/state" "$m")" = 0 ]
	# (keyed by its owner, then 0x1f, then its name: no label can
	# pass for another owner's)
	[ "$(series_in_state "$T/state" "uid:65534"$'\x1f'"$m")" = 1 ]
}

@test "exporter: one client address cannot hold every connection" {
	start_exporter --max-per-client 4
	# four connections from 127.0.0.1, each answered once and kept open
	# (a header line a second keeps them from timing out)
	python3 - "$PORT" "$T/held" 3>&- <<-'PY' &
		import socket, sys, time
		socks = []
		for i in range(4):
		    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
		    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
		    buf = b""
		    while b"ok\n" not in buf:
		        buf += s.recv(4096)
		    s.sendall(b"GET /healthz HTTP/1.1\r\n")
		    socks.append(s)
		open(sys.argv[2], "w").write("held\n")
		while True:
		    for s in socks:
		        s.sendall(b"X-Wait: 1\r\n")
		    time.sleep(1)
	PY
	PIDS+=($!)
	local deadline=$((SECONDS + 60))
	until [ -s "$T/held" ]; do
		[ "$SECONDS" -lt "$deadline" ] || fail "the four connections were never made"
		sleep 0.05
	done
	# a fifth from the same address is closed unanswered
	run curl -s -o /dev/null -w '%{http_code}' --max-time 30 \
		"http://127.0.0.1:$PORT/metrics"
	assert_failure
	assert_output 000
	# another address is served
	run curl -s -o /dev/null -w '%{http_code}' --max-time 30 \
		--interface 127.0.0.2 "http://127.0.0.1:$PORT/metrics"
	assert_success
	assert_output 200
}

@test "exporter: basic auth refuses wrong credentials; TLS serves the same metrics" {
	printf 'prom:s3cret\n' >"$T/auth"
	chmod 600 "$T/auth"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
		-keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null
	# /healthz answers without credentials (start_exporter waits on it)
	SCHEME=https start_exporter --auth-file "$T/auth" \
		--tls-cert "$T/cert.pem" --tls-key "$T/key.pem"
	run curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/metrics"
	refute_output 200
	run curl -sk -o /dev/null -w '%{http_code}' "https://127.0.0.1:$PORT/metrics"
	assert_output 401
	run curl -sk -o /dev/null -w '%{http_code}' -u prom:wrong "https://127.0.0.1:$PORT/metrics"
	assert_output 401
	run curl -sk -o /dev/null -w '%{http_code}' -u nobody:s3cret "https://127.0.0.1:$PORT/metrics"
	assert_output 401
	run curl -sk -u prom:s3cret "https://127.0.0.1:$PORT/metrics"
	assert_success
	assert_line --partial "greenai_node_joules_total{"
	run curl -sk "https://127.0.0.1:$PORT/healthz"
	assert_output "ok"
}

@test "exporter: with --auth-token-file, /metrics wants the bearer token: none or a wrong one get 401 and no metrics" {
	# a token file others may read, or that is not one token: refused
	printf 'x%.0s' {1..40} >"$T/token"
	chmod 644 "$T/token"
	run "$EXPORTER" --auth-token-file "$T/token" -l 127.0.0.1:0 --no-ledger
	assert_failure 2
	assert_output --partial "chmod 600"
	printf 'two words here and more\n' >"$T/bad"
	chmod 600 "$T/bad"
	run "$EXPORTER" --auth-token-file "$T/bad" -l 127.0.0.1:0 --no-ledger
	assert_failure 2
	assert_output --partial "the token"
	run "$EXPORTER" --auth-token-file "$T/token" --auth-file "$T/bad"
	assert_failure 2
	assert_output --partial "exclusive"
	# a good one
	head -c 32 /dev/urandom | base64 | tr -d '=+/\n' >"$T/token"
	chmod 600 "$T/token"
	tok=$(cat "$T/token")
	start_exporter --auth-token-file "$T/token"
	run curl -s -w '\n%{http_code}' "http://127.0.0.1:$PORT/metrics"
	assert_line --index 1 401
	refute_output --partial greenai_node_joules_total
	run curl -s -D - -o /dev/null "http://127.0.0.1:$PORT/metrics"
	assert_output --partial "WWW-Authenticate: Bearer"
	run curl -s -w '\n%{http_code}' -H "Authorization: Bearer ${tok}x" \
		"http://127.0.0.1:$PORT/metrics"
	assert_line --index 1 401
	refute_output --partial greenai_node_joules_total
	run curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer ${tok%?}" \
		"http://127.0.0.1:$PORT/metrics"
	assert_output 401
	run curl -s -o /dev/null -w '%{http_code}' -u "prom:$tok" \
		"http://127.0.0.1:$PORT/metrics"
	assert_output 401
	run curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/"
	assert_output 401
	run curl -fsS -H "Authorization: Bearer $tok" "http://127.0.0.1:$PORT/metrics"
	assert_success
	assert_line --partial "greenai_node_joules_total{"
	# /healthz stays open, for the kubelet's probes
	run curl -s "http://127.0.0.1:$PORT/healthz"
	assert_output "ok"
	# and no warning of an open port (it is loopback, and has a token)
	run grep -c "no --auth-token-file" "$T/exporter.log"
	assert_output 0
}

# co2_rate_is G: between two scrapes at G g/kWh, the node's CO2e grew by
# its energy times G (to a µg: each figure is rounded once)
co2_rate_is() {
	local n1 c1 n2 c2 deadline=$((SECONDS + 60))
	output=$(scrape)
	n1=$(value greenai_node_joules_total 'zone="package-0"')
	c1=$(value greenai_node_co2_grams_total 'node_name=')
	while :; do
		output=$(scrape)
		n2=$(value greenai_node_joules_total 'zone="package-0"')
		[ "$n2" != "$n1" ] && break
		[ "$SECONDS" -lt "$deadline" ] || break
		sleep 0.1
	done
	c2=$(value greenai_node_co2_grams_total 'node_name=')
	LAST_J=$n2 LAST_G=$c2
	python3 -c '
import sys
n1, c1, n2, c2, g = (float(v) for v in sys.argv[1:])
want = (n2 - n1) / 3.6e6 * g * 1e6  # J to kWh, times g/kWh, in ug
got = (c2 - c1) * 1e6
assert n2 > n1 and abs(got - want) <= 1.01, (got, want)
' "$n1" "$c1" "$n2" "$c2" "$1" || fail "at $1 g/kWh: energy $n1 -> $n2 J, CO2e $c1 -> $c2 g"
}

@test "exporter: with a live provider, each sample's CO2e is at the grid intensity then in force" {
	# 100 g/kWh until the test has seen samples at 100, then 900
	grid_series "$T/series.csv" 0
	printf 'intensity_file = %s\nintensity_refresh = 1\n' "$T/series.csv" >"$T/greenai.conf"
	GREENAI_CONFIG=$T/greenai.conf start_exporter
	output=$(scrape)
	assert_equal "$(value greenai_grid_intensity_grams_per_kwh "source=\"file $T/series.csv\"")" 100.000
	co2_rate_is 100
	local at100=$LAST_J g100=$LAST_G
	grid_series "$T/series.csv" 1
	until_scrape '/^greenai_grid_intensity_grams_per_kwh\{.*\} 900\.000$/ { f = 1 } END { exit !f }'
	# the change takes nothing back
	python3 -c 'import sys; assert float(sys.argv[1]) >= float(sys.argv[2])' \
		"$(value greenai_node_co2_grams_total 'node_name=')" "$g100" ||
		fail "CO2e went back when the intensity changed: $output"
	co2_rate_is 900
	grep -q "grid intensity now 900.000 g/kWh (file $T/series.csv)" "$T/exporter.log" ||
		fail "$(cat "$T/exporter.log")"
	# what was counted at 100 stays counted at 100: of the node's energy,
	# at least what it had used while at 100 counts 800 g/kWh less
	output=$(scrape)
	python3 -c '
import sys
n, c, e100 = (float(v) for v in sys.argv[1:])
assert 0 < c <= (n * 900 - e100 * 800) / 3.6e6 + 2e-6, (n, c, e100)
' "$(value greenai_node_joules_total 'zone="package-0"')" \
		"$(value greenai_node_co2_grams_total 'node_name=')" "$at100" || fail "$output"
}

@test "exporter: in a VM, a host's hand-over tree (FAKE) is exposed as measured by the host" {
	local h=$T/root/var/lib/greenai/host
	cp -a "$TOP/tests/fixtures/FAKE-host-tree" "$T/root"
	sed -i 's/^interval_ms .*/interval_ms 3600000/' "$h/greenai-host"
	start_exporter --root "$T/root"
	until_scrape '/^greenai_node_joules_total\{.*zone="package-0",provenance="measured by the host"\} 0\.000000$/ { f = 1 } END { exit !f }'
	# the host hands over 2.5 J more, then a new seq
	echo 3500000 >"$h/host:0/energy_uj.tmp"
	mv "$h/host:0/energy_uj.tmp" "$h/host:0/energy_uj"
	sed 's/^seq .*/seq 8/' "$h/greenai-host" >"$h/greenai-host.tmp"
	mv "$h/greenai-host.tmp" "$h/greenai-host"
	until_scrape '/^greenai_node_joules_total\{.*zone="package-0",provenance="measured by the host"\} 2\.500000$/ { f = 1 } END { exit !f }'
	until_scrape '/^greenai_node_zone_up\{.*zone="dram-0",provenance="measured by the host"\} 1$/ { f = 1 } END { exit !f }'
}

# units_of MODEL OWNER: the model's greenai_model_units_total line (awk
# condition: its value is V), for until_scrape
units_is() {
	echo "/^greenai_model_units_total\\{.*owner=\"$2\",model=\"$1\",unit=\"$3\"\\} / { if (\$NF + 0 == $4) f = 1 } END { exit !f }"
}

@test "exporter: a serving greenai run's units, mirrored from its metrics file, are greenai_model_units_total" {
	local m=serve-$SFX fifo=$T/units.fifo rpid per
	start_exporter
	start_prometheus	# before the FIFO is open: it must not hold it
	mkfifo "$fifo"
	# a serving process: busy, and says how many predictions it made
	# whenever the test tells it (each line a count so far)
	"$GREENAI" run --model "$m" --ledger "$T/ledger.db" --region FR -- \
		sh -c '"$1" 600 & while read -r n; do printf "units=%s\nunit=predictions\n" "$n" >"$GREENAI_METRICS"; done; kill $!' \
		sh "$BIN/spin" <"$fifo" 2>"$T/run.log" &
	rpid=$!
	PIDS+=($rpid)
	exec 7>"$fifo"
	# met before it said any units: what it says then counts whole
	until_scrape "/^greenai_model_cpu_seconds_total\\{.*model=\"$m\"\\} [0-9.]*[1-9]/ { f = 1 } END { exit !f }"
	! grep -q '^greenai_model_units_total{.*model="'"$m"'"' <<<"$output" ||
		fail "units before any were said"
	echo 100 >&7
	until_scrape "$(units_is "$m" "" predictions 100)"
	echo 250.5 >&7
	until_scrape "$(units_is "$m" "" predictions 250.5)"
	# a count that goes down adds nothing; the next rise counts from it
	echo 200 >&7
	until_scrape "/^greenai_exporter_samples_total / { s = \$NF } END { exit !(s > $(samples) + 3) }"
	until_scrape "$(units_is "$m" "" predictions 250.5)"
	echo 300 >&7
	until_scrape "$(units_is "$m" "" predictions 350.5)"
	# energy per unit, as docs/exporter.md says to ask Prometheus, while
	# the process goes on serving
	(n=400; while echo "$n"; do n=$((n + 10)); sleep 0.2; done) >&7 &
	PIDS+=($!)
	per=$(query "sum by (node_name, owner, model) (rate(greenai_model_joules_total{model=\"$m\"}[5s])) / on (node_name, owner, model) sum by (node_name, owner, model) (rate(greenai_model_units_total[5s]))") ||
		fail "no energy per unit: $(scrape | grep "model=\"$m\"")"
	awk -v p="$per" 'BEGIN { exit !(p > 0 && p < 1e6) }' ||
		fail "J per unit: $per"
	kill "${PIDS[-1]}"
	wait "${PIDS[-1]}" || true
	unset 'PIDS[-1]'
	exec 7>&-	# EOF: it stops serving
	wait "$rpid"
	run sqlite3 "$T/ledger.db" "SELECT units > 400, unit FROM runs WHERE model = '$m'"
	assert_output "1|predictions"
}

@test "exporter: bad units xattrs, another unit, or another owner's units count for nothing" {
	local m=units-$SFX c child samples0 v
	start_exporter
	model_cgroup "greenai-units-root.$$" "$m"
	c=$MODEL_CG
	until_scrape "/^greenai_model_cpu_seconds_total\\{.*model=\"$m\"\\} [0-9.]*[1-9]/ { f = 1 } END { exit !f }"
	setx() { python3 -c 'import os, sys; os.setxattr(sys.argv[1], "user.greenai." + sys.argv[2], sys.argv[3].encode())' "$@"; }
	# no unit name: not counted; then each bad value, a sample or more apart
	setx "$c" units 5
	samples0=$(samples)
	until_scrape "/^greenai_exporter_samples_total / { exit !(\$NF > $samples0 + 1) }"
	! grep -q "^greenai_model_units_total{.*model=\"$m\"" <<<"$output" ||
		fail "units without a unit counted"
	setx "$c" units -5
	setx "$c" unit requests
	for v in -5 0 0.0001 abc nan inf 1e13 0x10 "5 " "" \
		12345678901234567890123456789012; do
		setx "$c" units "$v"
		samples0=$(samples)
		until_scrape "/^greenai_exporter_samples_total / { exit !(\$NF > $samples0 + 1) }"
		! grep -q "^greenai_model_units_total{.*model=\"$m\"" <<<"$output" ||
			fail "units '$v' counted: $(grep greenai_model_units_total <<<"$output")"
	done
	for v in "bad unit" "a-unit-name-far-too-long-to-keep" "x/y"; do
		setx "$c" unit "$v"
		setx "$c" units 7
		samples0=$(samples)
		until_scrape "/^greenai_exporter_samples_total / { exit !(\$NF > $samples0 + 1) }"
		! grep -q "^greenai_model_units_total{.*model=\"$m\"" <<<"$output" ||
			fail "unit '$v' counted"
	done
	# good ones: counted whole (the cgroup was met without units)
	setx "$c" unit requests
	setx "$c" units 7
	until_scrape "$(units_is "$m" "" requests 7)"
	# a cgroup a user owns below root's model speaks for nothing of it
	child=$(new_cgroup "greenai-units-root.$$/user-app")
	chown 65534 "$child"
	"$BIN/cgspawn" "$child" "$BIN/spin" 600 2>/dev/null &
	PIDS+=($!)
	setx "$child" unit requests
	setx "$child" units 1000
	# another of root's cgroups of the model with another unit: not counted
	model_cgroup "greenai-units-other.$$" "$m"
	setx "$MODEL_CG" unit tokens
	setx "$MODEL_CG" units 500
	samples0=$(samples)
	until_scrape "/^greenai_exporter_samples_total / { exit !(\$NF > $samples0 + 3) }"
	until_scrape "$(units_is "$m" "" requests 7)"
	[ "$(grep -c "^greenai_model_units_total{.*model=\"$m\"" <<<"$output")" = 1 ]
	# the counter is kept across a restart, and the units already said
	# are a base, not counted again
	stop_exporter
	start_exporter
	until_scrape '/^greenai_exporter_samples_total / { exit !($NF > 3) }'
	setx "$c" units 9
	until_scrape "$(units_is "$m" "" requests 9)"
}

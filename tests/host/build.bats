#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# The build system: targets, what `make` does without a kernel tree, bad
# input, `make install` into DESTDIR, the ABI header on its own, and the
# kernel code under checkpatch --strict.

setup() {
	load ../test_helper/common-setup
	_common_setup
	cd "$TOP"
}

@test "make help lists every top-level target" {
	run make --no-print-directory help
	assert_success
	local t
	for t in all kmod bpf tools check unit fuzz soak host vm bench lint demo deps install \
		clean help; do
		assert_line --regexp "^  $t "
	done
}

@test "make kmod without a kernel tree fails and says what is missing" {
	run make --no-print-directory kmod KDIR="$BATS_TEST_TMPDIR/none"
	assert_failure
	assert_output --partial "no kernel build tree at KDIR=$BATS_TEST_TMPDIR/none"
}

@test "make builds libgreenai and skips the module when there is no kernel tree" {
	run make --no-print-directory BUILD="$BATS_TEST_TMPDIR/b" \
		KDIR="$BATS_TEST_TMPDIR/none" all
	assert_success
	assert_output --partial "kmod: skipped, no kernel build tree"
	run nm "$BATS_TEST_TMPDIR/b/lib/libgreenai.a"
	assert_line --regexp " T ga_interval_begin$"
	assert_line --regexp " T ga_counter_update$"
}

@test "make install puts tools, man pages, unit, headers, library and DKMS sources under DESTDIR" {
	local d=$BATS_TEST_TMPDIR/root m
	run make --no-print-directory BUILD="$BATS_TEST_TMPDIR/b" \
		DESTDIR="$d" PREFIX=/usr install
	assert_success
	assert [ -f "$d/usr/include/greenai/greenai/libgreenai.h" ]
	assert [ -f "$d/usr/include/greenai/uapi/greenai.h" ]
	assert [ -f "$d/usr/lib/libgreenai.a" ]
	assert [ -f "$d/usr/lib/libgreenai.so.0" ]
	assert [ -f "$d/usr/lib/pkgconfig/greenai.pc" ]
	assert [ -f "$d/usr/src/greenai-$MODULE_VERSION/Kbuild" ]
	assert [ -f "$d/usr/src/greenai-$MODULE_VERSION/kmod/main.c" ]
	run find "$d/usr/src" -name '*.o' -o -name '*.ko'
	assert_output ""
	# the tools run from where they are installed
	for t in greenai gtop greenai-exporter; do
		run "$d/usr/bin/$t" --help
		assert_success
	done
	# man pages that man renders without a warning
	for m in man1/greenai.1 man1/gtop.1 man8/greenai-exporter.8; do
		run man --warnings -l "$d/usr/share/man/$m"
		assert_success
		refute_output --partial "warning"
		assert_output --partial "SYNOPSIS"
	done
	# the unit starts the installed exporter, hardened
	m=$d/usr/lib/systemd/system/greenai-exporter.service
	run grep -E '^(ExecStart|NoNewPrivileges|ProtectSystem|CapabilityBoundingSet)=' "$m"
	assert_line "ExecStart=/usr/bin/greenai-exporter \$GREENAI_EXPORTER_ARGS"
	assert_line "NoNewPrivileges=yes"
	assert_line "ProtectSystem=strict"
	assert_line --partial "CapabilityBoundingSet=CAP_BPF CAP_PERFMON"
	assert [ -f "$d/etc/default/greenai-exporter" ]
	# DKMS: the version filled in, the module where Kbuild puts it
	run grep -E '^(PACKAGE_VERSION|BUILT_MODULE_LOCATION\[0\])=' \
		"$d/usr/src/greenai-$MODULE_VERSION/dkms.conf"
	assert_line "PACKAGE_VERSION=\"$MODULE_VERSION\""
	assert_line 'BUILT_MODULE_LOCATION[0]="kmod/"'
}

@test "the Kubernetes manifests parse, and every capability the DaemonSet adds says why" {
	run /usr/bin/python3 - "$TOP/deploy/kubernetes" <<-'EOF'
	import sys, yaml, pathlib
	d = pathlib.Path(sys.argv[1])
	docs = list(yaml.safe_load_all((d / "greenai-exporter.yaml").read_text()))
	kinds = [x["kind"] for x in docs]
	assert kinds == ["Namespace", "DaemonSet", "Service", "NetworkPolicy",
	                 "ServiceMonitor"], kinds
	ds = docs[1]
	c = ds["spec"]["template"]["spec"]["containers"][0]
	sc = c["securityContext"]
	assert sc["privileged"] is False and sc["allowPrivilegeEscalation"] is False
	assert sc["capabilities"]["drop"] == ["ALL"]
	assert c["readinessProbe"]["httpGet"]["path"] == "/healthz"
	assert docs[2]["spec"]["ports"][0]["port"] == 9102
	sm = docs[4]["spec"]["endpoints"][0]
	assert sm["port"] == "metrics"
	scrape = yaml.safe_load((d / "prometheus-scrape.yaml").read_text())
	job = scrape["scrape_configs"][0]
	assert job["job_name"] == "greenai-exporter"
	# line by line: each added capability carries a comment saying why
	lines = (d / "greenai-exporter.yaml").read_text().splitlines()
	i = next(n for n, l in enumerate(lines) if l.strip() == "add:")
	caps = sc["capabilities"]["add"]
	for l in lines[i + 1:i + 1 + len(caps)]:
	    assert l.strip().startswith("- ") and "#" in l and len(l.split("#", 1)[1].strip()) > 10, l
	print("ok", len(caps))
	EOF
	assert_success
	assert_output --regexp "^ok [0-9]+$"
}

@test "the Kubernetes manifests let only Prometheus reach the exporter, over TLS with a bearer token" {
	run /usr/bin/python3 - "$TOP/deploy/kubernetes" <<-'EOF'
	import sys, yaml, pathlib
	d = pathlib.Path(sys.argv[1])
	docs = list(yaml.safe_load_all((d / "greenai-exporter.yaml").read_text()))
	ds = next(x for x in docs if x["kind"] == "DaemonSet")
	pod = ds["spec"]["template"]
	labels = pod["metadata"]["labels"]
	c = pod["spec"]["containers"][0]
	# a NetworkPolicy selects the exporter's pods, and lets in on 9102
	# only Prometheus' pods of the monitoring namespace
	nps = [x for x in docs if x["kind"] == "NetworkPolicy"]
	assert nps, "no NetworkPolicy"
	np = next(x for x in nps
	          if x["metadata"]["namespace"] == ds["metadata"]["namespace"] and
	          all(labels.get(k) == v for k, v in
	              x["spec"]["podSelector"]["matchLabels"].items()))
	assert np["spec"]["podSelector"]["matchLabels"], "selects every pod"
	assert "Ingress" in np["spec"]["policyTypes"]
	assert np["spec"]["ingress"], "no rule: nothing would come in"
	for rule in np["spec"]["ingress"]:
	    assert rule.get("from"), "a rule open to every source"
	    for peer in rule["from"]:
	        assert set(peer) == {"namespaceSelector", "podSelector"}, peer
	        assert peer["namespaceSelector"]["matchLabels"] == \
	            {"kubernetes.io/metadata.name": "monitoring"}, peer
	        assert peer["podSelector"]["matchLabels"] == \
	            {"app.kubernetes.io/name": "prometheus"}, peer
	    assert [p["port"] for p in rule["ports"]] == [9102], rule
	# not exposed unauthenticated: off loopback, TLS and a bearer token
	args = dict(a[2:].split("=", 1) for a in c["args"])
	listen = args.get("listen", "127.0.0.1:9102")
	if not listen.startswith(("127.", "[::1]")):
	    assert "tls-cert" in args and "tls-key" in args, args
	    assert "auth-token-file" in args, args
	# the token comes from a Secret only root may read
	mounts = {m["mountPath"]: m["name"] for m in c["volumeMounts"]}
	vols = {v["name"]: v for v in pod["spec"]["volumes"]}
	tok = args["auth-token-file"]
	vol = vols[mounts[tok.rsplit("/", 1)[0]]]
	assert "secret" in vol and vol["secret"]["defaultMode"] & 0o077 == 0, vol
	for probe in ("readinessProbe", "livenessProbe"):
	    assert c[probe]["httpGet"]["scheme"] == "HTTPS", probe
	    assert c[probe]["httpGet"]["path"] == "/healthz", probe
	# and Prometheus is told to use them
	sm = next(x for x in docs if x["kind"] == "ServiceMonitor")
	ep = sm["spec"]["endpoints"][0]
	assert ep["scheme"] == "https" and ep["authorization"]["type"] == "Bearer", ep
	job = yaml.safe_load((d / "prometheus-scrape.yaml").read_text())["scrape_configs"][0]
	assert job["scheme"] == "https" and job["authorization"]["credentials_file"], job
	print("ok")
	EOF
	assert_success
	assert_output "ok"
}

@test "the ABI header compiles on its own in strict C11" {
	run gcc -std=c11 -pedantic-errors -Wall -Wextra -Werror -fsyntax-only \
		-x c include/uapi/greenai.h
	assert_success
	assert_output ""
}

@test "the ABI header's size checks fire when a layout changes" {
	sed 's/__u32 nr_tasks;/__u32 nr_tasks, extra;/' include/uapi/greenai.h \
		>"$BATS_TEST_TMPDIR/greenai.h"
	run gcc -std=gnu11 -fsyntax-only -x c "$BATS_TEST_TMPDIR/greenai.h"
	assert_failure
	assert_output --partial "greenai_rec_interval"
}

@test "kernel code passes checkpatch.pl --strict (make lint)" {
	run make --no-print-directory lint
	assert_success
	refute_output --regexp "(ERROR|WARNING|CHECK):"
}

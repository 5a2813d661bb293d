// SPDX-License-Identifier: GPL-2.0
/*
 * greenai-exporter: serves this node's energy and CO2e per zone,
 * container, pod and ML model to Prometheus (exporter.h). This file owns
 * the command line, the sampling loop and the state file; SIGINT and
 * SIGTERM end it after a last save.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <greenai/libgreenai.h>

#include "exporter.h"

#define GX_LISTEN_DEF	"127.0.0.1:9102"
#define GX_STATE_DEF	"/var/lib/greenai/exporter.state"
#define GX_SAVE_EVERY_S	30.0
#define GX_KEEP_ENDED_S	120.0	/* an ended container's series, as it was */

static const char gx_help[] =
	"Usage: greenai-exporter [OPTION]...\n"
	"Serve this node's energy and CO2e, per zone and per container, pod and\n"
	"ML model, to Prometheus: text format 0.0.4, or OpenMetrics 1.0 when the\n"
	"scraper asks for it. Counters never go backwards: they are kept across\n"
	"container churn and restarts of the exporter (the state file).\n"
	"\n"
	"  -l, --listen ADDR:PORT  where to listen (default " GX_LISTEN_DEF "); \":PORT\" is\n"
	"                          every address, \"[::1]:PORT\" IPv6; \"none\": no HTTP\n"
	"                          (an agent only: needs --agent-socket)\n"
	"      --agent-socket PATH  also be the greenai agent: answer ordinary users\n"
	"                          on this Unix socket (" GA_AGENT_SOCKET_DEF " is where\n"
	"                          libgreenai looks), each seeing their own processes\n"
	"                          and cgroups only (docs/agent.md); needs an\n"
	"                          --interval of 1 s or more\n"
	"  -i, --interval SECONDS  sample every SECONDS, 0.1 to 60 (default 5)\n"
	"      --node-name NAME    the node_name label (default: the host name)\n"
	"      --region CC         the grid's intensity from the embedded table, or\n"
	"                          the zone to ask the live providers of\n"
	"                          greenai.conf about (see greenai intensity --help):\n"
	"                          then each sample's CO2e is at the intensity\n"
	"                          in force, asked again every intensity_refresh s\n"
	"      --intensity G       a grid intensity in g CO2e/kWh\n"
	"      --pue P             the data centre's PUE, 1.0 to 10.0 (default 1.0)\n"
	"      --state PATH        the state file (default " GX_STATE_DEF ")\n"
	"      --save-every SECONDS  write it every SECONDS, 1 to 3600 (default 30),\n"
	"                          and at exit; what a kill -9 loses is what\n"
	"                          came after the last write\n"
	"      --ledger PATH       record finished containers in this ledger\n"
	"                          (default: greenai's ledger; see greenai --help)\n"
	"      --no-ledger         record nothing\n"
	"      --tls-cert PEM --tls-key PEM\n"
	"                          speak HTTPS with this certificate and key\n"
	"      --auth-file FILE    basic auth: FILE holds one line USER:PASSWORD and\n"
	"                          may be read by its owner only (/healthz is open)\n"
	"      --auth-token-file FILE  bearer auth: every request but /healthz needs\n"
	"                          'Authorization: Bearer TOKEN', TOKEN the one line\n"
	"                          of FILE, which may be read by its owner only\n"
	"      --max-series N      containers, pods and models kept as series,\n"
	"                          each (default 10000); more count in the node only\n"
	"      --keep-ended SECONDS  an ended container's or pod's series stays as\n"
	"                          it was for SECONDS, 1 to 3600 (default 120),\n"
	"                          then it is folded into greenai_terminated_*\n"
	"      --max-per-client N  connections one address may hold, 1 to 1024\n"
	"                          (default 16)\n"
	"      --per-process N     also the N processes that used most energy, by\n"
	"                          pid (off by default: pids are many and brief)\n"
	"      --backend auto|module|bpf\n"
	"      --idle POLICY       who idle energy goes to: capacity (each\n"
	"                          workload its share of the CPUs' capacity, the\n"
	"                          rest the node's: the default), busy or none\n"
	"      --idle-power W      auto (default), util, or watts: 10,\n"
	"                          package-0=10,dram-0=2 (greenai stat --help)\n"
	"      --root DIR          read /proc and /sys under DIR (energy sources)\n"
	"      --runtime-root DIR  read the runtimes' and kubelet's files under DIR\n"
	"      --vm-share-dir DIR  keep each VM's hand-over tree in DIR/NAME/ (its\n"
	"                          energy per host domain, for the guest to read),\n"
	"                          where DIR/NAME exists and is owned by the VMM's\n"
	"                          uid; DIR must be root's, 0755 at most; needs an\n"
	"                          --interval of 1 s or more\n"
	"  -h, --help              this help\n"
	"      --version           the version\n"
	"\n"
	"The region comes from --region, else GREENAI_REGION, else greenai.conf,\n"
	"else the world average. Metrics: /metrics; health: /healthz. SIGHUP opens\n"
	"the backend anew (as three failed samples in a row do), the counters go on.\n";

struct gx_opts {
	const char *listen, *node_name, *region, *intensity, *pue;
	const char *state, *ledger, *tls_cert, *tls_key, *auth_file;
	const char *token_file, *agent_socket;
	const char *root, *runtime_root, *idle, *idle_power;
	const char *vm_share_dir;
	bool no_ledger;
	double interval_s, save_every_s, keep_ended_s;
	unsigned int max_series, max_processes, max_per_client;
	enum ga_backend backend;
};

static volatile sig_atomic_t gx_stop, gx_reopen;

static void gx_on_signal(int sig)
{
	if (sig == SIGHUP)
		gx_reopen = 1;
	else
		gx_stop = 1;
}

/* Samples that fail in a row before the backend is opened anew. */
#define GX_REOPEN_AFTER	3

static int gx_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "greenai-exporter: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'greenai-exporter --help'.\n");
	return 2;
}

static int gx_parse_double(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (!*s || *end || errno || !(v >= lo && v <= hi))
		return -EINVAL;
	*out = v;
	return 0;
}

/* A whole number from 1 to @hi. */
static int gx_parse_count(const char *s, unsigned int hi, unsigned int *out)
{
	double v;

	if (gx_parse_double(s, 1, hi, &v) || v != (unsigned int)v)
		return -EINVAL;
	*out = v;
	return 0;
}

static int gx_parse_opts(int argc, char **argv, struct gx_opts *o)
{
	enum { O_NODE = 256, O_REGION, O_INTENSITY, O_PUE, O_STATE, O_LEDGER,
	       O_NO_LEDGER, O_CERT, O_KEY, O_AUTH, O_MAX, O_BACKEND, O_ROOT,
	       O_RT_ROOT, O_PER_PROC, O_VERSION, O_SAVE_EVERY, O_IDLE, O_VM_SHARE,
	       O_IDLE_POWER, O_KEEP_ENDED, O_PER_CLIENT, O_TOKEN, O_AGENT };
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "interval", required_argument, NULL, 'i' },
		{ "node-name", required_argument, NULL, O_NODE },
		{ "region", required_argument, NULL, O_REGION },
		{ "intensity", required_argument, NULL, O_INTENSITY },
		{ "pue", required_argument, NULL, O_PUE },
		{ "state", required_argument, NULL, O_STATE },
		{ "save-every", required_argument, NULL, O_SAVE_EVERY },
		{ "ledger", required_argument, NULL, O_LEDGER },
		{ "no-ledger", no_argument, NULL, O_NO_LEDGER },
		{ "tls-cert", required_argument, NULL, O_CERT },
		{ "tls-key", required_argument, NULL, O_KEY },
		{ "auth-file", required_argument, NULL, O_AUTH },
		{ "auth-token-file", required_argument, NULL, O_TOKEN },
		{ "agent-socket", required_argument, NULL, O_AGENT },
		{ "max-series", required_argument, NULL, O_MAX },
		{ "keep-ended", required_argument, NULL, O_KEEP_ENDED },
		{ "max-per-client", required_argument, NULL, O_PER_CLIENT },
		{ "per-process", required_argument, NULL, O_PER_PROC },
		{ "backend", required_argument, NULL, O_BACKEND },
		{ "idle", required_argument, NULL, O_IDLE },
		{ "idle-power", required_argument, NULL, O_IDLE_POWER },
		{ "root", required_argument, NULL, O_ROOT },
		{ "runtime-root", required_argument, NULL, O_RT_ROOT },
		{ "vm-share-dir", required_argument, NULL, O_VM_SHARE },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	o->listen = GX_LISTEN_DEF;
	o->state = GX_STATE_DEF;
	o->interval_s = 5;
	o->save_every_s = GX_SAVE_EVERY_S;
	o->keep_ended_s = GX_KEEP_ENDED_S;
	o->max_per_client = GX_PER_CLIENT_DEF;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+hl:i:", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(gx_help, stdout);
			return 0;
		case O_VERSION:
			printf("greenai-exporter %s\n", GREENAI_VERSION);
			return 0;
		case 'l':
			o->listen = optarg;
			break;
		case 'i':
			if (gx_parse_double(optarg, 0.1, 60, &o->interval_s))
				return gx_usage("--interval: '%s' is not 0.1 to 60 seconds",
						optarg);
			break;
		case O_NODE:
			if (!optarg[0] || strlen(optarg) > 253)
				return gx_usage("--node-name: '%s' is not a node's name",
						optarg);
			o->node_name = optarg;
			break;
		case O_REGION:
			o->region = optarg;
			break;
		case O_INTENSITY:
			o->intensity = optarg;
			break;
		case O_PUE:
			o->pue = optarg;
			break;
		case O_SAVE_EVERY:
			if (gx_parse_double(optarg, 1, 3600, &o->save_every_s))
				return gx_usage("--save-every: '%s' is not 1 to 3600 seconds",
						optarg);
			break;
		case O_STATE:
			o->state = optarg;
			break;
		case O_LEDGER:
			o->ledger = optarg;
			break;
		case O_NO_LEDGER:
			o->no_ledger = true;
			break;
		case O_CERT:
			o->tls_cert = optarg;
			break;
		case O_KEY:
			o->tls_key = optarg;
			break;
		case O_AUTH:
			o->auth_file = optarg;
			break;
		case O_TOKEN:
			o->token_file = optarg;
			break;
		case O_AGENT:
			if (optarg[0] != '/')
				return gx_usage("--agent-socket: '%s' is not an absolute path",
						optarg);
			o->agent_socket = optarg;
			break;
		case O_MAX:
			if (gx_parse_count(optarg, 1000000, &o->max_series))
				return gx_usage("--max-series: '%s' is not 1 to 1000000",
						optarg);
			break;
		case O_KEEP_ENDED:
			if (gx_parse_double(optarg, 1, 3600, &o->keep_ended_s))
				return gx_usage("--keep-ended: '%s' is not 1 to 3600 seconds",
						optarg);
			break;
		case O_PER_CLIENT:
			if (gx_parse_count(optarg, 1024, &o->max_per_client))
				return gx_usage("--max-per-client: '%s' is not 1 to 1024",
						optarg);
			break;
		case O_PER_PROC:
			if (gx_parse_count(optarg, 10000, &o->max_processes))
				return gx_usage("--per-process: '%s' is not 1 to 10000",
						optarg);
			break;
		case O_BACKEND:
			if (ga_backend_parse(optarg, &o->backend) ||
			    o->backend == GA_BACKEND_AGENT)
				return gx_usage("--backend: '%s' is not auto, module or bpf",
						optarg);
			break;
		case O_ROOT:
			o->root = optarg;
			break;
		case O_IDLE:
			o->idle = optarg;
			break;
		case O_IDLE_POWER:
			o->idle_power = optarg;
			break;
		case O_RT_ROOT:
			o->runtime_root = optarg;
			break;
		case O_VM_SHARE:
			o->vm_share_dir = optarg;
			break;
		default:
			return gx_usage("unknown option or missing value: '%s'",
					argv[optind - 1]);
		}
	}
	if (optind < argc)
		return gx_usage("unexpected argument '%s'", argv[optind]);
	if (!o->tls_cert != !o->tls_key)
		return gx_usage("%s", "--tls-cert and --tls-key go together");
	if (o->auth_file && o->token_file)
		return gx_usage("%s", "--auth-file and --auth-token-file are exclusive");
	if (o->ledger && o->no_ledger)
		return gx_usage("%s", "--ledger and --no-ledger are exclusive");
	if (!strcmp(o->listen, "none") && !o->agent_socket)
		return gx_usage("%s", "--listen none needs --agent-socket: there would be nothing to serve");
	/* a user never gets figures finer than a second (docs/agent.md) */
	if (o->agent_socket && o->interval_s < 1)
		return gx_usage("%s", "--agent-socket needs an --interval of 1 s or more");
	/* a VM's share of the package's energy, to its guest: as coarse */
	if (o->vm_share_dir && o->interval_s < 1)
		return gx_usage("%s", "--vm-share-dir needs an --interval of 1 s or more");
	return -1;
}

/* A whole PEM file, or NULL with a message. */
static char *gx_read_pem(const char *path)
{
	size_t len;
	char *buf;
	int r = ga_read_file(path, 1 << 20, &buf, &len);

	if (r) {
		fprintf(stderr, "greenai-exporter: %s: %s\n", path,
			strerror(-r));
		return NULL;
	}
	return buf;
}

/* Whether @a is a loopback address (127.0.0.0/8, ::1). */
static bool gx_loopback(const struct sockaddr_storage *a)
{
	const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)a;
	const struct sockaddr_in *a4 = (const struct sockaddr_in *)a;

	if (a->ss_family == AF_INET6)
		return IN6_IS_ADDR_LOOPBACK(&a6->sin6_addr);
	return (ntohl(a4->sin_addr.s_addr) >> 24) == 127;
}

/* A secret's file: there, and for its owner only. Return: 0 or exit status. */
static int gx_secret_file(const char *path)
{
	struct stat st;

	if (stat(path, &st)) {
		fprintf(stderr, "greenai-exporter: %s: %s\n", path,
			strerror(errno));
		return 2;
	}
	if (st.st_mode & 077) {
		fprintf(stderr,
			"greenai-exporter: %s: others may read it (mode %03o): chmod 600 it\n",
			path, st.st_mode & 0777);
		return 2;
	}
	return 0;
}

/* --auth-token-file: one line, the token. Return: 0 or exit status. */
static int gx_read_token(const char *path, struct gx_http_conf *hc)
{
	char line[4096];
	size_t i;
	int r = gx_secret_file(path);

	if (r)
		return r;
	r = ga_read_str(path, line, sizeof(line));
	for (i = 0; !r && line[i]; i++)
		if (line[i] <= ' ' || line[i] == 0x7f)
			r = -EINVAL;
	if (r || i < 16) {
		fprintf(stderr,
			"greenai-exporter: %s: not one line of 16 or more printable characters, no spaces (the token)\n",
			path);
		return 2;
	}
	hc->token = strdup(line);
	return hc->token ? 0 : 1;
}

/* --auth-file: "USER:PASSWORD", owner-only. Return: 0 or exit status. */
static int gx_read_auth(const char *path, struct gx_http_conf *hc)
{
	char line[1024], *colon;
	int r = gx_secret_file(path);

	if (r)
		return r;
	r = ga_read_str(path, line, sizeof(line));
	colon = r ? NULL : strchr(line, ':');
	if (!colon || colon == line || !colon[1]) {
		fprintf(stderr,
			"greenai-exporter: %s: not one line USER:PASSWORD\n",
			path);
		return 2;
	}
	*colon = '\0';
	hc->user = strdup(line);
	hc->password = strdup(colon + 1);
	return hc->user && hc->password ? 0 : 1;
}

/* Say when a zone's reading starts failing, and when it is good again. */
static void gx_zone_errors(struct gx_state *st)
{
	unsigned int i, n = ga_nr_domains(st->g);

	for (i = 0; i < n && i < GREENAI_MAX_DOMAINS; i++) {
		const char *e = ga_domain_error(st->g, i);

		if (!strncmp(e, st->zone_err[i], sizeof(st->zone_err[i]) - 1))
			continue;
		if (*e)
			fprintf(stderr, "greenai-exporter: zone %s: %s; its energy stays where it was\n",
				ga_domain(st->g, i)->name, e);
		else
			fprintf(stderr, "greenai-exporter: zone %s reads again\n",
				ga_domain(st->g, i)->name);
		snprintf(st->zone_err[i], sizeof(st->zone_err[i]), "%s", e);
	}
}

static void gx_sample(struct gx_state *st)
{
	double now;
	int r;

	pthread_mutex_lock(&st->lock);
	r = ga_sample(st->g);
	now = ga_mono_s();
	if (!r)
		r = ga_wl_update(st->wl, st->last_sample ?
				 now - st->last_sample : 0);
	gx_zone_errors(st);
	st->samples++;
	st->sample_errors += !!r;
	st->last_error = r;
	st->last_sample = now;
	pthread_mutex_unlock(&st->lock);
	if (r)
		fprintf(stderr, "greenai-exporter: sample: %s\n",
			strerror(-r));
}

/*
 * Open the backend anew (SIGHUP, or samples failing: the module was
 * reloaded) and go on counting from where the old one stopped.
 */
static void gx_reopen_backend(struct gx_state *st, const struct ga_opts *go)
{
	struct ga_ctx *g;
	char err[512];

	if (ga_open(&g, go, err, sizeof(err))) {
		fprintf(stderr, "greenai-exporter: cannot open the backend again: %s\n",
			err);
		return;
	}
	pthread_mutex_lock(&st->lock);
	ga_wl_rebase(st->wl, g);
	ga_close(st->g);
	st->g = g;
	st->backend = ga_backend_name(g);
	st->reopens++;
	st->last_error = 0;
	pthread_mutex_unlock(&st->lock);
	fprintf(stderr, "greenai-exporter: backend opened again: %s\n",
		st->backend);
}

static void gx_save(struct gx_state *st, const char *path)
{
	int r;

	pthread_mutex_lock(&st->lock);
	r = ga_wl_save(st->wl, path);
	pthread_mutex_unlock(&st->lock);
	if (r)
		fprintf(stderr, "greenai-exporter: cannot save %s: %s\n",
			path, strerror(-r));
}

int main(int argc, char **argv)
{
	struct gx_state st = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct gx_opts o = { 0 };
	struct gx_http_conf hc = { 0 };
	struct ga_wl_conf wc = { 0 };
	struct ga_opts go = { 0 };
	struct ga_ledger *ledger = NULL;
	struct gx_http *http = NULL;
	struct gx_agent *agent = NULL;
	struct gx_vmshare *vmshare = NULL;
	bool no_http;
	char err[512], host[256], lpath[4096];
	char model_from[GA_SETTINGS_FROM_MAX];
	struct gx_intensity gi;
	struct sigaction sa = { .sa_handler = gx_on_signal };
	double next, last_save;
	int r, status = 1, failed = 0;

	r = gx_parse_opts(argc, argv, &o);
	if (r >= 0)
		return r;
	no_http = !strcmp(o.listen, "none");
	if (o.vm_share_dir && gx_vmshare_open(&vmshare, o.vm_share_dir,
					      o.interval_s, err, sizeof(err)))
		return gx_usage("--vm-share-dir: %s", err);
	if (!no_http && gx_parse_listen(o.listen, &hc.addr, &hc.addr_len))
		return gx_usage("--listen: '%s' is not ADDR:PORT", o.listen);
	if (gx_intensity_init(&gi, o.region, o.intensity, o.pue, &wc.pue_milli,
			      err, sizeof(err)) ||
	    ga_settings_model(gi.cfg, &go.model_cpu_idle_mw,
			      &go.model_cpu_max_mw, model_from,
			      sizeof(model_from), err, sizeof(err)) < 0) {
		gx_intensity_free(&gi);
		return gx_usage("%s", err);
	}
	if (ga_settings_idle(gi.cfg, o.idle, o.idle_power, &go.idle, err,
			     sizeof(err))) {
		gx_intensity_free(&gi);
		return gx_usage("%s", err);
	}
	if (go.model_cpu_max_mw)
		go.model_from = model_from;
	go.host_energy_dir = ga_settings_host_energy_dir(gi.cfg);
	if (ga_settings_bpf_runs(gi.cfg, &go.bpf.max_runs, err, sizeof(err))) {
		gx_intensity_free(&gi);
		return gx_usage("%s", err);
	}
	if (o.auth_file && gx_read_auth(o.auth_file, &hc))
		return 2;
	if (o.token_file && gx_read_token(o.token_file, &hc))
		return 2;
	if (o.tls_cert && (!(hc.tls_cert = gx_read_pem(o.tls_cert)) ||
			   !(hc.tls_key = gx_read_pem(o.tls_key))))
		return 2;
	if (!o.node_name) {
		if (gethostname(host, sizeof(host)))
			snprintf(host, sizeof(host), "localhost");
		host[sizeof(host) - 1] = '\0';
		o.node_name = host;
	}
	if (!o.no_ledger) {
		if (!o.ledger && !ga_ledger_default_path(lpath, sizeof(lpath)))
			o.ledger = lpath;
		if (o.ledger && ga_ledger_open(&ledger, o.ledger, err,
					       sizeof(err))) {
			fprintf(stderr, "greenai-exporter: %s\n", err);
			goto out;
		}
	}

	go.backend = o.backend;
	go.sysfs_root = o.root;
	if (ga_open(&st.g, &go, err, sizeof(err))) {
		fprintf(stderr, "greenai-exporter: %s\n", err);
		goto out;
	}
	st.backend = ga_backend_name(st.g);
	st.interval_s = o.interval_s;
	wc.node_name = o.node_name;
	wc.root = o.root;
	wc.runtime_root = o.runtime_root;
	wc.mg_per_kwh = gi.grid.mg_per_kwh;
	wc.intensity_source = gi.grid.source;
	wc.max_series = o.max_series;
	/* in samples, so that it does not depend on scrapes */
	wc.keep_updates = (unsigned int)(o.keep_ended_s / o.interval_s + 0.999);
	if (!wc.keep_updates)
		wc.keep_updates = 1;
	hc.max_per_client = o.max_per_client;
	wc.max_processes = o.max_processes;
	wc.ledger = ledger;
	r = ga_wl_new(&st.wl, st.g, &wc);
	if (r) {
		fprintf(stderr, "greenai-exporter: %s\n", strerror(-r));
		goto out;
	}
	if (ga_wl_load(st.wl, o.state, err, sizeof(err))) {
		fprintf(stderr,
			"greenai-exporter: %s; move it away to start the counters from zero\n",
			err);
		goto out;
	}
	if (!no_http && gx_http_start(&http, &st, &hc, err, sizeof(err))) {
		fprintf(stderr, "greenai-exporter: %s: %s\n", o.listen, err);
		goto out;
	}
	if (o.agent_socket && gx_agent_start(&agent, &st, o.agent_socket,
					     o.root, err, sizeof(err))) {
		fprintf(stderr, "greenai-exporter: --agent-socket %s: %s\n",
			o.agent_socket, err);
		goto out;
	}
	if (!no_http && !hc.user && !hc.token && !gx_loopback(&hc.addr))
		fprintf(stderr,
			"greenai-exporter: warning: %s is not loopback and there is no --auth-token-file or --auth-file: whoever reaches it reads every workload's energy\n",
			o.listen);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (http)
		snprintf(err, sizeof(err), "listening on port %u",
			 gx_http_port(http));
	else
		snprintf(err, sizeof(err), "no HTTP listener");
	fprintf(stderr,
		"greenai-exporter %s: %s backend, %s, every %.3g s, %.3f g/kWh (%s)\n",
		GREENAI_VERSION, st.backend, err, o.interval_s,
		gi.grid.mg_per_kwh / 1000.0, gi.grid.source);
	if (agent)
		fprintf(stderr, "greenai-exporter: agent on %s\n",
			o.agent_socket);
	last_save = ga_mono_s();
	next = last_save;
	while (!gx_stop) {
		double now = ga_mono_s();

		if (now < next) {
			/*
			 * Between samples, the exit ring is drained (a storm
			 * of short processes would overflow it in a 5 s
			 * interval): ga_wait() touches only the exits waiting
			 * to be folded, which a scrape does not read. A
			 * signal cuts it short.
			 */
			ga_wait(st.g, (__u64)(next * 1e9), -1);
			continue;
		}
		if (gx_reopen) {
			gx_reopen = 0;
			gx_reopen_backend(&st, &go);
		}
		gx_sample(&st);
		if (vmshare && !st.last_error)
			gx_vmshare_update(vmshare, &st);
		gx_intensity_tick(&gi, &st);
		failed = st.last_error ? failed + 1 : 0;
		if (failed >= GX_REOPEN_AFTER) {
			gx_reopen_backend(&st, &go);
			failed = 0;
		}
		next += o.interval_s;
		if (next < now)
			next = now + o.interval_s;	/* fell behind */
		if (now - last_save >= o.save_every_s) {
			gx_save(&st, o.state);
			last_save = now;
		}
	}
	status = 0;
out:
	gx_agent_stop(agent);
	gx_http_stop(http);
	gx_vmshare_close(vmshare);
	if (st.wl && status == 0)
		gx_save(&st, o.state);
	ga_wl_free(st.wl);
	ga_close(st.g);
	ga_ledger_close(ledger);
	gx_intensity_free(&gi);
	free(hc.tls_cert);
	free(hc.tls_key);
	free(hc.user);
	free(hc.password);
	free(hc.token);
	return status;
}

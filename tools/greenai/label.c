// SPDX-License-Identifier: GPL-2.0
/*
 * A run's carbon label (label.h): the cgroup's energy per domain once its
 * processes have all been folded, the CO2e of what counts in the total,
 * the Green Score, and its printing.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <greenai/libgreenai.h>

#include "label.h"
#include "sci.h"

static void cli_copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

/* What is known before the command starts. */
void cli_label_begin(struct cli_label *lb, char **argv, const char *model,
		    const char *backend, const struct ga_intensity *in,
		    uint32_t pue_milli)
{
	size_t off = 0;
	int i;

	memset(lb, 0, sizeof(*lb));
	for (i = 0; argv[i] && off < sizeof(lb->command) - 1; i++)
		off += snprintf(lb->command + off, sizeof(lb->command) - off,
				"%s%s", i ? " " : "", argv[i]);
	if (gethostname(lb->host, sizeof(lb->host) - 1))
		cli_copy(lb->host, sizeof(lb->host), "unknown");
	cli_copy(lb->backend, sizeof(lb->backend), backend);
	cli_copy(lb->model, sizeof(lb->model), model);
	cli_copy(lb->region, sizeof(lb->region), in->region);
	lb->run.command = lb->command;
	lb->run.host = lb->host;
	lb->run.backend = lb->backend;
	lb->run.model = model ? lb->model : NULL;
	lb->run.region = in->origin == GA_INT_GIVEN ? NULL : lb->region;
	lb->run.mg_per_kwh = in->mg_per_kwh;
	lb->run.intensity_source = in->source;
	lb->run.pue_milli = pue_milli;
	ga_machine_read(NULL, &lb->machine);
	lb->run.nr_cpus = lb->machine.nr_cpus;
	lb->run.cpu_model = lb->machine.cpu_model[0] ? lb->machine.cpu_model :
						      NULL;
	lb->run.ram_total_kb = lb->machine.ram_total_kb;
	lb->run.on_cloud = lb->machine.on_cloud;
}

/*
 * The metrics file's figures into the run: units, unit and python_version
 * in their own fields, the other metrics (numbers) as they are.
 */
static void cli_label_metrics(struct cli_label *lb)
{
	const struct ga_metric *m;
	unsigned int i, n = 0;

	for (i = 0; i < lb->metrics.nr; i++) {
		m = &lb->metrics.m[i];
		if (!strcmp(m->key, "units")) {
			lb->run.has_units = 1;
			lb->run.units = m->value;
		} else if (!strcmp(m->key, "unit")) {
			lb->run.unit = m->text;
		} else if (!strcmp(m->key, "python_version")) {
			lb->run.python_version = m->text;
		} else if (!m->is_text) {
			lb->run.metrics[n++] =
				(struct ga_kv){ m->key, m->text };
		}
	}
	lb->run.nr_metrics = n;
}

/*
 * Where the run is: its cgroup (@cgroup, from the cgroup2 root) and its
 * container: the one that cgroup is (a workload run), else the one
 * greenai itself runs in, if any (a systemd unit is not one).
 */
void cli_label_where(struct cli_label *lb, const char *cgroup)
{
	char self[4096];
	struct ga_container ct;

	cli_copy(lb->cgroup, sizeof(lb->cgroup), cgroup);
	lb->run.cgroup = lb->cgroup;
	if ((ga_container_parse(cgroup, &ct) || ct.runtime == GA_RT_NONE ||
	     ct.runtime == GA_RT_SYSTEMD) &&
	    (ga_cgroup_of_pid("/", getpid(), self, sizeof(self), NULL) ||
	     ga_container_parse(self, &ct) || ct.runtime == GA_RT_NONE ||
	     ct.runtime == GA_RT_SYSTEMD))
		return;
	cli_copy(lb->ct_runtime, sizeof(lb->ct_runtime),
		ga_runtime_name(ct.runtime));
	cli_copy(lb->ct_id, sizeof(lb->ct_id), ct.id[0] ? ct.id : ct.name);
	lb->run.container_runtime = lb->ct_runtime;
	lb->run.container_id = lb->ct_id;
}

/**
 * cli_label_measure() - a run's figures so far
 * @g: the context (ga_opts.cgroup_paths)
 * @cgpath: the run's cgroup, from the cgroup2 root
 * @base: its figures at the start (zero for a cgroup made for the run)
 * @out: the cgroup with its descendants, less @base
 *
 * Return: whether anything of it was charged.
 */
int cli_label_measure(const struct ga_ctx *g, const char *cgpath,
		     const struct ga_acct_cgroup *base,
		     struct ga_acct_cgroup *out)
{
	unsigned int i, nr = 0;

	memset(out, 0, sizeof(*out));
	if (ga_cgroup_tree(g, cgpath, out, &nr) || !nr)
		return 0;
	/* (the figures never go back: a difference is never negative) */
	out->cpu_ns -= base->cpu_ns;
	out->nr_exited -= base->nr_exited;
	for (i = 0; i < GREENAI_MAX_DOMAINS; i++) {
		out->energy[i].active_uj -= base->energy[i].active_uj;
		out->energy[i].idle_uj -= base->energy[i].idle_uj;
	}
	return 1;
}

/*
 * The energy sources in use, by name: "model, hwmon"; a VM's host's, as
 * "host (measured by the host)" (or estimated, as its domains say).
 */
static void cli_label_sources(struct cli_label *lb, const struct ga_ctx *g)
{
	const struct ga_source_status *src;
	unsigned int i, k, nr = ga_sources(g, &src);
	const char *host = "measured by the host";
	size_t off = 0;

	for (i = 0; i < ga_nr_domains(g); i++)
		if (ga_domain(g, i)->source == GREENAI_SRC_HOST &&
		    ga_domain(g, i)->flags & GREENAI_F_ESTIMATED)
			host = "estimated by the host";
	for (k = 0; k < nr && off < sizeof(lb->sources); k++)
		if (src[k].used)
			off += snprintf(lb->sources + off,
					sizeof(lb->sources) - off, "%s%s%s%s%s",
					off ? ", " : "", src[k].name,
					strcmp(src[k].name, "host") ? "" : " (",
					strcmp(src[k].name, "host") ? "" : host,
					strcmp(src[k].name, "host") ? "" : ")");
}

/*
 * The figures, once the run's processes are folded: the energy per domain
 * of the cgroup with its descendants since @base, CO2e of the domains in
 * the total, accuracy (the flag's, else the metrics file's), the Green
 * Score.
 */
/*
 * The GPUs in the run's total, by model, for the ledger and a model
 * card's hardware_used: each model once, "2 x " before it when there are
 * more ("NVIDIA A100-SXM4-40GB, 2 x NVIDIA L4"), "model not known" where
 * the source names none; what does not fit 255 bytes ends in ", ...".
 */
static void cli_label_gpus(struct cli_label *lb, const struct ga_ctx *g)
{
	const char *names[GA_LEDGER_MAX_DOMAINS];
	unsigned int counts[GA_LEDGER_MAX_DOMAINS], nr = 0, i, j;
	unsigned int n = ga_nr_domains(g);
	size_t off = 0, len;
	char item[96];

	for (i = 0; i < n && i < GA_LEDGER_MAX_DOMAINS; i++) {
		const char *name;

		if (ga_domain(g, i)->kind != GREENAI_DOM_GPU ||
		    !ga_domain_in_total(g, i))
			continue;
		name = ga_domain_device(g, i);
		if (!name[0])
			name = "model not known";
		for (j = 0; j < nr && strcmp(names[j], name); j++)
			;
		if (j == nr) {
			names[nr] = name;
			counts[nr++] = 0;
		}
		counts[j]++;
	}
	lb->gpu_models[0] = '\0';
	for (i = 0; i < nr; i++) {
		if (counts[i] > 1)
			snprintf(item, sizeof(item), "%s%u x %.48s",
				 i ? ", " : "", counts[i], names[i]);
		else
			snprintf(item, sizeof(item), "%s%.48s", i ? ", " : "",
				 names[i]);
		len = strlen(item);
		/* room for this, and for ", ..." after it if more follow */
		if (off + len + (i + 1 < nr ? 5 : 0) >= sizeof(lb->gpu_models)) {
			snprintf(lb->gpu_models + off,
				 sizeof(lb->gpu_models) - off, ", ...");
			break;
		}
		memcpy(lb->gpu_models + off, item, len + 1);
		off += len;
	}
	lb->run.gpu_models = nr ? lb->gpu_models : NULL;
}

void cli_label_finish(struct cli_label *lb, const struct ga_ctx *g,
		     const char *cgpath, const struct ga_acct_cgroup *base,
		     int has_accuracy, double accuracy)
{
	struct ga_acct_cgroup c;
	const struct ga_metric *m;
	unsigned int i, n = ga_nr_domains(g);
	uint64_t co2 = 0;

	cli_label_sources(lb, g);
	ga_idle_summary(g, lb->idle_policy, sizeof(lb->idle_policy));
	lb->run.idle_policy = lb->idle_policy;
	lb->run.weights = ga_weight_name(ga_weights(g));
	lb->found = cli_label_measure(g, cgpath, base, &c);
	lb->cpu_ns = c.cpu_ns;
	lb->run.cpu_ns = c.cpu_ns;
	for (i = 0; i < n && i < GA_LEDGER_MAX_DOMAINS; i++) {
		const struct greenai_domain *d = ga_domain(g, i);
		struct ga_run_energy *e = &lb->run.energy[i];
		uint64_t ug;

		cli_copy(lb->names[i], sizeof(lb->names[i]), d->name);
		e->domain = lb->names[i];
		e->kind = ga_domain_kind_name(d->kind);
		e->active_uj = c.energy[i].active_uj;
		e->idle_uj = c.energy[i].idle_uj;
		e->estimated = !!(d->flags & GREENAI_F_ESTIMATED);
		if (e->estimated) {
			cli_copy(lb->estimates[i], sizeof(lb->estimates[i]),
				 ga_domain_estimate(g, i));
			e->estimated_by = lb->estimates[i];
		}
		if (e->estimated && !lb->estimate[0])
			cli_copy(lb->estimate, sizeof(lb->estimate),
				 ga_domain_estimate(g, i));
		e->in_total = ga_domain_in_total(g, i);
		if (!e->in_total)
			continue;
		lb->total_active_uj += e->active_uj;
		lb->total_idle_uj += e->idle_uj;
		lb->estimated |= e->estimated;
		if (!ga_co2_ug(e->active_uj + e->idle_uj, lb->run.mg_per_kwh,
			       lb->run.pue_milli, &ug))
			co2 += ug;
	}
	lb->run.nr_energy = i;
	cli_label_gpus(lb, g);
	lb->run.co2_ug = co2;
	m = ga_metrics_get(&lb->metrics, "accuracy");
	if (!has_accuracy && m && !ga_accuracy_parse(m->text, &accuracy))
		has_accuracy = 1;
	lb->run.has_accuracy = has_accuracy;
	lb->run.accuracy_pct = accuracy;
	cli_label_metrics(lb);
	lb->has_score = has_accuracy &&
			!ga_green_score(accuracy, co2 / 1e9, &lb->score);
}

/* The run's CO2e, as its intervals add it up, and the Green Score of it. */
void cli_label_set_co2(struct cli_label *lb, uint64_t co2_ug)
{
	lb->run.co2_ug = co2_ug;
	lb->has_score = lb->run.has_accuracy &&
			!ga_green_score(lb->run.accuracy_pct, co2_ug / 1e9,
					&lb->score);
}

static void cli_label_hms(int64_t unix_ns, char *buf, size_t size)
{
	time_t t = unix_ns / 1000000000;
	struct tm tm;

	if (!gmtime_r(&t, &tm))
		snprintf(buf, size, "?");
	else
		strftime(buf, size, "%H:%M:%S", &tm);
}

/* The intervals of a varying intensity, and the pauses. */
static void cli_label_print_time(const struct ga_run *r, FILE *f)
{
	char a[16], b[16];
	unsigned int i;

	if (r->nr_intervals > 1) {
		fprintf(f, "  intervals     %u, each at the intensity then in force (UTC):\n",
			r->nr_intervals);
		for (i = 0; i < r->nr_intervals && i < 20; i++) {
			const struct ga_run_interval *v = &r->intervals[i];

			cli_label_hms(v->start_unix_ns, a, sizeof(a));
			cli_label_hms(v->end_unix_ns, b, sizeof(b));
			fprintf(f, "    %s-%s %8u.%03u g/kWh %12.6f J %12.6f g\n",
				a, b, v->mg_per_kwh / 1000,
				v->mg_per_kwh % 1000, v->energy_uj / 1e6,
				v->co2_ug / 1e6);
		}
		if (i < r->nr_intervals)
			fprintf(f, "    ... %u more in the ledger\n",
				r->nr_intervals - i);
	}
	for (i = 0; i < r->nr_pauses; i++) {
		const struct ga_run_pause *p = &r->pauses[i];

		cli_label_hms(p->start_unix_ns, a, sizeof(a));
		cli_label_hms(p->end_unix_ns, b, sizeof(b));
		fprintf(f, "  %-13s %s-%s at %u.%03u g/kWh, then %u.%03u",
			!strcmp(p->kind, "wait") ? "waited" : "paused", a, b,
			p->mg_during / 1000, p->mg_during % 1000,
			p->mg_after / 1000, p->mg_after % 1000);
		if (p->has_avoided)
			fprintf(f, "; %.6f g CO2e avoided", p->avoided_ug / 1e6);
		fputc('\n', f);
	}
}

void cli_label_print(const struct cli_label *lb, FILE *f, const char *ledger)
{
	__u64 total = lb->total_active_uj + lb->total_idle_uj;
	const struct ga_run *r = &lb->run;
	const char *w;
	unsigned int i;

	fprintf(f, "greenai: run %lld%s%s, exit status %d\n",
		(long long)r->id, r->model ? " of model " : "",
		r->model ? r->model : "", r->exit_code);
	fprintf(f, "  duration      %.3f s\n",
		(lb->end_ns - lb->start_ns) / 1e9);
	fprintf(f, "  cpu time      %.3f s\n", lb->cpu_ns / 1e9);
	fprintf(f, "  backend       %s; energy from %s\n", r->backend,
		lb->sources[0] ? lb->sources : "nothing");
	if (!lb->found)
		fprintf(f, "  energy        none counted: nothing of the run was charged\n");
	fprintf(f, "  energy        %llu.%06llu J = %.9f kWh (active %llu.%06llu J, idle %llu.%06llu J), %s\n",
		(unsigned long long)(total / 1000000),
		(unsigned long long)(total % 1000000), total / (double)GA_UJ_PER_KWH,
		(unsigned long long)(lb->total_active_uj / 1000000),
		(unsigned long long)(lb->total_active_uj % 1000000),
		(unsigned long long)(lb->total_idle_uj / 1000000),
		(unsigned long long)(lb->total_idle_uj % 1000000),
		lb->estimated ? "estimated" : "measured");
	if (lb->estimate[0])
		fprintf(f, "  estimated by  %s\n", lb->estimate);
	for (i = 0; i < r->nr_energy; i++) {
		const struct ga_run_energy *e = &r->energy[i];
		__u64 t = e->active_uj + e->idle_uj;

		fprintf(f, "    %-14s %llu.%06llu J (active %llu.%06llu J)%s%s\n",
			e->domain, (unsigned long long)(t / 1000000),
			(unsigned long long)(t % 1000000),
			(unsigned long long)(e->active_uj / 1000000),
			(unsigned long long)(e->active_uj % 1000000),
			e->estimated ? ", estimated" : "",
			e->in_total ? "" : ", not in the total");
	}
	fprintf(f, "  idle policy   %s\n", r->idle_policy);
	w = r->weights ? r->weights : "time";
	fprintf(f, "  weights       %s (package and core energy split by %s)\n",
		w, !strcmp(w, "time") ? "run time" :
		   !strcmp(w, "cycles") ? "CPU cycles" : "a CPU counter");
	fprintf(f, "  co2e          %llu.%06llu g at %u.%03u g/kWh, PUE %u.%03u\n",
		(unsigned long long)(r->co2_ug / 1000000),
		(unsigned long long)(r->co2_ug % 1000000),
		r->mg_per_kwh / 1000, r->mg_per_kwh % 1000,
		r->pue_milli / 1000, r->pue_milli % 1000);
	if (r->has_units)
		fprintf(f, "  per unit      %.9g J, %.9g g CO2e (%.12g %s)\n",
			total / 1e6 / r->units, r->co2_ug / 1e6 / r->units,
			r->units, cli_unit_name(r));
	fprintf(f, "  intensity     %s%s%s%s\n",
		!r->region ? "given" : r->region,
		!r->region ? ", " : *r->region ? ": " : "", r->intensity_source,
		r->nr_intervals > 1 ? " (at the start; it varied)" : "");
	cli_label_print_time(r, f);
	if (r->has_accuracy)
		fprintf(f, "  accuracy      %g %%\n", r->accuracy_pct);
	if (lb->has_score)
		fprintf(f, "  green score   %.6g (%% accuracy per kg CO2e)\n",
			lb->score);
	if (lb->metrics.bad_lines)
		fprintf(f, "  metrics       %u bad line(s) in $GREENAI_METRICS skipped (%s)\n",
			lb->metrics.bad_lines, lb->metrics.first_error);
	if (ledger)
		fprintf(f, "  ledger        %s\n", ledger);
}

/*
 * The energy so far of the run's cgroup with its descendants, the domains
 * in the total, active and idle: what a run's intervals split between
 * them.
 */
__u64 cli_label_energy_now(const struct ga_ctx *g, const char *cgpath,
			   const struct ga_acct_cgroup *base)
{
	struct ga_acct_cgroup c;
	unsigned int i, n = ga_nr_domains(g);
	__u64 sum = 0;

	if (!cli_label_measure(g, cgpath, base, &c))
		return 0;
	for (i = 0; i < n && i < GA_LEDGER_MAX_DOMAINS; i++)
		if (ga_domain_in_total(g, i))
			sum += c.energy[i].active_uj + c.energy[i].idle_uj;
	return sum;
}

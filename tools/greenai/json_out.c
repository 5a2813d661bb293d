// SPDX-License-Identifier: GPL-2.0
/*
 * The ledger as JSON (json_out.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <greenai/libgreenai.h>

#include "json_out.h"
#include "sci.h"

/* @ns since the epoch as "2026-11-24T01:02:03.456Z". */
static struct json_object *cli_json_time(int64_t ns)
{
	time_t t = ns / 1000000000LL;
	char buf[40], frac[8];
	struct tm tm;

	if (!gmtime_r(&t, &tm))
		return NULL;
	strftime(buf, sizeof(buf) - sizeof(frac), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(frac, sizeof(frac), ".%03dZ",
		 (int)(ns % 1000000000LL / 1000000));
	return json_object_new_string(strcat(buf, frac));
}

static struct json_object *cli_json_kv(const struct ga_kv *kv, unsigned int n,
				      int numeric)
{
	struct json_object *o = json_object_new_object();
	unsigned int i;

	for (i = 0; i < n; i++)
		ga_json_add(o, kv[i].key,
			    numeric ? json_object_new_double(strtod(kv[i].value,
								    NULL)) :
				      json_object_new_string(kv[i].value));
	return o;
}

static struct json_object *cli_json_domains(const struct ga_run *run)
{
	struct json_object *a = json_object_new_array();
	unsigned int i;

	for (i = 0; i < run->nr_energy; i++) {
		const struct ga_run_energy *e = &run->energy[i];
		struct json_object *d = json_object_new_object();

		ga_json_add(d, "domain", json_object_new_string(e->domain));
		ga_json_add(d, "kind", json_object_new_string(e->kind));
		ga_json_add(d, "active_uj", json_object_new_int64(e->active_uj));
		ga_json_add(d, "idle_uj", json_object_new_int64(e->idle_uj));
		ga_json_add(d, "estimated",
			    json_object_new_boolean(e->estimated));
		ga_json_add(d, "estimated_by", ga_json_str(e->estimated_by));
		ga_json_add(d, "in_total", json_object_new_boolean(e->in_total));
		json_object_array_add(a, d);
	}
	return a;
}

/**
 * cli_run_json() - one run of the ledger
 * @run: the run
 *
 * Energy, CO2e, end and duration are null but for a completed run.
 *
 * Return: a new object (json_object_put() it), NULL without memory.
 */
/* The intervals of a run, each at the intensity then in force. */
static struct json_object *cli_json_intervals(const struct ga_run *run)
{
	struct json_object *a = json_object_new_array();
	unsigned int i;

	for (i = 0; a && i < run->nr_intervals; i++) {
		const struct ga_run_interval *v = &run->intervals[i];
		struct json_object *o = json_object_new_object();

		ga_json_add(o, "start", cli_json_time(v->start_unix_ns));
		ga_json_add(o, "end", cli_json_time(v->end_unix_ns));
		ga_json_add(o, "g_per_kwh",
			    json_object_new_double(v->mg_per_kwh / 1000.0));
		ga_json_add(o, "source", ga_json_str(v->source));
		ga_json_add(o, "energy_uj", json_object_new_int64(v->energy_uj));
		ga_json_add(o, "co2_ug", json_object_new_int64(v->co2_ug));
		json_object_array_add(a, o);
	}
	return a;
}

/* The waits and freezes of a carbon-aware run. */
static struct json_object *cli_json_pauses(const struct ga_run *run)
{
	struct json_object *a = json_object_new_array();
	unsigned int i;

	for (i = 0; a && i < run->nr_pauses; i++) {
		const struct ga_run_pause *p = &run->pauses[i];
		struct json_object *o = json_object_new_object();

		ga_json_add(o, "kind", ga_json_str(p->kind));
		ga_json_add(o, "start", cli_json_time(p->start_unix_ns));
		ga_json_add(o, "end", cli_json_time(p->end_unix_ns));
		ga_json_add(o, "g_per_kwh_during",
			    json_object_new_double(p->mg_during / 1000.0));
		ga_json_add(o, "g_per_kwh_after",
			    json_object_new_double(p->mg_after / 1000.0));
		ga_json_add(o, "power_w",
			    json_object_new_double(p->power_uw / 1e6));
		ga_json_add(o, "avoided_co2_ug",
			    p->has_avoided ?
				    json_object_new_int64(p->avoided_ug) :
				    NULL);
		json_object_array_add(a, o);
	}
	return a;
}

/* The machine the run ran on, as far as the ledger knows it. */
static struct json_object *cli_json_machine(const struct ga_run *run)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	ga_json_add(o, "cpu_model", ga_json_str(run->cpu_model));
	ga_json_add(o, "cpus", run->nr_cpus ? json_object_new_int(run->nr_cpus) :
					      NULL);
	ga_json_add(o, "ram_total_kb",
		    run->ram_total_kb ?
			    json_object_new_int64(run->ram_total_kb) : NULL);
	ga_json_add(o, "on_cloud",
		    run->on_cloud == GA_CLOUD_UNKNOWN ?
			    NULL :
			    json_object_new_boolean(run->on_cloud ==
						    GA_CLOUD_YES));
	ga_json_add(o, "gpu_models", ga_json_str(run->gpu_models));
	return o;
}

struct json_object *cli_run_json(const struct ga_run *run)
{
	struct json_object *o = json_object_new_object();
	struct json_object *in = json_object_new_object();
	int done = run->status == GA_RUN_DONE;
	uint64_t uj = cli_run_total_uj(run);
	double score;

	if (!o || !in) {
		json_object_put(o);
		json_object_put(in);
		return NULL;
	}
	ga_json_add(o, "id", json_object_new_int64(run->id));
	ga_json_add(o, "model", ga_json_str(run->model));
	ga_json_add(o, "status",
		    json_object_new_string(ga_run_status_name(run->status)));
	ga_json_add(o, "command", ga_json_str(run->command));
	ga_json_add(o, "host", ga_json_str(run->host));
	ga_json_add(o, "backend", ga_json_str(run->backend));
	ga_json_add(o, "cgroup", ga_json_str(run->cgroup));
	ga_json_add(o, "container_runtime", ga_json_str(run->container_runtime));
	ga_json_add(o, "container_id", ga_json_str(run->container_id));
	ga_json_add(o, "start", cli_json_time(run->start_unix_ns));
	ga_json_add(o, "end", done ? cli_json_time(run->end_unix_ns) : NULL);
	ga_json_add(o, "duration_s",
		    done ? json_object_new_double((run->end_unix_ns -
						   run->start_unix_ns) / 1e9) :
			   NULL);
	ga_json_add(o, "exit_code",
		    done ? json_object_new_int(run->exit_code) : NULL);
	ga_json_add(o, "energy_uj", done ? json_object_new_int64(uj) : NULL);
	ga_json_add(o, "energy_kwh",
		    done ? json_object_new_double(uj / (double)GA_UJ_PER_KWH) : NULL);
	ga_json_add(o, "domains", cli_json_domains(run));
	ga_json_add(o, "co2_ug", done ? json_object_new_int64(run->co2_ug) :
					NULL);
	ga_json_add(o, "co2_kg", done ? json_object_new_double(run->co2_ug /
							       1e9) :
					NULL);
	ga_json_add(in, "g_per_kwh",
		    json_object_new_double(run->mg_per_kwh / 1000.0));
	ga_json_add(in, "region", ga_json_str(run->region));
	ga_json_add(in, "source", ga_json_str(run->intensity_source));
	ga_json_add(o, "intensity", in);
	ga_json_add(o, "pue", json_object_new_double(run->pue_milli / 1000.0));
	ga_json_add(o, "idle_policy", ga_json_str(run->idle_policy));
	ga_json_add(o, "weights", ga_json_str(run->weights));
	ga_json_add(o, "accuracy_pct",
		    run->has_accuracy ?
			    json_object_new_double(run->accuracy_pct) : NULL);
	ga_json_add(o, "green_score",
		    done && run->has_accuracy &&
				    !ga_green_score(run->accuracy_pct,
						    run->co2_ug / 1e9, &score) ?
			    json_object_new_double(score) : NULL);
	ga_json_add(o, "units",
		    run->has_units ? json_object_new_double(run->units) : NULL);
	ga_json_add(o, "unit",
		    run->has_units ?
			    json_object_new_string(cli_unit_name(run)) :
			    NULL);
	ga_json_add(o, "energy_kwh_per_unit",
		    done && run->has_units ?
			    json_object_new_double(uj / (double)GA_UJ_PER_KWH /
						   run->units) :
			    NULL);
	ga_json_add(o, "co2_kg_per_unit",
		    done && run->has_units ?
			    json_object_new_double(run->co2_ug / 1e9 /
						   run->units) :
			    NULL);
	ga_json_add(o, "cpu_s",
		    done && run->nr_cpus ?
			    json_object_new_double(run->cpu_ns / 1e9) :
			    NULL);
	ga_json_add(o, "machine", cli_json_machine(run));
	ga_json_add(o, "python_version", ga_json_str(run->python_version));
	ga_json_add(o, "tags", cli_json_kv(run->tags, run->nr_tags, 0));
	ga_json_add(o, "metrics", cli_json_kv(run->metrics, run->nr_metrics, 1));
	ga_json_add(o, "intervals", cli_json_intervals(run));
	ga_json_add(o, "pauses", cli_json_pauses(run));
	return o;
}

/**
 * cli_sum_json() - a model's (or a container's) sums
 * @m: the sums
 * @by: what they are sums of
 *
 * Return: a new object, NULL without memory.
 */
struct json_object *cli_sum_json(const struct cli_model_sum *m,
				enum cli_group_by by)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	ga_json_add(o, by == CLI_BY_MODEL ? "model" : "container",
		    m->name[0] ? json_object_new_string(m->name) : NULL);
	ga_json_add(o, "runs", json_object_new_int(m->runs));
	ga_json_add(o, "incomplete", json_object_new_int(m->incomplete));
	ga_json_add(o, "energy_uj", json_object_new_int64(m->energy_uj));
	ga_json_add(o, "energy_kwh",
		    json_object_new_double(m->energy_uj / (double)GA_UJ_PER_KWH));
	ga_json_add(o, "co2_ug", json_object_new_int64(m->co2_ug));
	ga_json_add(o, "co2_kg", json_object_new_double(m->co2_ug / 1e9));
	if (by == CLI_BY_MODEL) {
		ga_json_add(o, "accuracy_pct",
			    m->has_accuracy ?
				    json_object_new_double(m->accuracy_pct) :
				    NULL);
		ga_json_add(o, "green_score",
			    m->has_score ? json_object_new_double(m->score) :
					   NULL);
	}
	return o;
}

/* Print @o, indented, with a newline; drop it. Return: 0 or -ENOMEM. */
int cli_json_print(struct json_object *o, FILE *f)
{
	const char *s;

	if (!o)
		return -ENOMEM;
	json_c_set_serialization_double_format("%.12g", JSON_C_OPTION_GLOBAL);
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
					       JSON_C_TO_STRING_SPACED |
					       JSON_C_TO_STRING_NOSLASHESCAPE);
	if (s)
		fprintf(f, "%s\n", s);
	json_object_put(o);
	return s ? 0 : -ENOMEM;
}

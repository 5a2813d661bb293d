// SPDX-License-Identifier: GPL-2.0
/*
 * gtop -b: each refresh as plain text, like top -b (a header, the
 * domains, the table), or as one JSON object per line (--json) with
 * exact integers beside the rounded figures.
 */
#include <errno.h>
#include <string.h>
#include <json-c/json.h>
#include <time.h>

#include "gtop.h"

static void gt_batch_header(FILE *f, const struct gt_state *s)
{
	char when[16], idle[512];
	time_t now = time(NULL);
	struct tm tm;
	unsigned int i;

	localtime_r(&now, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	fprintf(f, "gtop - %s up %.1f s, backend %s, %u processes, %u exited\n",
		when, s->uptime_s, ga_backend_name(s->g), s->nr_live,
		s->nr_exited);
	if (!ga_domain_totals_shown(s->g)) {
		/* through the agent: the machine's energy is root's */
		fprintf(f, "power: the machine's is root's only; your processes below, at %u.%03u g/kWh (%s)\n",
			s->grid.mg_per_kwh / 1000, s->grid.mg_per_kwh % 1000,
			gt_grid_label(s));
	} else {
		fprintf(f, "power %.3f W, energy %.6f J, CO2e %.3f g/h at %u.%03u g/kWh (%s)\n",
			s->power_w, s->energy_uj / 1e6,
			gt_co2_g_per_h(s),
			s->grid.mg_per_kwh / 1000, s->grid.mg_per_kwh % 1000,
			gt_grid_label(s));
	}
	ga_idle_summary(s->g, idle, sizeof(idle));
	fprintf(f, "idle policy %s\n", idle);
	for (i = 0; i < s->nr_domains && !ga_domain_totals_shown(s->g); i++)
		fprintf(f, "  %-16s %s%s%s%s\n", s->dom[i].name,
			s->dom[i].provenance,
			s->dom[i].estimate[0] ? " (" : "", s->dom[i].estimate,
			s->dom[i].estimate[0] ? ")" : "");
	for (i = 0; i < s->nr_domains && ga_domain_totals_shown(s->g); i++)
		fprintf(f, "  %-16s %10.3f W %16.6f J  %s%s%s%s%s\n",
			s->dom[i].name, s->dom[i].power_w,
			s->dom[i].energy_uj / 1e6, s->dom[i].provenance,
			s->dom[i].estimate[0] ? " (" : "", s->dom[i].estimate,
			s->dom[i].estimate[0] ? ")" : "",
			s->dom[i].in_total ? "" : ", not in the total");
}

/* @src for a terminal: printable ASCII, every other byte as \ooo; "-" for "" */
static void gt_batch_escape(char *dst, size_t size, const char *src)
{
	if (!*src)
		snprintf(dst, size, "-");
	else
		ga_escape(dst, size, src, strlen(src));
}

/**
 * gt_batch_text() - one refresh as text
 * @f: where to
 * @s: the state
 * @rows: the rows, sorted
 * @view: their view
 * @max_rows: the most to print, 0 for all
 */
void gt_batch_text(FILE *f, const struct gt_state *s,
		   const struct gt_rows *rows, enum gt_view view,
		   unsigned int max_rows)
{
	unsigned int i;

	gt_batch_header(f, s);
	if (view == GT_VIEW_CGROUP)
		fprintf(f, "each cgroup with its descendants, as cpu.stat counts it\n");
	fprintf(f, "\n%7s %9s %9s %14s %12s %6s %7s %-16s %-12s %-20s %s\n",
		view == GT_VIEW_PROC ? "PID" : "PROCS", "POWER_W", "W+IDLE",
		"ENERGY_J", "CO2_G", "CPU%", "GPU_W", "MODEL", "FRAMEWORK",
		"CONTAINER", view == GT_VIEW_PROC ? "COMMAND" :
			     view == GT_VIEW_CGROUP ? "CGROUP" :
			     view == GT_VIEW_CONTAINER ? "CONTAINER" :
			     view == GT_VIEW_VM ? "VM" : "MODEL");
	for (i = 0; i < rows->nr && (!max_rows || i < max_rows); i++) {
		const struct gt_row *r = &rows->r[i];
		char model[1024], ct[1024], name[4 * 4096];

		/*
		 * Names anyone can choose (a model label, a cgroup's or a
		 * container's name) reach the terminal escaped; a process's
		 * command line and name come escaped already.
		 */
		gt_batch_escape(model, sizeof(model), r->model);
		gt_batch_escape(ct, sizeof(ct), r->container);
		if (r->pid)
			snprintf(name, sizeof(name), "%s", r->name);
		else
			gt_batch_escape(name, sizeof(name), r->name);
		fprintf(f, "%7u %9.3f %9.3f %14.6f %12.6f %6.1f %7.3f %-16s %-12s %-20s %s%s%s\n",
			r->depth || view == GT_VIEW_PROC ? r->pid : r->nr_procs,
			r->power_w, r->power_idle_w, r->energy_uj / 1e6,
			r->co2_ug / 1e6, r->cpu_pct, r->gpu_w, model,
			r->framework[0] ? r->framework : "-", ct,
			r->depth ? "  `- " : "", name,
			r->exited ? " <exited>" : "");
	}
	fputc('\n', f);
	fflush(f);
}

/**
 * gt_batch_json() - one refresh as a JSON object on one line
 * @f: where to
 * @s: the state
 * @rows: the rows, sorted
 * @view: their view
 *
 * Return: 0 or -ENOMEM.
 */
int gt_batch_json(FILE *f, const struct gt_state *s,
		  const struct gt_rows *rows, enum gt_view view)
{
	struct json_object *o = json_object_new_object();
	struct json_object *doms = json_object_new_array();
	struct json_object *arr = json_object_new_array();
	bool shown = ga_domain_totals_shown(s->g);
	const char *text;
	char idle[512];
	unsigned int i;

	if (!o || !doms || !arr) {
		json_object_put(o);
		json_object_put(doms);
		json_object_put(arr);
		return -ENOMEM;
	}
	json_c_set_serialization_double_format("%.9g", JSON_C_OPTION_GLOBAL);
	ga_json_add(o, "time", json_object_new_int64(time(NULL)));
	ga_json_add(o, "uptime_s", json_object_new_double(s->uptime_s));
	ga_json_add(o, "interval_s", json_object_new_double(s->interval_s));
	ga_json_add(o, "backend", json_object_new_string(ga_backend_name(s->g)));
	ga_json_add(o, "view", json_object_new_string(gt_view_name(view)));
	/* null through the agent: the machine's energy is root's */
	ga_json_add(o, "power_w", shown ? json_object_new_double(s->power_w) :
					  NULL);
	ga_json_add(o, "energy_uj",
		    shown ? json_object_new_int64(s->energy_uj) : NULL);
	ga_json_add(o, "intensity_g_per_kwh",
		    json_object_new_double(s->grid.mg_per_kwh / 1000.0));
	ga_idle_summary(s->g, idle, sizeof(idle));
	ga_json_add(o, "idle_policy", json_object_new_string(idle));
	for (i = 0; i < s->nr_domains; i++) {
		struct json_object *d = json_object_new_object();

		ga_json_add(d, "name", json_object_new_string(s->dom[i].name));
		ga_json_add(d, "power_w",
			    shown ? json_object_new_double(s->dom[i].power_w) :
				    NULL);
		ga_json_add(d, "energy_uj",
			    shown ? json_object_new_int64(s->dom[i].energy_uj) :
				    NULL);
		ga_json_add(d, "estimated",
			    json_object_new_boolean(s->dom[i].estimated));
		ga_json_add(d, "estimate",
			    json_object_new_string(s->dom[i].estimate));
		ga_json_add(d, "provenance",
			    json_object_new_string(s->dom[i].provenance));
		ga_json_add(d, "in_total",
			    json_object_new_boolean(s->dom[i].in_total));
		json_object_array_add(doms, d);
	}
	ga_json_add(o, "domains", doms);
	for (i = 0; i < rows->nr; i++) {
		const struct gt_row *r = &rows->r[i];
		struct json_object *j = json_object_new_object();

		ga_json_add(j, "key", json_object_new_string(r->key));
		if (view == GT_VIEW_PROC || r->depth)
			ga_json_add(j, "pid", json_object_new_int64(r->pid));
		else
			ga_json_add(j, "processes",
				    json_object_new_int(r->nr_procs));
		if (r->depth)
			ga_json_add(j, "depth", json_object_new_int(r->depth));
		ga_json_add(j, "exited", json_object_new_boolean(r->exited));
		ga_json_add(j, "power_w", json_object_new_double(r->power_w));
		ga_json_add(j, "power_idle_w",
			    json_object_new_double(r->power_idle_w));
		ga_json_add(j, "energy_uj", json_object_new_int64(r->energy_uj));
		if (r->has_own) {
			ga_json_add(j, "own_energy_uj",
				    json_object_new_int64(r->own_energy_uj));
			ga_json_add(j, "own_power_w",
				    json_object_new_double(r->own_power_w));
		}
		ga_json_add(j, "co2_ug", json_object_new_int64(r->co2_ug));
		ga_json_add(j, "cpu_pct", json_object_new_double(r->cpu_pct));
		ga_json_add(j, "gpu_w", json_object_new_double(r->gpu_w));
		ga_json_add(j, "model", ga_json_str(r->model));
		ga_json_add(j, "framework", ga_json_str(r->framework));
		ga_json_add(j, "container", ga_json_str(r->container));
		ga_json_add(j, "name", json_object_new_string(r->name));
		json_object_array_add(arr, j);
	}
	ga_json_add(o, "rows", arr);
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
	if (text)
		fprintf(f, "%s\n", text);
	fflush(f);
	json_object_put(o);
	return text ? 0 : -ENOMEM;
}

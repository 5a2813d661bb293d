// SPDX-License-Identifier: GPL-2.0
/*
 * greenai intensity: the grid carbon intensity a run would use, and why.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include <greenai/libgreenai.h>

#include "cli.h"
#include "run_carbon.h"
#include "svg.h"

static const char cli_intensity_help[] =
	"usage: greenai intensity [--region CC] [--intensity G]\n"
	"       greenai intensity (--forecast | --history) [--region Z]\n"
	"                         [--format table|csv|json|svg]\n"
	"\n"
	"Print the grid carbon intensity (g CO2e/kWh) greenai uses for a run,\n"
	"where it comes from and why. In order:\n"
	"  --intensity G   this figure (up to 3 decimals), as the user says;\n"
	"  --region CC     the embedded yearly average of that country or region:\n"
	"                  an ISO 3166-1 code (FR, FRA) or an aggregate (EU,\n"
	"                  G20, WORLD);\n"
	"  GREENAI_REGION  in the environment, the same;\n"
	"  config          intensity, else region, in greenai.conf: the file\n"
	"                  $GREENAI_CONFIG, else /etc/greenai/greenai.conf and\n"
	"                  ~/.config/greenai/greenai.conf (the user's wins);\n"
	"                  lines 'key = value', keys region, intensity, pue\n"
	"                  and ledger, '#' comments; a bad file is refused;\n"
	"  otherwise       the world average, and it says so.\n"
	"An unknown region is an error, not the world average. The table is\n"
	"Ember's data via the @tgwf/co2 npm package (CC BY-SA 4.0); greenai\n"
	"never looks the region up from the network.\n"
	"\n"
	"Live intensity. When greenai.conf sets up a provider other than the\n"
	"table, the figure now comes from the first of them that answers, and\n"
	"the output says which one, and why each before it failed:\n"
	"  intensity_providers = electricitymaps, carbonaware, file, static\n"
	"                   the order (default: those set up below, then static)\n"
	"  electricitymaps_token, electricitymaps_url, electricitymaps_zone\n"
	"                   the Electricity Maps API v3 (the token may come from\n"
	"                   ELECTRICITYMAPS_TOKEN instead; never from a flag)\n"
	"  carbonaware_url, carbonaware_location\n"
	"                   a Carbon Aware SDK WebAPI\n"
	"  intensity_file   a forecast or history: CSV lines 'time,g/kWh' (and\n"
	"                   an optional duration) or JSON [{\"timestamp\": ...,\n"
	"                   \"intensity\": ...}], times in RFC 3339 with a zone\n"
	"                   or Unix seconds\n"
	"  http_timeout     seconds for an answer (default 10)\n"
	"  intensity_cache  seconds an answer is kept on disk, in\n"
	"                   $GREENAI_CACHE_DIR, /var/cache/greenai (root) or\n"
	"                   ~/.cache/greenai (default 300; 0: none)\n"
	"  intensity_refresh  seconds between asking again during a run (300)\n"
	"and, for the power model where no sensor is (both or neither):\n"
	"  model_idle_w, model_max_w\n"
	"                   watts of one CPU at rest and at full load (default:\n"
	"                   Cloud Carbon Footprint's for the CPU's family)\n"
	"and, for the machine runs record:\n"
	"  on_cloud         yes, no or auto: a cloud provider's machine or not\n"
	"                   (default auto: what its DMI strings say)\n"
	"The region is passed to the providers as it is given (a zone such as\n"
	"DE or US-CAL-CISO, a location such as westeurope).\n"
	"\n"
	"  --forecast       print the forecast from now, point by point\n"
	"  --history        print the history, point by point\n"
	"  --format F       for those: table (default), csv, json, or svg (a\n"
	"                   step plot)\n"
	"\n"
	"Exit status: 0; 1 when no provider answered; 2 for bad usage or input.\n";

enum series_format { SF_TABLE, SF_CSV, SF_JSON, SF_SVG };

static void series_print(const struct ga_live_result *res, enum ga_want want,
			 enum series_format fmt, int64_t now)
{
	const struct ga_iseries *s = &res->series;
	json_object *o, *pts;
	char when[32];
	int64_t from, to;
	size_t i;

	switch (fmt) {
	case SF_TABLE:
		printf("%-21s %14s %10s\n", "TIME (UTC)", "G CO2E/KWH",
		       "MINUTES");
		for (i = 0; i < s->n; i++) {
			ga_time_format(s->p[i].t_ms, when, sizeof(when));
			if (s->p[i].dur_ms == GA_SERIES_FOREVER)
				printf("%-21s %10u.%03u %10s\n", when,
				       s->p[i].mg_per_kwh / 1000,
				       s->p[i].mg_per_kwh % 1000, "-");
			else
				printf("%-21s %10u.%03u %10.1f\n", when,
				       s->p[i].mg_per_kwh / 1000,
				       s->p[i].mg_per_kwh % 1000,
				       s->p[i].dur_ms / 60000.0);
		}
		printf("provider: %s%s; %s\n", ga_provider_name(res->used),
		       res->cached ? " (cached)" : "", s->source);
		break;
	case SF_CSV:
		printf("timestamp,g_per_kwh,duration_s\n");
		for (i = 0; i < s->n; i++) {
			ga_time_format(s->p[i].t_ms, when, sizeof(when));
			printf("%s,%u.%03u,", when, s->p[i].mg_per_kwh / 1000,
			       s->p[i].mg_per_kwh % 1000);
			if (s->p[i].dur_ms != GA_SERIES_FOREVER)
				printf("%lld", (long long)(s->p[i].dur_ms / 1000));
			putchar('\n');
		}
		break;
	case SF_JSON:
		o = json_object_new_object();
		pts = json_object_new_array();
		json_object_object_add(o, "provider", json_object_new_string(
				ga_provider_name(res->used)));
		json_object_object_add(o, "source",
				       json_object_new_string(s->source));
		json_object_object_add(o, "cached",
				       json_object_new_boolean(res->cached));
		for (i = 0; i < s->n; i++) {
			json_object *pt = json_object_new_object();

			ga_time_format(s->p[i].t_ms, when, sizeof(when));
			json_object_object_add(pt, "time",
					       json_object_new_string(when));
			json_object_object_add(pt, "g_per_kwh",
					       json_object_new_double(
						       s->p[i].mg_per_kwh / 1000.0));
			json_object_object_add(pt, "duration_s",
					       s->p[i].dur_ms == GA_SERIES_FOREVER ?
						       NULL :
						       json_object_new_int64(
							       s->p[i].dur_ms / 1000));
			json_object_array_add(pts, pt);
		}
		json_object_object_add(o, "points", pts);
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
		break;
	case SF_SVG:
		from = s->p[0].t_ms == INT64_MIN ? now : s->p[0].t_ms;
		to = ga_series_end(s);
		if (to == INT64_MAX)
			to = (s->p[s->n - 1].t_ms > from ?
				      s->p[s->n - 1].t_ms : from) +
			     24 * 3600 * 1000LL;
		snprintf(when, sizeof(when), "%s", want == GA_WANT_HISTORY ?
						       "history" : "forecast");
		{
			char title[GA_SERIES_NAME_MAX + 64];

			snprintf(title, sizeof(title),
				 "Grid carbon intensity, %s: %.150s", when,
				 s->source);
			cli_svg_series(stdout, title, s, from, to);
		}
		break;
	}
}

static int intensity_series(enum ga_want want, const char *region,
			    enum series_format fmt)
{
	struct ga_live_result res;
	struct ga_live_conf conf;
	int64_t now = ga_unix_ms();
	int r, live;

	r = cli_live(&cli_cmd_intensity, region, &conf, &live);
	if (r)
		return r;
	r = ga_live_get(&conf, want, now, &res);
	ga_live_print_failures(stderr, "greenai intensity", &res);
	if (r) {
		fprintf(stderr, "greenai intensity: no %s from any provider\n",
			want == GA_WANT_HISTORY ? "history" : "forecast");
		return CLI_EXIT_FAIL;
	}
	series_print(&res, want, fmt, now);
	ga_live_result_free(&res);
	return 0;
}

/* The figure now, from the providers of greenai.conf. */
static int intensity_live(const struct ga_live_conf *conf)
{
	struct ga_live_result res;
	int64_t now = ga_unix_ms();
	uint32_t mg;
	int r;

	r = ga_live_get(conf, GA_WANT_LATEST, now, &res);
	ga_live_print_failures(stderr, "greenai intensity", &res);
	if (r) {
		fprintf(stderr, "greenai intensity: no intensity from any provider\n");
		return CLI_EXIT_FAIL;
	}
	ga_series_at(&res.series, now, &mg);
	printf("intensity: %u.%03u g CO2e/kWh\n", mg / 1000, mg % 1000);
	if (conf->region)
		printf("region:    %s\n", conf->region);
	printf("provider:  %s%s\n", ga_provider_name(res.used),
	       res.cached ? " (cached)" : "");
	printf("source:    %s\n", res.series.source);
	ga_live_result_free(&res);
	return 0;
}

static int cli_intensity_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "region", required_argument, NULL, 'r' },
		{ "intensity", required_argument, NULL, 'i' },
		{ "forecast", no_argument, NULL, 'F' },
		{ "history", no_argument, NULL, 'H' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const formats[] = { "table", "csv", "json", "svg" };
	const char *region = NULL, *given = NULL, *why, *format = NULL;
	enum series_format fmt = SF_TABLE;
	int c, want = -1, live;
	struct ga_live_conf conf;
	struct ga_intensity in;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			region = optarg;
			break;
		case 'i':
			given = optarg;
			break;
		case 'F':
		case 'H':
			if (want >= 0)
				return cli_usage(&cli_cmd_intensity,
						    "--forecast or --history, not both");
			want = c == 'F' ? GA_WANT_FORECAST : GA_WANT_HISTORY;
			break;
		case 'f':
			format = optarg;
			for (fmt = 0; fmt < 4 && strcmp(optarg, formats[fmt]);)
				fmt++;
			if (fmt == 4)
				return cli_usage(&cli_cmd_intensity,
						    "--format '%s': not table, csv, json or svg",
						    optarg);
			break;
		case 'h':
			return cli_help(&cli_cmd_intensity);
		default:
			return cli_bad_option(&cli_cmd_intensity, argv);
		}
	}
	if (optind < argc)
		return cli_usage(&cli_cmd_intensity, "unexpected '%s'",
				    argv[optind]);
	if (format && want < 0)
		return cli_usage(&cli_cmd_intensity,
				    "--format is for --forecast and --history");
	if (want >= 0 && given)
		return cli_usage(&cli_cmd_intensity,
				    "--intensity is one figure: no forecast or history");
	if (want >= 0)
		return intensity_series(want, region, fmt);
	if (!given) {
		c = cli_live(&cli_cmd_intensity, region, &conf, &live);
		if (c)
			return c;
		if (live)
			return intensity_live(&conf);
	}
	c = cli_intensity(&cli_cmd_intensity, given, region, &in, &why);
	if (c)
		return c;
	printf("intensity: %u.%03u g CO2e/kWh\n", in.mg_per_kwh / 1000,
	       in.mg_per_kwh % 1000);
	if (in.origin != GA_INT_GIVEN)
		printf("region:    %s\n", in.region);
	if (in.origin == GA_INT_REGION)
		printf("why:       the region's yearly average; region from %s\n",
		       why);
	else if (in.origin == GA_INT_GIVEN)
		printf("why:       given with %s\n", why);
	else
		printf("why:       %s\n", why);
	printf("source:    %s\n", in.source);
	return 0;
}

const struct cli_cmd cli_cmd_intensity = {
	.name = "intensity",
	.summary = "the grid carbon intensity a run uses, and why",
	.help = cli_intensity_help,
	.run = cli_intensity_run,
};

// SPDX-License-Identifier: GPL-2.0
/*
 * greenai intensity: the grid carbon intensity a run would use, and why.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "greenai.h"
#include "intensity.h"

static const char ga_intensity_help[] =
	"usage: greenai intensity [--region CC] [--intensity G]\n"
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
	"Exit status: 0, or 2 for bad usage or input.\n";

static int ga_intensity_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "region", required_argument, NULL, 'r' },
		{ "intensity", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *region = NULL, *given = NULL, *why;
	struct ga_intensity in;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			region = optarg;
			break;
		case 'i':
			given = optarg;
			break;
		case 'h':
			return ga_cli_help(&ga_cmd_intensity);
		default:
			return ga_cli_bad_option(&ga_cmd_intensity, argv);
		}
	}
	if (optind < argc)
		return ga_cli_usage(&ga_cmd_intensity, "unexpected '%s'",
				    argv[optind]);
	c = ga_cli_intensity(&ga_cmd_intensity, given, region, &in, &why);
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

const struct ga_cmd ga_cmd_intensity = {
	.name = "intensity",
	.summary = "the grid carbon intensity a run uses, and why",
	.help = ga_intensity_help,
	.run = ga_intensity_run,
};

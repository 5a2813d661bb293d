// SPDX-License-Identifier: GPL-2.0
/*
 * greenai score: the Green Score of an accuracy and a CO2e.
 */
#include <getopt.h>
#include <stdio.h>

#include "carbon.h"
#include "greenai.h"

static const char ga_score_help[] =
	"usage: greenai score --accuracy A --co2-kg C\n"
	"\n"
	"Print the Green Score: accuracy (%) per kilogram of CO2e, A / C, as\n"
	"the source paper defines it (BERT, 90 % for 550 kg: 0.164).\n"
	"  --accuracy A   the model's accuracy in percent, 0 to 100\n"
	"  --co2-kg C     the CO2e its training (or run) emitted, in kg, > 0\n"
	"\n"
	"Exit status: 0, or 2 for bad usage or input.\n";

static int ga_score_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "accuracy", required_argument, NULL, 'a' },
		{ "co2-kg", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *acc = NULL, *co2 = NULL;
	double a, kg, score;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			acc = optarg;
			break;
		case 'c':
			co2 = optarg;
			break;
		case 'h':
			return ga_cli_help(&ga_cmd_score);
		default:
			return ga_cli_bad_option(&ga_cmd_score, argv);
		}
	}
	if (optind < argc)
		return ga_cli_usage(&ga_cmd_score, "unexpected '%s'",
				    argv[optind]);
	if (!acc || !co2)
		return ga_cli_usage(&ga_cmd_score,
				    "both --accuracy and --co2-kg are needed");
	if (ga_accuracy_parse(acc, &a))
		return ga_cli_usage(&ga_cmd_score,
				    "--accuracy '%s': not a percentage, 0 to 100",
				    acc);
	if (ga_co2_kg_parse(co2, &kg) || ga_green_score(a, kg, &score))
		return ga_cli_usage(&ga_cmd_score,
				    "--co2-kg '%s': not a mass in kg above 0",
				    co2);
	printf("green score: %.6g (%% accuracy per kg CO2e)\n", score);
	return 0;
}

const struct ga_cmd ga_cmd_score = {
	.name = "score",
	.summary = "the Green Score of an accuracy and a CO2e",
	.help = ga_score_help,
	.run = ga_score_run,
};

// SPDX-License-Identifier: GPL-2.0
/*
 * greenai: energy, CO2e and Green Score of ML runs. Dispatches to the
 * subcommands (cli.h); `greenai --help` lists them, `greenai help
 * CMD` and `greenai CMD --help` explain one.
 */
#include <stdio.h>
#include <string.h>

#include <greenai/libgreenai.h>

#include "cli.h"

static const struct cli_cmd *const cli_cmds[] = {
	&cli_cmd_run,
	&cli_cmd_stat,
	&cli_cmd_report,
	&cli_cmd_compare,
	&cli_cmd_export,
	&cli_cmd_intensity,
	&cli_cmd_schedule,
	&cli_cmd_score,
	&cli_cmd_calibrate,
};

#define CLI_NR_CMDS (sizeof(cli_cmds) / sizeof(cli_cmds[0]))

static void cli_main_help(FILE *f)
{
	unsigned int i;

	fprintf(f,
		"usage: greenai COMMAND [OPTIONS] [ARGS]\n"
		"\n"
		"Energy, CO2e and Green Score (accuracy %% per kg CO2e) of what runs on\n"
		"the machine, from greenai.ko or its BPF programs.\n"
		"\n"
		"Commands:\n");
	for (i = 0; i < CLI_NR_CMDS; i++)
		fprintf(f, "  %-12s %s\n", cli_cmds[i]->name,
			cli_cmds[i]->summary);
	fprintf(f,
		"\n"
		"greenai help COMMAND, or greenai COMMAND --help, explains one.\n"
		"greenai --version prints the version.\n");
}

static const struct cli_cmd *cli_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < CLI_NR_CMDS; i++)
		if (!strcmp(cli_cmds[i]->name, name))
			return cli_cmds[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const struct cli_cmd *cmd;

	if (argc < 2) {
		cli_main_help(stderr);
		return CLI_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		cli_main_help(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("greenai %s\n", GREENAI_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "help")) {
		if (argc == 2) {
			cli_main_help(stdout);
			return 0;
		}
		cmd = cli_find(argv[2]);
		if (!cmd || argc > 3)
			return cli_usage(NULL, "help: no command '%s'",
					    argv[2]);
		return cli_help(cmd);
	}
	cmd = cli_find(argv[1]);
	if (!cmd)
		return cli_usage(NULL, "no command '%s'", argv[1]);
	return cmd->run(argc - 1, argv + 1);
}

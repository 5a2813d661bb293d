// SPDX-License-Identifier: GPL-2.0
/*
 * How the greenai command says it was used wrongly, and shows a
 * command's help (cli.h): one printer, for main.c and every subcommand.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>

#include "cli.h"

/* Bad usage of @cmd (NULL: of greenai): the message, then where to look. */
int cli_usage(const struct cli_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "greenai%s%s: ", cmd ? " " : "", cmd ? cmd->name : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (cmd)
		fprintf(stderr, "\nTry 'greenai %s --help'.\n", cmd->name);
	else
		fprintf(stderr, "\nTry 'greenai --help'.\n");
	return CLI_EXIT_USAGE;
}

/* getopt_long() returned '?' (opterr off): the option it stopped at. */
int cli_bad_option(const struct cli_cmd *cmd, char **argv)
{
	return cli_usage(cmd, "unknown option or missing value: '%s'",
			    argv[optind - 1]);
}

int cli_help(const struct cli_cmd *cmd)
{
	fputs(cmd->help, stdout);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The CPU vendor and model name from <root>/proc/cpuinfo (cpuinfo.h).
 * Only the first vendor_id and model name lines are read: every CPU of a
 * machine is the same.
 */
#include <stdio.h>
#include <string.h>

#include <greenai/files.h>

#include "base/cpuinfo.h"

/**
 * ga_cpuinfo_vendor() - the vendor of the machine's CPUs
 * @root: "/" or a fixture tree; NULL means "/"
 *
 * Return: the vendor named by the first vendor_id line, GA_CPU_OTHER when
 * it is another one, or when the file or the line is missing.
 */
enum ga_cpu_vendor ga_cpuinfo_vendor(const char *root)
{
	enum ga_cpu_vendor vendor = GA_CPU_OTHER;
	char path[GA_PATH_MAX], line[256];
	FILE *f;

	if (ga_path(path, sizeof(path), root, "proc/cpuinfo"))
		return GA_CPU_OTHER;
	f = fopen(path, "re");
	if (!f)
		return GA_CPU_OTHER;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "vendor_id", 9))
			continue;
		if (strstr(line, "GenuineIntel"))
			vendor = GA_CPU_INTEL;
		else if (strstr(line, "AuthenticAMD"))
			vendor = GA_CPU_AMD;
		else if (strstr(line, "HygonGenuine"))
			vendor = GA_CPU_HYGON;
		break;
	}
	fclose(f);
	return vendor;
}

/**
 * ga_cpuinfo_rapl_per_package() - whether RAPL counts per package
 * @root: "/" or a fixture tree; NULL means "/"
 *
 * AMD and Hygon parts have one package energy counter per socket: where a
 * kernel took each CCD for a die, every die reads that one counter.
 *
 * Return: true on AMD and Hygon CPUs.
 */
bool ga_cpuinfo_rapl_per_package(const char *root)
{
	enum ga_cpu_vendor vendor = ga_cpuinfo_vendor(root);

	return vendor == GA_CPU_AMD || vendor == GA_CPU_HYGON;
}

/**
 * ga_cpuinfo_model_name() - the model name of the machine's CPUs
 * @root: "/" or a fixture tree; NULL means "/"
 * @buf: the first "model name" line's value, blanks around it removed;
 *	"" when the file or the line is missing (arm64 has none)
 * @size: its size
 */
void ga_cpuinfo_model_name(const char *root, char *buf, size_t size)
{
	char path[GA_PATH_MAX], line[256], *v, *end;
	FILE *f;

	if (size)
		buf[0] = '\0';
	if (ga_path(path, sizeof(path), root, "proc/cpuinfo"))
		return;
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "model name", 10) || !strchr(line, ':'))
			continue;
		for (v = strchr(line, ':') + 1; *v == ' ' || *v == '\t'; v++)
			;
		for (end = v + strlen(v);
		     end > v && (end[-1] == '\n' || end[-1] == ' ');
		     end--)
			;
		*end = '\0';
		snprintf(buf, size, "%s", v);
		break;
	}
	fclose(f);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * greenai's configuration files (config.h).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <greenai/bpf_abi.h>
#include <greenai/carbon.h>
#include <greenai/config.h>
#include <greenai/files.h>
#include <greenai/idle.h>
#include <greenai/intensity.h>
#include <greenai/intensity_live.h>

#include "base/decimal.h"

static const char *const ga_config_keys[GA_CFG_NR] = {
	[GA_CFG_REGION] = "region",
	[GA_CFG_INTENSITY] = "intensity",
	[GA_CFG_PUE] = "pue",
	[GA_CFG_LEDGER] = "ledger",
	[GA_CFG_PROVIDERS] = "intensity_providers",
	[GA_CFG_EM_TOKEN] = "electricitymaps_token",
	[GA_CFG_EM_URL] = "electricitymaps_url",
	[GA_CFG_EM_ZONE] = "electricitymaps_zone",
	[GA_CFG_CA_URL] = "carbonaware_url",
	[GA_CFG_CA_LOCATION] = "carbonaware_location",
	[GA_CFG_INTENSITY_FILE] = "intensity_file",
	[GA_CFG_FILE_OFFSET] = "intensity_file_offset",
	[GA_CFG_HTTP_TIMEOUT] = "http_timeout",
	[GA_CFG_CACHE] = "intensity_cache",
	[GA_CFG_REFRESH] = "intensity_refresh",
	[GA_CFG_IDLE] = "idle",
	[GA_CFG_IDLE_POWER] = "idle_power",
	[GA_CFG_MODEL_IDLE] = "model_idle_w",
	[GA_CFG_MODEL_MAX] = "model_max_w",
	[GA_CFG_EMBODIED_KG] = "embodied_kg",
	[GA_CFG_EMBODIED_YEARS] = "embodied_years",
	[GA_CFG_HOST_ENERGY_DIR] = "host_energy_dir",
	[GA_CFG_ON_CLOUD] = "on_cloud",
	[GA_CFG_BPF_RUNS] = "bpf_runs",
};

/* Printable ASCII, no blanks: a token, a URL, a zone. */
static int ga_config_word(const char *v)
{
	for (; *v; v++)
		if ((unsigned char)*v <= 0x20 || (unsigned char)*v >= 0x7f)
			return -EINVAL;
	return 0;
}

static int ga_is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* bpf_runs' value @v, GA_BPF_RUNS_MIN to GA_BPF_RUNS_MAX, into @runs. */
int ga_config_bpf_runs(const char *v, uint32_t *runs)
{
	uint64_t n;

	if (ga_parse_u64(v, &n) || n < GA_BPF_RUNS_MIN || n > GA_BPF_RUNS_MAX)
		return -EINVAL;
	*runs = n;
	return 0;
}

/* Whether @v is a good value of @k; @why says what it should be. */
static int ga_config_check(enum ga_config_key k, const char *v,
			   const char **why)
{
	struct ga_idle_conf idle = { 0 };
	struct ga_intensity in;
	char err[160];
	unsigned int n;
	uint64_t mw;
	int64_t off;
	uint32_t x;
	const char *p;

	switch (k) {
	case GA_CFG_REGION:
		*why = "a country code (FR, FRA) or region (EU, WORLD) of the embedded table";
		return ga_intensity_region(v, &in);
	case GA_CFG_INTENSITY:
		*why = "g CO2e/kWh, 0 to 100000, up to 3 decimals";
		return ga_intensity_parse_g(v, &x);
	case GA_CFG_PUE:
		*why = "1.0 to 10.0";
		return ga_pue_parse(v, &x);
	case GA_CFG_LEDGER:
	case GA_CFG_HOST_ENERGY_DIR:
		*why = "an absolute path";
		if (v[0] != '/')
			return -EINVAL;
		for (p = v; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				return -EINVAL;
		return 0;
	case GA_CFG_PROVIDERS:
		*why = "a list of electricitymaps, carbonaware, file and static";
		return ga_live_parse_order(v, NULL, &n);
	case GA_CFG_EM_TOKEN:
	case GA_CFG_EM_ZONE:
	case GA_CFG_CA_LOCATION:
		*why = "printable, without blanks";
		return ga_config_word(v);
	case GA_CFG_EM_URL:
	case GA_CFG_CA_URL:
		*why = "an http:// or https:// URL";
		if (strncmp(v, "http://", 7) && strncmp(v, "https://", 8))
			return -EINVAL;
		return ga_config_word(v);
	case GA_CFG_INTENSITY_FILE:
		*why = "an absolute path";
		return v[0] == '/' ? 0 : -EINVAL;
	case GA_CFG_FILE_OFFSET:
		*why = "a length, '-' before it to go back: 90s, 1d2h, -3h";
		return ga_live_parse_offset(v, &off);
	case GA_CFG_HTTP_TIMEOUT:
		*why = "seconds, 0.1 to 60";
		return ga_live_parse_seconds(v, 100, 60000, &x);
	case GA_CFG_CACHE:
		*why = "seconds, 0 to 86400";
		return ga_live_parse_seconds(v, 0, 86400000, &x);
	case GA_CFG_REFRESH:
		*why = "seconds, 1 to 86400";
		return ga_live_parse_seconds(v, 1000, 86400000, &x);
	case GA_CFG_IDLE:
		*why = "capacity, busy or none";
		return ga_idle_conf_share(&idle, v, err, sizeof(err));
	case GA_CFG_IDLE_POWER:
		*why = "auto, util, or watts ('10', 'package-0=10,dram-0=2')";
		return ga_idle_conf_power(&idle, v, err, sizeof(err));
	case GA_CFG_MODEL_IDLE:
		*why = "watts per CPU, 0 to 1000, up to 3 decimals";
		return ga_parse_milli(v, GA_MODEL_MAX_MW, &mw);
	case GA_CFG_MODEL_MAX:
		*why = "watts per CPU, 0.001 to 1000, up to 3 decimals";
		return ga_parse_milli(v, GA_MODEL_MAX_MW, &mw) ?: mw ? 0 : -EINVAL;
	case GA_CFG_EMBODIED_KG:
		*why = "kg CO2e, 0 to 1000000, up to 3 decimals";
		return ga_parse_milli(v, GA_EMBODIED_MAX_G, &mw);
	case GA_CFG_EMBODIED_YEARS:
		*why = "years, 0.1 to 50, up to 3 decimals";
		return ga_parse_milli(v, GA_EMBODIED_MAX_MYEARS, &mw) ?:
		       mw >= GA_EMBODIED_MIN_MYEARS ? 0 : -EINVAL;
	case GA_CFG_ON_CLOUD:
		*why = "yes, no or auto";
		return !strcmp(v, "yes") || !strcmp(v, "no") ||
		       !strcmp(v, "auto") ? 0 : -EINVAL;
	case GA_CFG_BPF_RUNS:
		*why = "entries of the BPF run map, 1024 to 4194304";
		return ga_config_bpf_runs(v, &x);
	default:
		return -EINVAL;
	}
}

/*
 * One line, "key = value" with blanks around either, into @c unless it is
 * wrong; @seen marks the keys already given in this file.
 */
static int ga_config_line(struct ga_config *c, char *line, const char *name,
			  unsigned int nr, unsigned int *seen, char *err,
			  size_t err_size)
{
	char *eq = strchr(line, '='), *key = line, *v, *end;
	const char *why = "";
	unsigned int k;

	if (!eq) {
		snprintf(err, err_size, "%s:%u: not 'key = value'", name, nr);
		return -EINVAL;
	}
	for (end = eq; end > key && ga_is_space(end[-1]); end--)
		;
	*end = '\0';
	for (v = eq + 1; ga_is_space(*v); v++)
		;
	for (end = v + strlen(v); end > v && ga_is_space(end[-1]); end--)
		;
	*end = '\0';
	for (k = 0; k < GA_CFG_NR; k++)
		if (!strcmp(key, ga_config_keys[k]))
			break;
	if (k == GA_CFG_NR) {
		snprintf(err, err_size,
			 "%s:%u: unknown key '%.64s' (see greenai intensity --help)",
			 name, nr, key);
		return -EINVAL;
	}
	if (*seen & (1u << k)) {
		snprintf(err, err_size, "%s:%u: '%s' given twice", name, nr,
			 key);
		return -EINVAL;
	}
	*seen |= 1u << k;
	if (strlen(v) >= GA_CONFIG_VALUE_MAX || ga_config_check(k, v, &why)) {
		/* a secret is never repeated back */
		if (k == GA_CFG_EM_TOKEN)
			snprintf(err, err_size, "%s:%u: %s (not shown): not %s",
				 name, nr, key, why);
		else
			snprintf(err, err_size, "%s:%u: %s '%.64s': not %s",
				 name, nr, key, v, why);
		return -EINVAL;
	}
	strcpy(c->value[k], v);
	snprintf(c->from[k], sizeof(c->from[k]), "%.4000s:%u", name, nr);
	return 0;
}

/**
 * ga_config_parse() - add a file's settings to @c
 * @c: the settings so far; a file's values replace them
 * @text: the file's contents
 * @len: their length
 * @name: the file's name, for messages
 * @err: what is wrong, "name:line: ..."
 * @err_size: its size
 *
 * All or nothing: on an error, @c is as it was.
 *
 * Return: 0 or -EINVAL.
 */
int ga_config_parse(struct ga_config *c, const char *text, size_t len,
		    const char *name, char *err, size_t err_size)
{
	struct ga_config *tmp = malloc(sizeof(*tmp));
	unsigned int nr = 0, seen = 0;
	const char *p = text, *end = text + len;
	int r = 0;

	if (!tmp)
		return -ENOMEM;
	*tmp = *c;
	while (!r && p < end) {
		const char *nl = memchr(p, '\n', end - p);
		size_t n = (nl ? nl : end) - p;
		char line[GA_CONFIG_VALUE_MAX + 64], *s;

		nr++;
		if (n >= sizeof(line) || memchr(p, '\0', n)) {
			snprintf(err, err_size, "%s:%u: line too long or not text",
				 name, nr);
			r = -EINVAL;
			break;
		}
		memcpy(line, p, n);
		line[n] = '\0';
		if (n && line[n - 1] == '\r')
			line[n - 1] = '\0';
		p += n + 1;
		for (s = line; ga_is_space(*s); s++)
			;
		if (*s && *s != '#')
			r = ga_config_line(tmp, s, name, nr, &seen, err,
					   err_size);
	}
	if (!r)
		*c = *tmp;
	free(tmp);
	return r;
}

/* A token from @path, which every user can read: said in c->warning. */
static void ga_config_check_secret(struct ga_config *c, const char *path)
{
	const char *from = c->from[GA_CFG_EM_TOKEN];
	size_t n = strlen(path);
	struct stat st;

	if (!c->value[GA_CFG_EM_TOKEN][0] || strncmp(from, path, n) ||
	    from[n] != ':' || stat(path, &st) || !(st.st_mode & 004))
		return;
	snprintf(c->warning, sizeof(c->warning),
		 "%.4000s holds %s and every user can read it (mode %04o): keep the token where only its users can (a user's own greenai.conf at 0600, or a group's at 0640)",
		 path, ga_config_keys[GA_CFG_EM_TOKEN],
		 (unsigned int)(st.st_mode & 07777));
}

/**
 * ga_config_read() - add the settings of the file @path to @c
 * @c: the settings so far
 * @path: the file
 * @must_exist: whether a file that is not there is an error
 * @err: what is wrong
 * @err_size: its size
 *
 * Return: 0 (a missing file too, unless @must_exist), -EINVAL for a bad
 * file, or -errno of reading it.
 */
int ga_config_read(struct ga_config *c, const char *path, int must_exist,
		   char *err, size_t err_size)
{
	size_t n;
	char *buf;
	int r;

	r = ga_read_file(path, GA_CONFIG_FILE_MAX, &buf, &n);
	if (r == -ENOENT && !must_exist)
		return 0;
	if (r) {
		snprintf(err, err_size, "config %s: %s", path, strerror(-r));
		return r;
	}
	r = ga_config_parse(c, buf, n, path, err, err_size);
	free(buf);
	if (!r)
		ga_config_check_secret(c, path);
	return r;
}

/**
 * ga_config_load() - the settings of greenai's configuration files
 * @c: filled (zeroed first)
 * @err: what is wrong
 * @err_size: its size
 *
 * Return: 0, or -errno with @err set.
 */
int ga_config_load(struct ga_config *c, char *err, size_t err_size)
{
	const char *env = getenv("GREENAI_CONFIG"), *xdg, *home;
	char user[GA_CONFIG_VALUE_MAX];
	int r;

	memset(c, 0, sizeof(*c));
	if (env && *env)
		return ga_config_read(c, env, 1, err, err_size);
	r = ga_config_read(c, GA_CONFIG_SYSTEM, 0, err, err_size);
	if (r)
		return r;
	xdg = getenv("XDG_CONFIG_HOME");
	home = getenv("HOME");
	if (xdg && xdg[0] == '/')
		snprintf(user, sizeof(user), "%s/greenai/greenai.conf", xdg);
	else if (home && home[0] == '/')
		snprintf(user, sizeof(user), "%s/.config/greenai/greenai.conf",
			 home);
	else
		return 0;
	return ga_config_read(c, user, 0, err, err_size);
}

/* The value of @k ("" is NULL) and where it was set (may be NULL). */
const char *ga_config_get(const struct ga_config *c, enum ga_config_key k,
			  const char **from)
{
	if ((unsigned int)k >= GA_CFG_NR || !c->value[k][0])
		return NULL;
	if (from)
		*from = c->from[k];
	return c->value[k];
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The grid carbon intensity a run uses (intensity.h): the user's figure
 * (--intensity), else the embedded table's for the region, else the world
 * average, and always where it came from. An unknown region is an error,
 * never silently the world's: the caller asked for a place.
 */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <greenai/intensity.h>

#include "base/decimal.h"

/* @in as the table spells it: upper case, spaces for '-' and '_'. */
static int ga_region_norm(const char *in, char *out)
{
	size_t i, n = strlen(in);

	if (!n || n >= GA_REGION_MAX)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		unsigned char c = in[i];

		if (c == '-' || c == '_')
			c = ' ';
		else if (isalnum(c))
			c = toupper(c);
		else if (c != ' ')
			return -EINVAL;
		out[i] = c;
	}
	out[n] = '\0';
	return 0;
}

static int ga_row_cmp(const void *key, const void *row)
{
	return strcmp(key, ((const struct ga_intensity_row *)row)->code);
}

/**
 * ga_intensity_region() - the table's intensity for a region
 * @region: a country code or aggregate name (intensity.h)
 * @out: filled, origin GA_INT_REGION
 *
 * Return: 0; -EINVAL for a name that cannot be a region (empty, too long,
 * other than letters, digits ("G20"), spaces, '-' and '_'); -ENOENT for
 * one not in the table.
 */
int ga_intensity_region(const char *region, struct ga_intensity *out)
{
	const struct ga_intensity_row *row;
	char key[GA_REGION_MAX];

	if (ga_region_norm(region, key))
		return -EINVAL;
	row = bsearch(key, ga_intensity_rows, ga_intensity_nr_rows,
		      sizeof(*row), ga_row_cmp);
	if (!row)
		return -ENOENT;
	out->mg_per_kwh = row->mg_per_kwh;
	out->origin = GA_INT_REGION;
	snprintf(out->region, sizeof(out->region), "%s", row->iso3);
	out->source = ga_intensity_source;
	return 0;
}

static int ga_country_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct ga_country *)elem)->iso3);
}

/**
 * ga_country_name() - a country's English name
 * @iso3: its ISO 3166-1 alpha-3 code, upper case ("FRA"), as a run's
 *	  region is recorded
 *
 * Return: "France"; NULL for an aggregate ("EU", "WORLD") or a code the
 * embedded table does not have.
 */
const char *ga_country_name(const char *iso3)
{
	const struct ga_country *c;

	if (!iso3)
		return NULL;
	c = bsearch(iso3, ga_countries, ga_nr_countries, sizeof(*c),
		    ga_country_cmp);
	return c ? c->name : NULL;
}

/**
 * ga_intensity_parse_g() - an intensity in g CO2e/kWh, as a user writes it
 * @s: a decimal number, up to three decimals ("412", "56.25")
 * @mg_per_kwh: the figure in mg/kWh
 *
 * Return: 0, or -EINVAL for anything else, or more than 100 000 g/kWh.
 */
int ga_intensity_parse_g(const char *s, uint32_t *mg_per_kwh)
{
	uint64_t v;

	if (ga_parse_milli(s, GA_INTENSITY_MAX_MG, &v))
		return -EINVAL;
	*mg_per_kwh = v;
	return 0;
}

/**
 * ga_intensity_choose() - the intensity a run uses, and why
 * @given: the user's figure in g/kWh (--intensity), or NULL
 * @region: the region (flag, config or environment), or NULL
 * @out: the figure and its origin
 * @err: what is wrong with @given or @region
 * @err_size: its size
 *
 * Return: 0, or -EINVAL / -ENOENT with @err set.
 */
int ga_intensity_choose(const char *given, const char *region,
			struct ga_intensity *out, char *err, size_t err_size)
{
	int r;

	memset(out, 0, sizeof(*out));
	if (given) {
		if (ga_intensity_parse_g(given, &out->mg_per_kwh)) {
			snprintf(err, err_size,
				 "intensity '%s': not a figure in g CO2e/kWh (0 to 100000, up to 3 decimals)",
				 given);
			return -EINVAL;
		}
		out->origin = GA_INT_GIVEN;
		out->source = "given by the user";
		return 0;
	}
	if (!region) {
		r = ga_intensity_region("WORLD", out);
		out->origin = GA_INT_WORLD;
		return r;
	}
	r = ga_intensity_region(region, out);
	if (r == -EINVAL)
		snprintf(err, err_size,
			 "region '%s': not a country code (FR, FRA) or region name (EU, WORLD)",
			 region);
	else if (r)
		snprintf(err, err_size,
			 "region '%s': not in the embedded table (%s); give --intensity instead",
			 region, ga_intensity_source);
	return r;
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Grid carbon intensity: the embedded table (intensity_table.c, generated
 * by scripts/gen-intensity.py from Ember's yearly averages as CO2.js
 * packages them) and the choice of the figure a run uses.
 *
 * Regions are ISO 3166-1 alpha-2 or alpha-3 country codes ("FR", "FRA")
 * or the table's aggregates ("EU", "G20", "latin-america-and-caribbean"),
 * any case, '-' or '_' for a space. Intensities are in mg CO2e per kWh,
 * integers, as exact as the source's two decimals of g/kWh.
 */
#ifndef _GREENAI_INTENSITY_H
#define _GREENAI_INTENSITY_H

#include <stddef.h>
#include <stdint.h>

#define GA_REGION_MAX	40	/* longest region name, with its NUL */
#define GA_INTENSITY_MAX_MG	100000000	/* 100 000 g/kWh */

struct ga_intensity_row {
	const char *code;	/* as looked up */
	const char *iso3;	/* the country (or aggregate) it stands for */
	uint32_t mg_per_kwh;
};

/* A country of the table, by ISO 3166-1 alpha-3 code (country_names.c). */
struct ga_country {
	const char *iso3;
	const char *name;	/* English, from Debian's iso-codes */
};

extern const struct ga_country ga_countries[];	/* sorted by code */
extern const unsigned int ga_nr_countries;

extern const char ga_intensity_source[];
extern const char ga_intensity_date[];	/* YYYY-MM-DD the data is of */
extern const struct ga_intensity_row ga_intensity_rows[];
extern const unsigned int ga_intensity_nr_rows;

enum ga_intensity_origin {
	GA_INT_GIVEN,		/* --intensity: the user's figure */
	GA_INT_REGION,		/* the table's figure for the region */
	GA_INT_WORLD,		/* no region given: the world average */
};

struct ga_intensity {
	uint32_t mg_per_kwh;
	enum ga_intensity_origin origin;
	char region[GA_REGION_MAX];	/* the table's code; "" for GIVEN */
	const char *source;		/* where the figure comes from */
};

int ga_intensity_region(const char *region, struct ga_intensity *out);
int ga_intensity_choose(const char *given, const char *region,
			struct ga_intensity *out, char *err, size_t err_size);
int ga_intensity_parse_g(const char *s, uint32_t *mg_per_kwh);
const char *ga_country_name(const char *iso3);

#endif /* _GREENAI_INTENSITY_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * Metrics exposition (tools/lib/workload/exposition.c): counters, gauges and info
 * families spelt as Prometheus' text format 0.0.4 and as OpenMetrics 1.0
 * want them; label values and help escaped, bytes that are not UTF-8
 * replaced; fixed-point values printed exactly; bad names refused; the
 * format chosen from an Accept header.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>

#include <greenai/exposition.h>

static const struct ga_label zone[] = {
	{ "zone", "package-0" }, { "node_name", "n1" },
};

static void counter_in_both_formats(void **state)
{
	struct ga_expo e;

	(void)state;
	ga_expo_init(&e, GA_EXPO_PROMETHEUS);
	assert_int_equal(ga_expo_family(&e, "greenai_node_joules",
					GA_EXPO_COUNTER, "joules",
					"Energy per zone."), 0);
	ga_expo_sample_fixed(&e, zone, 2, 12500001, 6);
	assert_int_equal(ga_expo_finish(&e), 0);
	assert_string_equal(e.buf,
		"# TYPE greenai_node_joules_total counter\n"
		"# HELP greenai_node_joules_total Energy per zone.\n"
		"greenai_node_joules_total{zone=\"package-0\",node_name=\"n1\"} 12.500001\n");
	ga_expo_done(&e);

	ga_expo_init(&e, GA_EXPO_OPENMETRICS);
	assert_int_equal(ga_expo_family(&e, "greenai_node_joules",
					GA_EXPO_COUNTER, "joules",
					"Energy per zone."), 0);
	ga_expo_sample_fixed(&e, zone, 2, 7, 6);
	assert_int_equal(ga_expo_finish(&e), 0);
	assert_string_equal(e.buf,
		"# TYPE greenai_node_joules counter\n"
		"# UNIT greenai_node_joules joules\n"
		"# HELP greenai_node_joules Energy per zone.\n"
		"greenai_node_joules_total{zone=\"package-0\",node_name=\"n1\"} 0.000007\n"
		"# EOF\n");
	assert_int_equal(e.nr_samples, 1);
	ga_expo_done(&e);
}

static void gauges_info_and_plain_numbers(void **state)
{
	struct ga_expo e;
	struct ga_label v = { "version", "0.1" };

	(void)state;
	ga_expo_init(&e, GA_EXPO_PROMETHEUS);
	assert_int_equal(ga_expo_family(&e, "greenai_node_watts",
					GA_EXPO_GAUGE, "watts", NULL), 0);
	ga_expo_sample(&e, NULL, 0, 1.5);
	ga_expo_sample(&e, NULL, 0, NAN);
	ga_expo_sample(&e, NULL, 0, -INFINITY);
	ga_expo_sample_fixed(&e, NULL, 0, 42, 0);
	assert_int_equal(ga_expo_family(&e, "greenai_build", GA_EXPO_INFO,
					NULL, "The exporter's version."), 0);
	ga_expo_sample(&e, &v, 1, 1);
	assert_int_equal(ga_expo_finish(&e), 0);
	assert_string_equal(e.buf,
		"# TYPE greenai_node_watts gauge\n"
		"greenai_node_watts 1.5\n"
		"greenai_node_watts NaN\n"
		"greenai_node_watts -Inf\n"
		"greenai_node_watts 42\n"
		"# TYPE greenai_build_info gauge\n"
		"# HELP greenai_build_info The exporter's version.\n"
		"greenai_build_info{version=\"0.1\"} 1\n");
	ga_expo_reset(&e);
	assert_int_equal(e.len, 0);
	ga_expo_done(&e);

	ga_expo_init(&e, GA_EXPO_OPENMETRICS);
	assert_int_equal(ga_expo_family(&e, "greenai_build", GA_EXPO_INFO,
					NULL, NULL), 0);
	ga_expo_sample(&e, &v, 1, 1);
	ga_expo_finish(&e);
	assert_string_equal(e.buf, "# TYPE greenai_build info\n"
			    "greenai_build_info{version=\"0.1\"} 1\n# EOF\n");
	ga_expo_done(&e);
}

static void labels_and_help_are_escaped(void **state)
{
	/* a container name as a cgroup path could carry it */
	struct ga_label l[] = {
		{ "container_name", "a\\b\"c\nd" },
		{ "pod_name", "caf\xc3\xa9-\xff-\xc3" },	/* é, then bad bytes */
		{ "model", NULL },
	};
	struct ga_expo e;

	(void)state;
	ga_expo_init(&e, GA_EXPO_PROMETHEUS);
	assert_int_equal(ga_expo_family(&e, "greenai_container_joules",
					GA_EXPO_COUNTER, "joules",
					"a \\ \"quoted\"\nline"), 0);
	ga_expo_sample_fixed(&e, l, 3, 1000000, 6);
	assert_string_equal(e.buf,
		"# TYPE greenai_container_joules_total counter\n"
		"# HELP greenai_container_joules_total a \\\\ \"quoted\"\\nline\n"
		"greenai_container_joules_total{container_name=\"a\\\\b\\\"c\\nd\","
		"pod_name=\"caf\xc3\xa9-\xef\xbf\xbd-\xef\xbf\xbd\",model=\"\"} 1.000000\n");
	ga_expo_done(&e);

	/* OpenMetrics escapes the quote in help too */
	ga_expo_init(&e, GA_EXPO_OPENMETRICS);
	ga_expo_family(&e, "x", GA_EXPO_GAUGE, NULL, "say \"hi\"");
	assert_non_null(strstr(e.buf, "# HELP x say \\\"hi\\\"\n"));
	ga_expo_done(&e);
}

static void bad_names_are_refused(void **state)
{
	static const char *const bad[] = {
		"", "1abc", "a-b", "a b", "joules_x",
	};
	struct ga_expo e;
	unsigned int i;

	(void)state;
	ga_expo_init(&e, GA_EXPO_OPENMETRICS);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(ga_expo_family(&e, bad[i], GA_EXPO_COUNTER,
						"joules", NULL), -EINVAL);
	assert_int_equal(ga_expo_family(&e, NULL, GA_EXPO_GAUGE, NULL,
					NULL), -EINVAL);
	/* the unit must be the name's last part */
	assert_int_equal(ga_expo_family(&e, "greenai_node_joules",
					GA_EXPO_COUNTER, "grams", NULL),
			 -EINVAL);
	assert_int_equal(ga_expo_family(&e, "joules", GA_EXPO_COUNTER,
					"joules", NULL), -EINVAL);
	/* nothing was written */
	assert_int_equal(e.len, 0);
	assert_int_equal(ga_expo_family(&e, "ns:x_joules", GA_EXPO_COUNTER,
					"joules", NULL), 0);
	ga_expo_done(&e);
}

static void the_format_from_accept(void **state)
{
	(void)state;
	assert_int_equal(ga_expo_negotiate(NULL), GA_EXPO_PROMETHEUS);
	assert_int_equal(ga_expo_negotiate("*/*"), GA_EXPO_PROMETHEUS);
	assert_int_equal(ga_expo_negotiate("text/plain;version=0.0.4"),
			 GA_EXPO_PROMETHEUS);
	/* what Prometheus 2.42 sends */
	assert_int_equal(ga_expo_negotiate(
		"application/openmetrics-text;version=1.0.0,"
		"application/openmetrics-text;version=0.0.1;q=0.75,"
		"text/plain;version=0.0.4;q=0.5,*/*;q=0.1"),
		GA_EXPO_OPENMETRICS);
	assert_non_null(strstr(ga_expo_content_type(GA_EXPO_OPENMETRICS),
			       "application/openmetrics-text; version=1.0.0"));
	assert_non_null(strstr(ga_expo_content_type(GA_EXPO_PROMETHEUS),
			       "text/plain; version=0.0.4"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(counter_in_both_formats),
		cmocka_unit_test(gauges_info_and_plain_numbers),
		cmocka_unit_test(labels_and_help_are_escaped),
		cmocka_unit_test(bad_names_are_refused),
		cmocka_unit_test(the_format_from_accept),
	};

	return cmocka_run_group_tests_name("expo", tests, NULL, NULL);
}

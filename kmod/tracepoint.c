// SPDX-License-Identifier: GPL-2.0
/*
 * Binds core-kernel tracepoints by name, as lttng-modules does: the
 * tracepoint is found with for_each_kernel_tracepoint() and the probe
 * registered with tracepoint_probe_register(). greenai probes scheduler
 * tracepoints only, which live in the core kernel, so no module notifier
 * is needed.
 *
 * Locking: called from module init and exit only, which the module loader
 * serialises. Registration may sleep.
 */
#define pr_fmt(fmt) "greenai: " fmt

#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/printk.h>
#include <linux/string.h>
#include <linux/tracepoint.h>

#include "internal.h"

#define GREENAI_MAX_PROBES	4

struct greenai_probe {
	struct tracepoint *tp;
	void *probe;
	void *data;
};

static struct greenai_probe greenai_probes[GREENAI_MAX_PROBES];
static unsigned int greenai_nr_probes;

struct greenai_tp_lookup {
	const char *name;
	struct tracepoint *tp;
};

static void greenai_tp_match(struct tracepoint *tp, void *priv)
{
	struct greenai_tp_lookup *l = priv;

	if (!l->tp && !strcmp(tp->name, l->name))
		l->tp = tp;
}

/**
 * greenai_tp_register() - attach a probe to a core-kernel tracepoint
 * @name: the tracepoint's name ("sched_switch")
 * @probe: a function of the tracepoint's prototype, data first
 * @data: passed to @probe
 *
 * Return: 0, -ENOENT if the kernel has no such tracepoint, -ENOSPC if the
 * table is full, or the error of tracepoint_probe_register().
 */
int greenai_tp_register(const char *name, void *probe, void *data)
{
	struct greenai_tp_lookup l = { .name = name };
	int err;

	if (greenai_nr_probes == ARRAY_SIZE(greenai_probes))
		return -ENOSPC;
	for_each_kernel_tracepoint(greenai_tp_match, &l);
	if (!l.tp) {
		pr_err("this kernel has no tracepoint %s\n", name);
		return -ENOENT;
	}
	err = tracepoint_probe_register(l.tp, probe, data);
	if (err) {
		pr_err("cannot register a probe on %s: %d\n", name, err);
		return err;
	}
	greenai_probes[greenai_nr_probes++] = (struct greenai_probe) {
		.tp = l.tp, .probe = probe, .data = data,
	};
	return 0;
}

/**
 * greenai_tp_unregister_all() - detach every probe, newest first
 *
 * Returns once no probe can be running any more.
 */
void greenai_tp_unregister_all(void)
{
	while (greenai_nr_probes) {
		struct greenai_probe *p = &greenai_probes[--greenai_nr_probes];

		WARN_ON_ONCE(tracepoint_probe_unregister(p->tp, p->probe,
							 p->data));
	}
	tracepoint_synchronize_unregister();
}

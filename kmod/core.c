// SPDX-License-Identifier: GPL-2.0
/*
 * The attribution core and the RAPL register map (include/greenai/),
 * compiled into the module from their one source, which libgreenai and
 * the unit tests also compile: this file only gives Kbuild an object in
 * this directory for them.
 */
#include <greenai/attrib.c>
#include <greenai/rapl.c>

// SPDX-License-Identifier: GPL-2.0
/*
 * Whole-file writers (files.h): a file replaced whole with the mode asked,
 * through a new file no one could have planted, by path or relative to an
 * open directory (a link at its name replaced, never followed); directories made with
 * their parents; a user's path under an XDG base directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>

#include <greenai/files.h>

#include "fixture.h"

/* Entries of @dir, "." and ".." aside. */
static unsigned int nr_entries(const char *dir)
{
	unsigned int n = 0;
	struct dirent *de;
	DIR *d = opendir(dir);

	assert_non_null(d);
	while ((de = readdir(d)))
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	return n;
}

static void write_atomic_replaces_whole(void **state)
{
	char path[FIX_PATH_MAX], victim[FIX_PATH_MAX];
	char planted[FIX_PATH_MAX + 32];
	char *text;
	size_t len;
	struct stat st;

	fix_path(path, *state, "f");
	fix_write(*state, "victim", "untouched\n");
	fix_path(victim, *state, "victim");
	/* a link where a name derived from the pid would have been */
	snprintf(planted, sizeof(planted), "%s.%d.tmp", path, (int)getpid());
	assert_int_equal(symlink(victim, planted), 0);
	umask(022);
	assert_int_equal(ga_write_atomic(path, "one\n", 4, 0600), 0);
	assert_int_equal(ga_read_file(path, 64, &text, &len), 0);
	assert_string_equal(text, "one\n");
	free(text);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	/* replaced, the mode as asked whatever it was */
	assert_int_equal(ga_write_atomic(path, "two", 3, 0644), 0);
	assert_int_equal(ga_read_file(path, 64, &text, &len), 0);
	assert_string_equal(text, "two");
	free(text);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	/* the link was never followed, and nothing else was left */
	assert_int_equal(ga_read_file(victim, 64, &text, &len), 0);
	assert_string_equal(text, "untouched\n");
	free(text);
	assert_int_equal(nr_entries(*state), 3);
	/* a directory that is not there: an error, nothing made */
	fix_path(path, *state, "none/f");
	assert_int_equal(ga_write_atomic(path, "x", 1, 0600), -ENOENT);
	assert_int_equal(nr_entries(*state), 3);
}

/*
 * Relative to an open directory: a link at the name is replaced, not
 * followed; a name with '/' is refused; GA_WRITE_NO_SYNC writes the same.
 */
static void write_atomic_at_replaces_links(void **state)
{
	char link[FIX_PATH_MAX], victim[FIX_PATH_MAX], *text;
	struct stat st;
	size_t len;
	int dfd;

	fix_write(*state, "victim", "untouched\n");
	fix_path(victim, *state, "victim");
	fix_path(link, *state, "f");
	assert_int_equal(symlink(victim, link), 0);
	dfd = open(*state, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);
	umask(077);
	assert_int_equal(ga_write_atomic_at(dfd, "f", "new\n", 4, 0644,
					    GA_WRITE_NO_SYNC),
			 0);
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(ga_read_file(link, 64, &text, &len), 0);
	assert_string_equal(text, "new\n");
	free(text);
	assert_int_equal(ga_read_file(victim, 64, &text, &len), 0);
	assert_string_equal(text, "untouched\n");
	free(text);
	assert_int_equal(ga_write_atomic_at(dfd, "a/b", "x", 1, 0644, 0),
			 -EINVAL);
	assert_int_equal(ga_write_atomic_at(dfd, "", "x", 1, 0644, 0), -EINVAL);
	assert_int_equal(ga_write_atomic_at(dfd, "g", "", 0, 0600, 0), 0);
	assert_int_equal(nr_entries(*state), 3);
	close(dfd);
	umask(022);
}

static void mkdir_parents_makes_each(void **state)
{
	char path[FIX_PATH_MAX], dir[FIX_PATH_MAX];
	struct stat st;

	umask(022);
	fix_path(path, *state, "a/b/file");
	assert_int_equal(ga_mkdir_parents(path, 0700), 0);
	fix_path(dir, *state, "a");
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	fix_path(dir, *state, "a/b");
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	/* the file itself is not made */
	assert_int_equal(stat(path, &st), -1);
	/* a part that is a file */
	fix_write(*state, "plain", "");
	fix_path(path, *state, "plain/x/file");
	assert_int_equal(ga_mkdir_parents(path, 0700), -ENOTDIR);
}

static void xdg_path(void **state)
{
	char buf[64];

	(void)state;
	setenv("XDG_STATE_HOME", "/x/state", 1);
	setenv("HOME", "/home/u", 1);
	assert_int_equal(ga_xdg_path(buf, sizeof(buf), "XDG_STATE_HOME",
				     ".local/state", "greenai/f"), 0);
	assert_string_equal(buf, "/x/state/greenai/f");
	/* a relative base is not one */
	setenv("XDG_STATE_HOME", "rel", 1);
	assert_int_equal(ga_xdg_path(buf, sizeof(buf), "XDG_STATE_HOME",
				     ".local/state", "greenai/f"), 0);
	assert_string_equal(buf, "/home/u/.local/state/greenai/f");
	assert_int_equal(ga_xdg_path(buf, 8, "XDG_STATE_HOME",
				     ".local/state", "greenai/f"),
			 -ENAMETOOLONG);
	unsetenv("XDG_STATE_HOME");
	unsetenv("HOME");
	assert_int_equal(ga_xdg_path(buf, sizeof(buf), "XDG_STATE_HOME",
				     ".local/state", "greenai/f"), -ENOENT);
}

static int setup(void **state)
{
	*state = fix_tmpdir_new();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(write_atomic_replaces_whole,
						setup, fix_teardown),
		cmocka_unit_test_setup_teardown(write_atomic_at_replaces_links,
						setup, fix_teardown),
		cmocka_unit_test_setup_teardown(mkdir_parents_makes_each,
						setup, fix_teardown),
		cmocka_unit_test(xdg_path),
	};

	return cmocka_run_group_tests_name("files", tests, NULL, NULL);
}

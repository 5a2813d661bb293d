# SPDX-License-Identifier: GPL-2.0
"""Unit tests of python/greenai that need no greenai command: the checks
of log() and track(), the metrics file it writes, and the joined mode
(a block inside a greenai run, which these tests stand in for with a
metrics file and $GREENAI_METRICS of their own).

    PYTHONPATH=python /usr/bin/python3 -m unittest discover -s tests/python
"""
import math
import os
import platform
import tempfile
import unittest
import warnings

import greenai


class Env(unittest.TestCase):
    """Each test with its own metrics file, outside any greenai run."""

    def setUp(self):
        self.saved = {k: os.environ.pop(k, None)
                      for k in ("GREENAI_METRICS", "GREENAI_RUN_ID",
                                "GREENAI_BIN")}
        fd, self.path = tempfile.mkstemp(prefix="greenai-test-")
        os.close(fd)

    def tearDown(self):
        os.unlink(self.path)
        for k, v in self.saved.items():
            os.environ.pop(k, None)
            if v is not None:
                os.environ[k] = v

    def join(self, run_id="42"):
        os.environ["GREENAI_METRICS"] = self.path
        os.environ["GREENAI_RUN_ID"] = run_id

    def content(self):
        with open(self.path) as f:
            return f.read()


class MetricLines(unittest.TestCase):
    def test_numbers_and_strings_as_greenai_reads_them(self):
        line = greenai._metric_line
        self.assertEqual(line("accuracy", 97.1), "accuracy=97.1\n")
        self.assertEqual(line("units", 10000), "units=10000\n")
        self.assertEqual(line("lr", 1e-05), "lr=1e-05\n")
        self.assertEqual(line("_x9", -3), "_x9=-3\n")
        self.assertEqual(line("unit", "predictions"), "unit=predictions\n")
        self.assertEqual(line("python_version", "3.11.2"),
                         "python_version=3.11.2\n")
        # an integer too long to write exactly is written as a float
        self.assertEqual(line("big", 10 ** 40), "big=1e+40\n")

    def test_bad_keys_are_refused(self):
        for key in ("Accuracy", "1st", "top-5", "a.b", "", "k" * 65, "é"):
            with self.assertRaises(greenai.GreenaiError, msg=key):
                greenai._metric_line(key, 1)

    def test_bad_values_are_refused(self):
        for value in (True, None, math.nan, math.inf, -math.inf, [1],
                      {"a": 1}, b"bytes", "adam", "1.5"):
            with self.assertRaises(greenai.GreenaiError, msg=repr(value)):
                greenai._metric_line("k", value)
        # what a unit is: a name, 1 to 24 of A-Z a-z 0-9 _ . -
        greenai._metric_line("unit", "x" * 24)
        for value in ("", "x" * 25, "two words", "a\nb", "é", 5):
            with self.assertRaises(greenai.GreenaiError, msg=repr(value)):
                greenai._metric_line("unit", value)
        # units: a count above 0
        for value in (0, -5, "many"):
            with self.assertRaises(greenai.GreenaiError, msg=repr(value)):
                greenai._metric_line("units", value)


class Joined(Env):
    def test_a_block_in_a_greenai_run_joins_it(self):
        self.join("42")
        with warnings.catch_warnings(record=True) as warned:
            warnings.simplefilter("always")
            with greenai.track(model="cnn", tags={"team": "vision"}) as run:
                self.assertIs(greenai.current_run(), run)
                run.log(accuracy=97.1, unit="predictions")
        # its tags cannot be the outer run's: it says so
        self.assertIn("tags are not recorded", str(warned[0].message))
        self.assertTrue(run.joined)
        self.assertEqual(run.ledger_id, 42)
        for name in ("energy_j", "co2e_g", "green_score", "estimated",
                     "source"):
            self.assertIsNone(getattr(run, name), name)
        self.assertIsNone(greenai.current_run())
        self.assertEqual(self.content().splitlines(), [
            "python_version=" + platform.python_version(),
            "accuracy=97.1", "unit=predictions"])
        with self.assertRaises(greenai.GreenaiError):
            run.log(accuracy=1)     # the block has ended

    def test_a_refused_value_writes_nothing(self):
        self.join()
        with greenai.track() as run:
            before = self.content()
            with self.assertRaises(greenai.GreenaiError):
                run.log(accuracy=97.1, loss=math.nan)
            with self.assertRaises(greenai.GreenaiError):
                run.log(**{"Bad-Key": 1})
            self.assertEqual(self.content(), before)
        self.assertEqual(run.metrics, {})

    def test_log_without_a_block_goes_to_the_run(self):
        self.join()
        greenai.log(accuracy=88)
        self.assertIn("accuracy=88", self.content().splitlines())

    def test_the_decorator_joins_each_call(self):
        self.join("7")

        @greenai.track(model="m")
        def work(x):
            greenai.log(x=x)
            return x * 2

        self.assertEqual(work(21), 42)
        self.assertTrue(work.last_run.joined)
        self.assertEqual(work.last_run.ledger_id, 7)
        self.assertEqual(work.last_run.metrics, {"x": 21})

    def test_the_file_stays_within_64_kib_and_the_last_value_wins(self):
        self.join()
        with greenai.track() as run:
            run.log(first=1)
            for i in range(5000):
                run.log(loss=i * 0.001, step=i)
        text = self.content()
        self.assertLessEqual(len(text.encode()), 65536)
        lines = text.splitlines()
        self.assertEqual(lines[-2:], ["loss=4.999", "step=4999"])
        self.assertIn("first=1", lines)

    def test_at_most_64_metrics(self):
        self.join()
        with greenai.track() as run:
            run.log(**{"m%d" % i: i for i in range(63)})    # and python's
            before = self.content()
            with self.assertRaises(greenai.GreenaiError):
                run.log(one_more=1)
            self.assertEqual(self.content(), before)
            run.log(m0=5)           # a key it has: fine


class Refused(Env):
    def test_bad_tags_and_models(self):
        for kw in ({"tags": {"Team": "x"}}, {"tags": {"team": "a\nb"}},
                   {"tags": {"team": ""}}, {"tags": {"team": "x" * 256}},
                   {"tags": {"team": 3}}, {"model": ""},
                   {"model": "a\nb"}, {"model": 5}):
            with self.assertRaises(greenai.GreenaiError, msg=repr(kw)):
                greenai.track(**kw)

    def test_a_decorator_without_parentheses(self):
        with self.assertRaisesRegex(greenai.GreenaiError, "parentheses"):
            @greenai.track
            def work():
                pass

    def test_no_greenai_command(self):
        os.environ["GREENAI_BIN"] = "/nonexistent/greenai"
        with self.assertRaisesRegex(greenai.GreenaiError,
                                    "cannot start /nonexistent/greenai"):
            with greenai.track():
                pass

    def test_log_outside_a_run(self):
        with self.assertRaisesRegex(greenai.GreenaiError, "not in a greenai"):
            greenai.log(accuracy=1)

    def test_a_metrics_file_that_is_a_link_is_not_written(self):
        link = self.path + ".link"
        os.symlink(self.path, link)
        try:
            os.environ["GREENAI_METRICS"] = link
            with self.assertRaises(greenai.GreenaiError):
                greenai.log(accuracy=1)
        finally:
            os.unlink(link)
        self.assertEqual(self.content(), "")


if __name__ == "__main__":
    unittest.main()

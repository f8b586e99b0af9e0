"""The benchmark behind `make bench` (bench/run.py). Not part of the site or of the tests."""

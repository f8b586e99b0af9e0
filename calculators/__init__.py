"""Handbook calculators (consequence lookup, absentee-rate tier): filled in by the calculators issue."""

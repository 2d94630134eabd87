"""Benchmarks, load test and operations drills (issue 6); none of it runs in `make test`."""

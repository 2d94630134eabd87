"""Demo and synthetic data: the demo of `make run` (`seed_demo`, `demo_logins`) and the
national-scale dataset of the benchmarks (`generate_dataset`).

A leaf: it imports the domain apps to fill them, and nothing imports it (the layer contract
of `make lint` says so).
"""

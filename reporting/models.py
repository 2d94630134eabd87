"""Reporting models (frozen report snapshots) are added with the reporting work."""

"""The project's own Python packages, for the tests that scan the code (S6/S7, S15, S18)."""

PROJECT_PACKAGES = ("config", "web", "sites", "programmes", "participants", "reporting", "demo")

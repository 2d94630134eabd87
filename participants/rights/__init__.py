"""People's rights (GDPR art. 15, 17) and the retention schedule (CNIL référentiel 2023-095)."""

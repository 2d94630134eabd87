"""The WSGI entry point: what it leaves the collector to walk."""

import gc
import importlib


def test_the_entry_point_freezes_what_it_loaded():
    """Objects loaded at start-up are frozen out of the collector's full passes
    (config/wsgi.py), and the application is the one served."""
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    wsgi = importlib.reload(importlib.import_module("config.wsgi"))
    try:
        assert gc.get_freeze_count() > 10_000
        assert callable(wsgi.application)
    finally:
        gc.unfreeze()  # leave the test process as it was

"""WSGI entry point (gunicorn config.wsgi)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")
application = get_wsgi_application()

# What is loaded by now (Django, the apps, their modules: about 150,000 objects) lives as
# long as the process. Frozen, the collector no longer walks it at every full collection:
# on the largest région's dashboard, one request in eight or so paid 85–150 ms for such a
# collection (p90 197–207 → 80–96 ms, docs/performance.md). With gunicorn's --preload the
# workers inherit the frozen objects from the master, whose pages they then share.
gc.collect()
gc.freeze()

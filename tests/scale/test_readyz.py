"""/readyz (quality.md R7): 200 when the database and storage answer, 503 otherwise."""

import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db


def test_ready_when_dependencies_answer(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.content.decode() == "database: ok\nstorage: ok"


class _DownConnection:
    def cursor(self):
        raise OperationalError("server closed the connection unexpectedly on db.internal")


def test_not_ready_when_the_database_fails(client, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    # Only the view's own check sees the failure (the middleware keeps the real connection).
    monkeypatch.setattr("sites.views.connection", _DownConnection())
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.content.decode()
    assert body == "database: down\nstorage: ok"
    assert "db.internal" not in body


def test_not_ready_without_storage(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "missing"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "storage: down" in response.content.decode()

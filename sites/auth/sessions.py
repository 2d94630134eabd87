"""The session engine (settings.SESSION_ENGINE): Django's database sessions, read with one
plain statement.

Every request of a signed-in user loads its session. Django's store compiles
`Session.objects.get(session_key=…, expire_date__gt=now)` each time, which cost more than
the query itself (0.3 ms a request, docs/performance.md); this store sends the same
statement — same table, same key, same expiry condition — as SQL. Everything else (saving,
rotating, expiring, clearing) is Django's.
"""

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone

_LOAD_SQL = (
    "SELECT session_data, expire_date FROM {table} WHERE session_key = %s AND expire_date > %s"
)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        model = self.model
        with connections[router.db_for_read(model)].cursor() as cursor:
            cursor.execute(
                _LOAD_SQL.format(table=model._meta.db_table), [self.session_key, timezone.now()]
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        session_data, expire_date = row
        return model(
            session_key=self.session_key, session_data=session_data, expire_date=expire_date
        )

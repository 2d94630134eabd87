"""The session engine (settings.SESSION_ENGINE): Django's database sessions, read with one
plain statement.

Every request of a signed-in user loads its session. Django's store compiles
`Session.objects.get(session_key=…, expire_date__gt=now)` each time, which cost more than
the query itself (0.3 ms a request, docs/performance.md); this store sends the same
statement — same table, same key, same expiry condition — as SQL. Everything else (saving,
rotating, expiring, clearing) is Django's; a key Django could not have made is refused
before any query.
"""

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.db import connections, router
from django.utils import timezone

_LOAD_SQL = (
    "SELECT session_data, expire_date FROM {table} WHERE session_key = %s AND expire_date > %s"
)


# The keys Django makes: 32 of these characters (the column holds 40).
_KEY_CHARS = frozenset(VALID_KEY_CHARS)


class SessionStore(db.SessionStore):
    def _validate_session_key(self, key):
        """A key Django could have made, or none: a cookie of other characters (a NUL byte,
        which PostgreSQL refuses in a text value) is no session, and costs no query."""
        return bool(key) and 8 <= len(key) <= 40 and _KEY_CHARS.issuperset(key)

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

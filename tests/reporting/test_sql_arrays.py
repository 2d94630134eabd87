"""Arrays sent as one text literal (reporting.sql_arrays): the statement psycopg writes for
the codes is the one it wrote for the list, and the ids read back as the ids."""

import pytest
from django.db import connection

from participants.enums import COUNTED_STATUSES, DYNAMIC_CATEGORIES, HOUSED, Housing
from reporting.sql_arrays import code_array, id_array


@pytest.mark.django_db
@pytest.mark.parametrize(
    "codes", [COUNTED_STATUSES, DYNAMIC_CATEGORIES, [*HOUSED, Housing.INCONNU]]
)
def test_a_code_literal_is_the_text_psycopg_wrote_for_the_list(codes):
    with connection.cursor() as cursor:
        as_list = cursor.mogrify("SELECT %s", [[str(c) for c in codes]])
        as_literal = cursor.mogrify("SELECT %s", [code_array(codes)])
    assert as_literal == as_list


@pytest.mark.django_db
def test_ids_read_back_in_order_as_bigints():
    ids = {12, 3, 2**40, 7}
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::bigint[]", [id_array(ids)])
        assert cursor.fetchone()[0] == sorted(ids)
        cursor.execute("SELECT cardinality(%s::bigint[])", [id_array([])])
        assert cursor.fetchone()[0] == 0


@pytest.mark.parametrize("code", ["A,B", 'a"b', "a b", "", "{x}", "l'eau", "NULL", "null"])
def test_a_code_that_would_need_quoting_or_reads_as_null_is_refused(code):
    with pytest.raises(ValueError):
        code_array(["OK", code])

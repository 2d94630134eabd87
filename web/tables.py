"""django-tables2 lists with a page size of their own."""

from django_tables2 import RequestConfig, Table


def configure_table(request, table: Table, *, per_page: int) -> None:
    """Sort the table from `?sort=` and show `per_page` rows a page, whatever `?per_page=`
    says: django-tables2 reads that parameter, and a negative size was a server error, a
    huge one a page of every row. A page number out of range shows the last page, one that
    is not a number the first (Django's `Paginator.get_page`)."""
    RequestConfig(request, paginate=False).configure(table)
    table.paginate(per_page=per_page)
    table.page = table.paginator.get_page(request.GET.get(table.prefixed_page_field))

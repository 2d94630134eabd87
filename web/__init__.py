"""The ground floor: generic web helpers with no model and no domain knowledge.

The form renderer and its widgets (`forms`), table rows (`tables`), reverse-once links
(`links`), spreadsheet cells made inert (`spreadsheets`), the numbered 500 page (`errors`),
the PDF fetcher that reaches only our own static files (`pdf`) and the Jinja2 environment of
the hot fragments (`jinja2`). Every app may import it; it imports no app of the project (the
layer contract of `make lint`).
"""

"""The ground floor: generic web helpers with no model and no domain knowledge.

Table rows (`tables`), reverse-once links (`links`), spreadsheet cells made inert
(`spreadsheets`), the numbered 500 page (`errors`) and the PDF fetcher that reaches only our
own static files (`pdf`). Every app may import it; it imports no app of the project (the
layer contract of `make lint`).
"""

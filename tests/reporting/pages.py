"""Reading what a reporting page printed, as its reader sees it."""

from html.parser import HTMLParser


class _PeriodSelect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inside, self.options = False, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select" and attrs.get("id") == "periode":
            self.inside = True
        elif tag == "option" and self.inside:
            self.options.append(
                {"code": attrs["value"], "label": "", "selected": "selected" in attrs}
            )

    def handle_endtag(self, tag):
        if tag == "select":
            self.inside = False

    def handle_data(self, data):
        if self.inside and self.options:
            self.options[-1]["label"] += data


def printed_periods(response) -> list[dict]:
    """The options of the page's period selector (`<select id="periode">`), in order:
    {"code", "label" (as printed), "selected"}."""
    parser = _PeriodSelect()
    parser.feed(response.content.decode())
    return parser.options

"""The import report: every refused row with its line and French reasons, and the counts.

It is stored as JSON on the ImportJob (the preview page and the final result read it back)
and printed by the management command, so both show the same thing.
"""

from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext as _

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


@dataclass
class RowError:
    """A refused row: its line as the spreadsheet numbers it (header = 1) and why."""

    line: int
    messages: list[str]


@dataclass
class ImportReport:
    """What an import would do (preview) or did (after the commit)."""

    total_rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_headers: list[str] = field(default_factory=list)
    persons_created: int = 0
    persons_updated: int = 0
    # line → CREATED / UPDATED / UNCHANGED, for every valid row.
    outcomes: dict[int, str] = field(default_factory=dict)

    def record(self, line: int, outcome: str) -> None:
        self.outcomes[line] = outcome

    def _count(self, outcome: str) -> int:
        return sum(1 for value in self.outcomes.values() if value == outcome)

    @property
    def rows_created(self) -> int:
        return self._count(CREATED)

    @property
    def rows_updated(self) -> int:
        return self._count(UPDATED)

    @property
    def rows_unchanged(self) -> int:
        return self._count(UNCHANGED)

    @property
    def valid_rows(self) -> int:
        return len(self.outcomes)

    @property
    def invalid_rows(self) -> int:
        return len({error.line for error in self.errors})

    def merge(self, other: "ImportReport") -> None:
        """Add a batch's report to the running total of a commit."""
        self.errors.extend(other.errors)
        self.errors.sort(key=lambda error: error.line)
        self.persons_created += other.persons_created
        self.persons_updated += other.persons_updated
        self.outcomes.update(other.outcomes)

    def summary(self) -> dict[str, int]:
        return {
            "total_rows": self.total_rows,
            "valid_rows": self.valid_rows,
            "invalid_rows": self.invalid_rows,
            "rows_created": self.rows_created,
            "rows_updated": self.rows_updated,
            "rows_unchanged": self.rows_unchanged,
            "persons_created": self.persons_created,
            "persons_updated": self.persons_updated,
        }

    def as_json(self) -> dict:
        return {
            **self.summary(),
            "errors": [asdict(error) for error in self.errors],
            "ignored_headers": self.ignored_headers,
            "outcomes": {str(line): outcome for line, outcome in self.outcomes.items()},
        }

    @classmethod
    def from_json(cls, data: dict | None) -> "ImportReport":
        data = data or {}
        return cls(
            total_rows=data.get("total_rows", 0),
            errors=[RowError(**error) for error in data.get("errors", [])],
            ignored_headers=list(data.get("ignored_headers", [])),
            persons_created=data.get("persons_created", 0),
            persons_updated=data.get("persons_updated", 0),
            outcomes={int(line): value for line, value in data.get("outcomes", {}).items()},
        )

    def as_text(self, *, committed: bool) -> str:
        """The report as the command line prints it (French, one refused row a line)."""
        lines = [
            _("%(n)s ligne(s) lue(s) : %(ok)s valide(s), %(ko)s refusée(s).")
            % {"n": self.total_rows, "ok": self.valid_rows, "ko": self.invalid_rows},
            (_("Écrit : ") if committed else _("À écrire (simulation, rien n'est modifié) : "))
            + _(
                "%(c)s parcours ajouté(s), %(u)s mis à jour, %(s)s inchangé(s) ; "
                "%(pc)s personne(s) créée(s), %(pu)s mise(s) à jour."
            )
            % {
                "c": self.rows_created,
                "u": self.rows_updated,
                "s": self.rows_unchanged,
                "pc": self.persons_created,
                "pu": self.persons_updated,
            },
        ]
        if self.ignored_headers:
            lines.append(
                _("Colonnes ignorées : %(cols)s.") % {"cols": ", ".join(self.ignored_headers)}
            )
        for error in self.errors:
            lines.append(
                _("Ligne %(line)s : %(reasons)s")
                % {"line": error.line, "reasons": " ; ".join(error.messages)}
            )
        return "\n".join(lines)

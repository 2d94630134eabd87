"""Who may do what with participants' files (the scope decides which structures).

Object lookups already go through the scoped selectors (an object outside the scope is a
404); these predicates answer the remaining questions: may this person work on files at all,
and may they see the sensitive sections (health, addictions, justice).
"""

from sites.tenancy import Scope

from .enums import SENSITIVE_BARRIERS, Barrier


def can_work_on_files(scope: Scope) -> bool:
    """Caseworkers and managers of at least one structure; coordinators and funders never
    see a person (domain.md §2)."""
    return scope.sees_persons


def can_edit(scope: Scope, structure_id: int) -> bool:
    """Writes are open to every caseworker and manager of the owning structure."""
    return structure_id in scope.structure_ids


def can_view_sensitive(scope: Scope, structure_id: int) -> bool:
    return scope.can_view_sensitive(structure_id)


def visible_barrier_codes(scope: Scope, structure_id: int) -> list[str]:
    """Barrier codes (enums.Barrier values) this person may read and write for a structure."""
    if can_view_sensitive(scope, structure_id):
        return list(Barrier.values)
    return [code for code in Barrier.values if code not in SENSITIVE_BARRIERS]


def can_exercise_rights(scope: Scope, structure_id: int) -> bool:
    """People's rights (export, anonymise, erase a file) belong to the structure's managers
    (the controller's side), not to every caseworker."""
    return structure_id in scope.manager_structure_ids


def can_read_access_log(scope: Scope, structure_id: int) -> bool:
    """The access history of a file ("qui a consulté ce dossier ?"): the managers of the
    file's structure, and only they (docs/security.md §3, §7). The one rule for the page,
    its link on the file and the selector `selectors.access_log_for_participant`.

    A platform administrator is no exception: in the application they reach a file only
    through a membership of its structure, like anyone (the scoped selectors answer 404
    otherwise); the Django admin is their tool."""
    return structure_id in scope.manager_structure_ids


def manages_a_structure(scope: Scope) -> bool:
    """Managers of at least one structure: the pages about a structure's team (the
    referents' caseloads and handing files over). The structure shown is then checked
    with `can_manage_team`."""
    return bool(scope.manager_structure_ids)


def can_manage_team(scope: Scope, structure_id: int) -> bool:
    """Who follows whom in a structure (caseloads, reassigning files in bulk): its managers
    only. A caseworker changes one file's referent on the file itself."""
    return structure_id in scope.manager_structure_ids


def can_transfer(scope: Scope, structure_id: int) -> bool:
    """Handing a file over to another structure changes who is responsible for the person's
    data: the decision of the sending structure's managers, like the people's rights
    (docs/security.md §2, "Transfers"). Caseworkers prepare it with them."""
    return structure_id in scope.manager_structure_ids

"""S6 (mass assignment) and S7 (related-field leakage), over every form of the project.

S6 is static: every Form/ModelForm class found by importing the project's modules exposes no
ownership or privilege field, and no ModelForm uses `fields = "__all__"` or `exclude` (a
field added to the model later must not become editable silently).
S7 builds each form with a ModelChoiceField the way its view does, for a caseworker of A who
also works for a second structure A2: no choice lists a row of B, and posting B's id in any
choice field is refused.
"""

import importlib
import inspect
import pkgutil

import pytest
from django import forms

from participants import forms as pforms
from participants.forms.orientations import OrientationEnterForm, ReferralForm
from sites.tenancy.scope import scope_for_user
from tests import factories as f
from tests.packages import PROJECT_PACKAGES
from tests.security.seed import full_file

FORBIDDEN = {
    "structure",
    "structure_id",
    "created_by",
    "author",
    "version",
    "is_staff",
    "is_superuser",
    "user_permissions",
    "groups",
}


def _project_form_classes() -> list[type[forms.BaseForm]]:
    found = {}
    for package_name in PROJECT_PACKAGES:
        package = importlib.import_module(package_name)
        modules = [package]
        for info in pkgutil.walk_packages(package.__path__, package_name + "."):
            if ".migrations" in info.name or info.name.startswith("config.settings"):
                continue
            modules.append(importlib.import_module(info.name))
        for module in modules:
            for _name, obj in inspect.getmembers(module, inspect.isclass):
                if (
                    issubclass(obj, forms.BaseForm)
                    and obj.__module__.split(".")[0] in PROJECT_PACKAGES
                ):
                    found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return [found[name] for name in sorted(found)]


FORM_CLASSES = _project_form_classes()


def test_the_inventory_finds_the_forms():
    names = {cls.__name__ for cls in FORM_CLASSES}
    assert {"ParticipantForm", "ParcoursEnrolForm", "SnapshotForm", "ActionForm"} <= names


@pytest.mark.parametrize("form_class", FORM_CLASSES, ids=lambda c: c.__qualname__)
def test_no_form_exposes_an_ownership_or_privilege_field(form_class):
    exposed = {
        name
        for name, field in form_class.base_fields.items()
        if not isinstance(field.widget, forms.HiddenInput) or name in FORBIDDEN
    }
    assert exposed & FORBIDDEN == set(), form_class
    meta = getattr(form_class, "_meta", None)
    if issubclass(form_class, forms.ModelForm):
        assert meta.fields not in (None, "__all__"), f"{form_class}: list the fields"
        assert not meta.exclude, f"{form_class}: exclude would expose new fields"


# S7 --------------------------------------------------------------------------------------


@pytest.fixture
def setting(db, structure_a, structure_b):
    structure_a2 = f.StructureFactory(name="Structure A2", slug="structure-a2")
    a = full_file(structure_a, "A")
    earlier = f.ParcoursFactory(participant=a.participant, programme=f.programme("PHC"))
    b = full_file(structure_b, "B")
    user = f.MembershipFactory(structure=structure_a).user
    f.MembershipFactory(structure=structure_a2, user=user)
    f.MembershipFactory(structure=structure_b)  # a referent of B
    scope = scope_for_user(user)
    b_ids = {
        "structure": structure_b.pk,
        "participant": b.participant.pk,
        "parcours": b.parcours.pk,
        "work_site": b.work_site.pk,
    }
    return {"scope": scope, "a": a, "b": b, "a_parcours": earlier, "b_ids": b_ids}


def _forms(setting) -> dict[str, forms.BaseForm]:
    """Each form as its view builds it for a user of A (data=None: unbound)."""
    scope, a = setting["scope"], setting["a"]
    structure_id = a.participant.structure_id
    return {
        "ParticipantForm": lambda data: pforms.ParticipantForm(
            data, scope=scope, structure_id=structure_id
        ),
        "ParcoursEnrolForm": lambda data: pforms.ParcoursEnrolForm(
            data, scope=scope, participant=a.participant
        ),
        "LinkPreviousForm": lambda data: pforms.LinkPreviousForm(
            data, parcours=setting["a_parcours"]
        ),
        "OrientationEnterForm": lambda data: OrientationEnterForm(
            data, scope=scope, parcours=setting["a_parcours"]
        ),
        "ReferralForm": lambda data: ReferralForm(data),
        "ReassignForm": lambda data: pforms.ReassignForm(
            data, scope=scope, structure_id=structure_id
        ),
        "ContinuationForm": lambda data: pforms.ContinuationForm(
            data, scope=scope, parcours=setting["a_parcours"]
        ),
        # Structures of the deployments A runs in (none shared with B here): S7 holds, and
        # tests/participants/test_transfer_views.py refuses a forged target outside them.
        "TransferForm": lambda data: pforms.TransferForm(data, participant=a.participant),
        "SnapshotForm": lambda data: pforms.SnapshotForm(
            data, participant=a.participant, barrier_codes=[]
        ),
    }


def _model_choice_fields(form) -> dict:
    return {
        name: field
        for name, field in form.fields.items()
        if isinstance(field, forms.ModelChoiceField)
    }


def test_every_form_with_a_model_choice_is_built_here(setting):
    built = set(_forms(setting))
    for form_class in FORM_CLASSES:
        if any(isinstance(fl, forms.ModelChoiceField) for fl in form_class.base_fields.values()):
            assert form_class.__name__ in built, f"add {form_class.__name__} to S7"


@pytest.mark.django_db
def test_no_choice_lists_a_row_of_another_structure(setting):
    b = setting["b"]
    b_users = set(
        f.MembershipFactory._meta.model.objects.filter(
            structure_id=setting["b_ids"]["structure"]
        ).values_list("user_id", flat=True)
    )
    checked = 0
    for name, build in _forms(setting).items():
        form = build(None)
        for field_name, field in _model_choice_fields(form).items():
            rows = list(field.queryset)
            checked += 1
            for row in rows:
                model_name = row._meta.model_name
                if model_name == "structure":
                    assert row.pk != b.participant.structure_id, (name, field_name)
                elif model_name == "user":
                    assert row.pk not in b_users, (name, field_name)
                else:
                    assert getattr(row, "structure_id", None) != b.participant.structure_id, (
                        name,
                        field_name,
                        row,
                    )
        assert "CANARY-B" not in form.as_div(), name
    assert checked >= 6  # referent, programme, work_site, employer, previous ×2, parcours


@pytest.mark.django_db
def test_posting_an_id_of_another_structure_in_any_choice_is_refused(setting):
    b_ids = setting["b_ids"]
    b_user = f.MembershipFactory(structure_id=b_ids["structure"]).user.pk
    by_model = {
        "structure": b_ids["structure"],
        "worksite": b_ids["work_site"],
        "parcours": b_ids["parcours"],
        "participant": b_ids["participant"],
        "user": b_user,
    }
    refused = 0
    for name, build in _forms(setting).items():
        for field_name, field in _model_choice_fields(build(None)).items():
            model_name = field.queryset.model._meta.model_name
            if model_name == "programme":
                continue  # shared reference data, not structure-owned
            value = str(by_model[model_name])
            # A multiple choice is posted as a list of ids (check boxes).
            multiple = isinstance(field, forms.ModelMultipleChoiceField)
            form = build({field_name: [value] if multiple else value})
            assert not form.is_valid()
            codes = [error.code for error in form.errors.as_data().get(field_name, [])]
            assert codes == ["invalid_choice"], (name, field_name, codes)
            refused += 1
    assert refused >= 5

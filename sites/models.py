"""Organisations, territories and people who log in.

The Structure is the tenant: every participant-side row carries a `structure` foreign key.
"""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .enums import FunderKind, GeoKind, Role, StructureKind
from .folding import fold


def derived_link(to, verbose_name, **kwargs) -> models.ForeignKey:
    """A link of a table the database maintains (by triggers): joinable by the ORM, no
    database constraint and no cascade of its own (the triggers follow the source rows)."""
    return models.ForeignKey(
        to,
        verbose_name=verbose_name,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        **kwargs,
    )


class GeoUnit(models.Model):
    """An INSEE/COG unit (pays, région, département, EPCI, commune) in a parent tree.

    The official division (`manage.py load_geography`, sites/geography): a commune's parent
    is its département, a département's its région, a région's the country; a commune also
    names its EPCI (`epci`), which has no parent, since 89 EPCIs straddle départements.
    "Everything inside" a unit is what the parent and EPCI links lead down to from it: a
    département's communes, an EPCI's member communes (reporting's statements walk both).
    Older or synthetic trees may still hang communes under an EPCI by `parent`.
    """

    kind = models.CharField(_("type"), max_length=12, choices=GeoKind.choices)
    code = models.CharField(_("code INSEE / SIREN"), max_length=12)
    name = models.CharField(_("nom"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    epci = models.ForeignKey(
        "self",
        verbose_name=_("EPCI"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        limit_choices_to={"kind": GeoKind.EPCI},
        related_name="member_communes",
    )
    postcodes = models.CharField(
        _("codes postaux"), max_length=200, blank=True, help_text=_("Séparés par une espace.")
    )
    # The name folded for search (lower case, no accent, hyphens and apostrophes as spaces):
    # "saint herblain" finds Saint-Herblain (sites.folding.fold).
    search_name = models.CharField(
        _("nom pour la recherche"), max_length=200, blank=True, editable=False
    )
    valid_from = models.DateField(_("valide depuis"), null=True, blank=True)
    valid_to = models.DateField(_("valide jusqu'au"), null=True, blank=True)

    class Meta:
        verbose_name = _("unité géographique")
        verbose_name_plural = _("unités géographiques")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], name="geounit_kind_code_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def save(self, *args, **kwargs):
        self.search_name = fold(self.name)
        super().save(*args, **kwargs)


class Territory(models.Model):
    """A named programme territory: a set of geo units, possibly inside a wider territory.

    Reporting at a territory includes every structure whose work sites lie in its geo units'
    subtrees, and the figures of its sub-territories.
    """

    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("identifiant"), unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("territoire parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    geo_units = models.ManyToManyField(GeoUnit, verbose_name=_("unités géographiques"))

    class Meta:
        verbose_name = _("territoire")
        verbose_name_plural = _("territoires")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Structure(models.Model):
    """A structure d'insertion (ACI, AI, …): the tenant that owns participants' files."""

    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("identifiant"), unique=True)
    siret = models.CharField(_("SIRET"), max_length=14, unique=True, null=True, blank=True)
    kind = models.CharField(_("type"), max_length=8, choices=StructureKind.choices)
    commune = models.ForeignKey(
        GeoUnit,
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        limit_choices_to={"kind": GeoKind.COMMUNE},
        related_name="+",
    )
    address = models.CharField(_("adresse"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("structure")
        verbose_name_plural = _("structures")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class WorkSite(models.Model):
    """A work site (chantier, lieu d'activité) of a structure; it places parcours on the map."""

    structure = models.ForeignKey(
        Structure,
        verbose_name=_("structure"),
        on_delete=models.CASCADE,
        related_name="work_sites",
    )
    name = models.CharField(_("nom"), max_length=200)
    activity = models.CharField(_("activité"), max_length=200, blank=True)
    commune = models.ForeignKey(
        GeoUnit,
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        limit_choices_to={"kind": GeoKind.COMMUNE},
        related_name="+",
    )
    is_active = models.BooleanField(_("actif"), default=True)

    class Meta:
        verbose_name = _("lieu d'activité")
        verbose_name_plural = _("lieux d'activité")
        ordering = ["structure", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["structure", "name"], name="worksite_structure_name_uniq"
            ),
            # Target of the composite foreign keys that keep a parcours on its own sites.
            models.UniqueConstraint(fields=["structure", "id"], name="worksite_structure_id_uniq"),
        ]

    def __str__(self) -> str:
        return self.name


class Funder(models.Model):
    """An organisation that funds deployments and reads aggregate reports (never a person)."""

    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("identifiant"), unique=True)
    kind = models.CharField(_("type"), max_length=12, choices=FunderKind.choices)

    class Meta:
        verbose_name = _("financeur")
        verbose_name_plural = _("financeurs")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Coordination(models.Model):
    """A coordinating organisation (regional federation, national coordinator).

    Its members see aggregates for the territories × programmes of its scopes
    (programmes.CoordinationScope).
    """

    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("identifiant"), unique=True)

    class Meta:
        verbose_name = _("organisme de coordination")
        verbose_name_plural = _("organismes de coordination")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username):
        # E-mail addresses are stored lower-case; people type them as they like.
        return self.get(email__iexact=username)

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in, by e-mail. Platform administrators are superusers."""

    email = models.EmailField(_("adresse e-mail"), unique=True)
    first_name = models.CharField(_("prénom"), max_length=150, blank=True)
    last_name = models.CharField(_("nom"), max_length=150, blank=True)
    is_active = models.BooleanField(_("actif"), default=True)
    is_staff = models.BooleanField(_("accès à l'administration"), default=False)
    date_joined = models.DateTimeField(_("inscrit le"), default=timezone.now)
    # The person's own settings ("Mon compte").
    daily_digest = models.BooleanField(
        _("résumé quotidien par e-mail"),
        default=False,
        help_text=_(
            "Chaque matin, le nombre de choses à faire sur « Aujourd'hui » et un lien : "
            "jamais un nom ni un détail sur une personne."
        ),
    )
    # The last day `send_today_digest` dealt with this person (sent, or nothing to send):
    # at most one digest a day, whatever the number of runs.
    daily_digest_done_on = models.DateField(
        _("dernier résumé quotidien le"), null=True, blank=True, editable=False
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        ordering = ["last_name", "first_name", "email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email


class Membership(models.Model):
    """A user's role in one organisation: a structure, a coordination or a funder.

    Caseworkers and managers belong to a structure; coordinators to a coordination; funders
    to a funder. The check constraint keeps the organisation consistent with the role.
    """

    user = models.ForeignKey(
        User, verbose_name=_("utilisateur"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("rôle"), max_length=12, choices=Role.choices)
    structure = models.ForeignKey(
        Structure,
        verbose_name=_("structure"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    coordination = models.ForeignKey(
        Coordination,
        verbose_name=_("coordination"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    funder = models.ForeignKey(
        Funder,
        verbose_name=_("financeur"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    can_view_sensitive = models.BooleanField(
        _("accès aux données sensibles"),
        default=False,
        help_text=_("Santé, addictions, justice : à réserver aux personnes qui en ont besoin."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("appartenance")
        verbose_name_plural = _("appartenances")
        constraints = [
            models.CheckConstraint(
                name="membership_org_matches_role",
                condition=(
                    Q(
                        role__in=[Role.CASEWORKER, Role.MANAGER],
                        structure__isnull=False,
                        coordination__isnull=True,
                        funder__isnull=True,
                    )
                    | Q(
                        role=Role.COORDINATOR,
                        structure__isnull=True,
                        coordination__isnull=False,
                        funder__isnull=True,
                    )
                    | Q(
                        role=Role.FUNDER,
                        structure__isnull=True,
                        coordination__isnull=True,
                        funder__isnull=False,
                    )
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "structure", "coordination", "funder"],
                nulls_distinct=False,
                name="membership_user_org_uniq",
            ),
        ]

    def __str__(self) -> str:
        org = self.structure or self.coordination or self.funder
        return f"{self.user} – {self.get_role_display()} – {org}"

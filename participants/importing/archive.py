"""An XLSX is a zip: look at its members before a parser inflates any of them.

`inspect_archive` reads the central directory only (no inflation, so the upload request can
afford it): the number of members, their names, encryption, compression method and declared
sizes. `inflate_members` then inflates every member in small chunks, counting the bytes that
actually come out against the same bound and the deadline, and refuses nested archives and
XML with a document type declaration (an XLSX part never has one; entity expansion lives
there). Only then does openpyxl open the workbook.
"""

import io
import posixpath
import zipfile
import zlib

from django.utils.translation import gettext as _

from .limits import Budget, ImportFileError, ReadLimits, too_large

CHUNK = 64 * 1024
ZIP_MAGIC = b"PK\x03\x04"
NESTED_SUFFIXES = (".zip", ".xlsx", ".xlsm", ".xlsb", ".docx", ".pptx", ".jar", ".gz", ".7z")
XML_SUFFIXES = (".xml", ".rels", ".vml")
DTD_MARKERS = (b"<!DOCTYPE", b"<!ENTITY")


def unreadable() -> ImportFileError:
    return ImportFileError(
        _("Ce classeur XLSX est illisible. Ré-enregistrez-le depuis votre tableur.")
    )


def refused_member(name: str, reason: str) -> ImportFileError:
    return ImportFileError(
        _(
            "Le classeur contient un élément refusé (« %(name)s » : %(reason)s). "
            "Ré-enregistrez-le depuis votre tableur au format « Classeur Excel (.xlsx) », "
            "sans objet incorporé."
        )
        % {"name": name[:80], "reason": reason}
    )


def _odd_name(name: str) -> bool:
    parts = name.split("/")
    return (
        not name
        or name.startswith("/")
        or "\\" in name
        or "\x00" in name
        or ".." in parts
        or posixpath.normpath(name) != name.rstrip("/")
    )


def inspect_archive(data: bytes, limits: ReadLimits) -> zipfile.ZipFile:
    """The zip's directory, checked; nothing is inflated. Raises ImportFileError."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise unreadable() from None
    members = archive.infolist()
    if len(members) > limits.max_zip_members:
        raise ImportFileError(
            _(
                "Le classeur contient %(count)s éléments, au-delà de la limite de %(max)s "
                "(limite du nombre d'éléments) : ré-enregistrez-le depuis votre tableur."
            )
            % {"count": len(members), "max": limits.max_zip_members}
        )
    seen: set[str] = set()
    declared = 0
    for member in members:
        name = member.filename
        if _odd_name(name):
            raise refused_member(name, _("chemin invalide"))
        if name in seen:
            raise refused_member(name, _("élément en double"))
        seen.add(name)
        if member.flag_bits & 0x1:
            raise refused_member(name, _("élément chiffré"))
        if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise refused_member(name, _("compression inconnue"))
        if name.lower().endswith(NESTED_SUFFIXES):
            raise refused_member(name, _("archive imbriquée"))
        declared += member.file_size
        if declared > limits.max_uncompressed_bytes:
            raise too_large(limits, kind="XLSX")
    return archive


def inflate_members(archive: zipfile.ZipFile, budget: Budget) -> None:
    """Inflate every member chunk by chunk, within the budget; check what comes out."""
    for member in archive.infolist():
        if member.is_dir():
            continue
        is_xml = member.filename.lower().endswith(XML_SUFFIXES)
        actual = 0
        tail = b""
        try:
            with archive.open(member) as stream:
                while chunk := stream.read(CHUNK):
                    if actual == 0 and chunk.startswith(ZIP_MAGIC):
                        raise refused_member(member.filename, _("archive imbriquée"))
                    actual += len(chunk)
                    if actual > member.file_size:
                        raise refused_member(member.filename, _("taille annoncée inexacte"))
                    budget.spend(len(chunk))
                    if is_xml:
                        window = tail + chunk
                        if any(marker in window for marker in DTD_MARKERS):
                            raise refused_member(member.filename, _("déclaration DTD"))
                        tail = chunk[-16:]
        except (zipfile.BadZipFile, zlib.error, ValueError, OSError, EOFError):
            # A bad CRC (a member that inflates to more than it declares is cut at its
            # declared size, then fails its CRC) or a corrupt stream.
            raise unreadable() from None
        if actual != member.file_size:
            raise refused_member(member.filename, _("taille annoncée inexacte"))

"""Change history: every create, update and delete of a tracked model is recorded
with who, when and what (field by field)."""

from __future__ import annotations

import contextvars
import datetime
import decimal
import hashlib
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.utils import timezone, translation
from django.utils.translation import gettext as _

_actor: contextvars.ContextVar = contextvars.ContextVar("isek_actor", default=None)
_suspended: contextvars.ContextVar = contextvars.ContextVar("isek_audit_suspended", default=False)


@contextmanager
def suspended():
    """No records inside the block: for loading a backup, whose own history comes with it (Django
    marks loaded saves as raw, but not the many-to-many changes loaddata makes)."""
    token = _suspended.set(True)
    try:
        yield
    finally:
        _suspended.reset(token)


@contextmanager
def acting_as(user=None, label: str = ""):
    """Attribute changes inside the block to ``user`` (or to a label such as 'isek import')."""
    if user is not None and getattr(user, "pk", None) is None:  # the installation (access.Operator)
        user, label = None, getattr(user, "label", label) or label
    token = _actor.set((user, label))
    try:
        yield
    finally:
        _actor.reset(token)


@contextmanager
def change(user, via: str = "web"):
    """One recorded change: a transaction whose writes are attributed to ``user`` (through ``via``)."""
    from django.db import transaction

    with transaction.atomic(), acting_as(user, via):
        yield


class AuditUserMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user if getattr(request, "user", None) and request.user.is_authenticated else None
        token = _actor.set((user, "web"))
        try:
            return self.get_response(request)
        finally:
            _actor.reset(token)


def _plain(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        # A file kept in the database (a city's logo): its size and fingerprint, not its bytes – and
        # the same for bytes and PostgreSQL's memoryview, so saving it unchanged records no change.
        data = bytes(value)
        return f"{len(data)} B, SHA-256 {hashlib.sha256(data).hexdigest()[:16]}" if data else ""
    if hasattr(value, "wkt"):
        # Geometry: keep the change compact but checkable.
        return f"{value.geom_type} ({value.num_coords} points)"
    return str(value)


def _snapshot(instance) -> dict:
    out = {}
    hidden = getattr(instance, "audit_hidden", ())  # secrets, even encrypted, stay out of the history
    for field in instance._meta.concrete_fields:
        if field.attname in hidden:
            continue
        out[field.attname] = _plain(getattr(instance, field.attname))
    return out


def _geom_equal(instance, old) -> set[str]:
    same = set()
    for field in instance._meta.concrete_fields:
        if hasattr(field, "geom_type"):
            a, b = getattr(instance, field.attname), getattr(old, field.attname)
            if (a is None and b is None) or (a is not None and b is not None and a.equals_exact(b, 1e-9)):
                same.add(field.attname)
    return same


def _concept_id(instance):
    """The concept a change belongs to, as the model tells it: ``audit_concept_id()`` (the concept
    itself), a ``concept`` foreign key, or ``audit_parent``, the name of a parent that has one."""
    own = getattr(instance, "audit_concept_id", None)
    if callable(own):
        return own()
    if hasattr(instance, "concept_id"):
        return instance.concept_id
    parent = getattr(type(instance), "audit_parent", None)
    obj = getattr(instance, parent, None) if parent else None
    return _concept_id(obj) if obj is not None else None


def _name(instance) -> str:
    """The object's name as the history keeps it: amounts in it marked neutrally, written in the
    reader's language when it is read (``numbers.named``; decision 0104)."""
    from . import numbers

    with numbers.neutral_names():
        return str(instance)[:200]


def _record(instance, action: str, changes: dict):
    from . import versions
    from .models import ChangeRecord

    if _suspended.get():
        return
    user, label = _actor.get() or (None, "system")
    concept_pk = _concept_id(instance)
    versions.bump(concept_pk if concept_pk is not None else versions.SITE)
    ChangeRecord.objects.create(
        user=user,
        actor=(user.get_username() if user else label) or "system",
        concept_pk=concept_pk,
        model=instance._meta.label,
        object_id=str(instance.pk),
        object_repr=_name(instance),
        action=action,
        changes=changes,
    )


def _pre_save(sender, instance, raw=False, **kwargs):
    if raw:
        return
    old = None
    if instance.pk is not None:
        old = sender.objects.filter(pk=instance.pk).first()
    instance._audit_old = old


def _post_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    new = _snapshot(instance)
    old_obj = getattr(instance, "_audit_old", None)
    if created or old_obj is None:
        _record(instance, "create", {k: [None, v] for k, v in new.items() if v not in (None, "")})
        return
    old = _snapshot(old_obj)
    same_geom = _geom_equal(instance, old_obj)
    changes = {k: [old[k], v] for k, v in new.items() if old[k] != v and k not in same_geom}
    if changes:
        _record(instance, "update", changes)


def _post_delete(sender, instance, **kwargs):
    _record(instance, "delete", {})


def _m2m(sender, instance, action, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    field = next(
        (f.name for f in instance._meta.many_to_many if f.remote_field.through is sender), "m2m"
    )
    _record(instance, "update", {field: [action.removeprefix("post_"), sorted(pk_set or [])]})


def track(*models):
    for model in models:
        uid = f"isek-audit-{model._meta.label}"
        pre_save.connect(_pre_save, sender=model, dispatch_uid=uid + "-pre")
        post_save.connect(_post_save, sender=model, dispatch_uid=uid + "-post")
        post_delete.connect(_post_delete, sender=model, dispatch_uid=uid + "-del")
        for f in model._meta.many_to_many:
            m2m_changed.connect(_m2m, sender=f.remote_field.through, dispatch_uid=uid + f.name)


# --- the change log as people read it ------------------------------------------------------------


def readable(records) -> list[dict]:
    """The records of a change log as people read them: each change under its field's label
    (verbose_name), referenced objects by their name, choices by their label, booleans as ja/nein,
    dates and amounts in the language's format; internal keys (the record's own id, the link to
    the concept, fields no one edits) left out. ``changes`` of each item: [(label, before, after)]."""
    from django.apps import apps
    from django.core.exceptions import FieldDoesNotExist

    from . import numbers

    names: dict = {}  # (model, pk) → name, each looked up once
    objects: dict = {}  # (model, pk) → the object or None

    def object_of(model, pk):
        if (model, pk) not in objects:
            objects[(model, pk)] = model._default_manager.filter(pk=pk).first()
        return objects[(model, pk)]

    def name_of(model, pk):
        if (model, pk) not in names:
            obj = object_of(model, pk)
            names[(model, pk)] = str(obj) if obj is not None else _("(gelöscht)")
        return names[(model, pk)]

    def shown_repr(r, model):
        """The object's name as recorded – in the page's language when the name is the object's
        present one in another language (walk 24: "Theme of idea I-373", "Planner (edit)" on a
        German page; the name is written in the language of the request that changed it)."""
        if model is None:
            return r.object_repr
        try:
            obj = object_of(model, model._meta.pk.to_python(r.object_id))
        except (ValueError, TypeError, ValidationError):
            obj = None
        if obj is None:
            return numbers.named(r.object_repr, translation.get_language())
        for code, _label in settings.LANGUAGES:
            with translation.override(code):
                same = r.object_repr in (str(obj)[:200], _name(obj))  # recorded before 0104, or since
            if same:
                return str(obj)[:200]  # in the page's language
        return numbers.named(r.object_repr, translation.get_language())

    out = []
    for r in records:
        try:
            model = apps.get_model(r.model)
        except LookupError:
            model = None
        rows = []
        for key, (before, after) in (r.changes or {}).items():
            field = _field(model, key, FieldDoesNotExist)
            if field is None:
                if model is None:  # a model that no longer exists: its keys as they are
                    rows.append((key, before, after))
                continue
            if field.many_to_many:
                action = {"add": _("hinzugefügt"), "remove": _("entfernt"), "clear": _("alle entfernt")}.get(before, before)
                rows.append((str(field.verbose_name), action,
                             ", ".join(name_of(field.related_model, pk) for pk in after or []) or None))
                continue
            rows.append((str(field.verbose_name), *(_value(field, v, name_of) for v in (before, after))))
        out.append({"record": r, "changes": rows, "object": shown_repr(r, model)})
    return out


def _field(model, key: str, missing):
    """The model field a change key (attname or m2m name) is for; None for internal ones."""
    if model is None:
        return None
    field = next((f for f in model._meta.concrete_fields if f.attname == key), None)
    if field is None:
        try:
            field = model._meta.get_field(key)
        except missing:
            return None
    internal = field.primary_key or not field.editable or (
        field.is_relation and field.related_model is not None and field.related_model._meta.label == "concepts.Concept")
    return None if internal else field


def _value(field, value, name_of):
    from django.utils import formats

    if value is None or value == "":
        return None
    shown = getattr(field, "audit_shown", None)  # a field's own way to be read (e.g. a share as a percentage)
    if shown is not None:
        return shown(value)
    if field.is_relation:
        return name_of(field.related_model, value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("ja") if value else _("nein")
    internal = field.get_internal_type()
    try:
        if internal in ("DateField", "DateTimeField"):
            parsed = datetime.datetime.fromisoformat(value)
            if internal == "DateTimeField" and timezone.is_aware(parsed):  # stored in UTC, read in local time (walk 24)
                parsed = timezone.localtime(parsed)
            return formats.date_format(parsed.date() if internal == "DateField" else parsed,
                                       "SHORT_DATE_FORMAT" if internal == "DateField" else "SHORT_DATETIME_FORMAT")
        if internal == "DecimalField":
            return formats.number_format(decimal.Decimal(value), decimal_pos=field.decimal_places, force_grouping=True)
    except (ValueError, TypeError, decimal.InvalidOperation):
        pass
    return value

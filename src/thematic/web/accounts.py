"""Accounts: a user name (an inspector's reference, never a person's name), a role, and a force for
force users. Created from the command line (`thematic web adduser`) or by an import for the
inspectors its answers name (inactive until someone gives them a password)."""
from __future__ import annotations

import re
import secrets

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from thematic.core.errors import InputError
from thematic.model.judgements import INSPECTOR_HINT, INSPECTOR_PATTERN
from thematic.web.models import FORCE, INSPECTOR, ROLES, Membership

FORCE_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


def role_of(user: User) -> str | None:
    membership = Membership.objects.filter(user=user).first()
    return membership.role if membership else None


def force_of(user: User) -> str:
    membership = Membership.objects.filter(user=user).first()
    return membership.force if membership else ""


def one_time_password() -> str:
    return secrets.token_urlsafe(12)


def add_user(name: str, role: str, *, force: str | None = None, password: str | None = None) -> tuple[User, str]:
    """Create (or activate a placeholder of) an account; returns it and its password (generated when
    none is given). InputError naming the field when a value is wrong or the name is taken."""
    where = "thematic web adduser"
    if not re.fullmatch(INSPECTOR_PATTERN, name):
        raise InputError.single(where, f"expected {INSPECTOR_HINT}, got {name!r}", field="NAME")
    if role not in ROLES:
        raise InputError.single(where, f"expected one of {', '.join(ROLES)}, got {role!r}", field="--role")
    if role == FORCE and not (force and re.fullmatch(FORCE_PATTERN, force)):
        raise InputError.single(where, "a force user needs --force CODE (a force code such as northmoor)",
                                field="--force")
    if role != FORCE and force:
        raise InputError.single(where, "--force is only for a force user (--role force)", field="--force")
    chosen = password if password is not None else one_time_password()
    try:
        validate_password(chosen)
    except ValidationError as exc:
        raise InputError.single(where, " ".join(exc.messages), field="password") from None
    with transaction.atomic():
        user = User.objects.filter(username=name).first()
        if user is not None and (user.is_active or user.has_usable_password()):
            raise InputError.single(where, f"an account named {name} already exists", field="NAME")
        if user is None:
            user = User(username=name)
        user.is_active = True
        user.set_password(chosen)
        user.save()
        Membership.objects.update_or_create(user=user, defaults={"role": role, "force": force or ""})
    return user, chosen


def placeholder_inspector(name: str) -> User:
    """The account of an inspector an import names: created inactive, with no usable password."""
    user, created = User.objects.get_or_create(username=name, defaults={"is_active": False})
    if created:
        user.set_unusable_password()
        user.save()
        Membership.objects.create(user=user, role=INSPECTOR)
    return user

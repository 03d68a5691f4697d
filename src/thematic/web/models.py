"""The workspace's tables: people and roles, inspections frozen at import, cases, assignments, events.

What a person decides is a row, and every change is another row (`Event`): the current answer,
note, grade or status of an assignment is its latest event, and the audit trail is the table itself.
Events are append-only: `Event.save` refuses an update, `delete` refuses, and the migration adds
database triggers that refuse UPDATE and DELETE on the table whatever the client.

Issue 15 (the team) uses the same tables: a case may have several assignments (double scoring,
`Case.double_scored`), a force's self-assessment is an assignment of kind `self_assessment`
(`thematic.web.self_assessment`; never counted with the inspectors' kind `inspection`), a
moderator's decision is a case-level `Event` of kind `moderation`, and `Inspection.published_at`
(with a `published` event) opens the comparison with the inspectors' results to the force.
"""
from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models

LEAD, INSPECTOR, FORCE, PROGRAMME = "lead", "inspector", "force", "programme"
ROLES = (LEAD, INSPECTOR, FORCE, PROGRAMME)

NOT_STARTED, IN_PROGRESS, SUBMITTED = "not_started", "in_progress", "submitted"
STATUS_LABELS = {NOT_STARTED: "Not started", IN_PROGRESS: "In progress", SUBMITTED: "Submitted"}

# Event kinds. An item is a criterion id for answers and notes, "grade" for the grade's parts.
ANSWER, NOTE, GRADE, REFERRED_BACK, GRADE_NOTE = "answer", "note", "grade", "referred_back", "grade_note"
STATUS, ASSIGNED, IMPORTED, MODERATION = "status", "assigned", "imported", "moderation"
# Inspection-level events of the team's work: results opened to the force, a moderator named or
# removed (item: their user name), a report produced from the current data.
PUBLISHED, MODERATOR, REPORT = "published", "moderator", "report"
INSPECTION_KIND, SELF_ASSESSMENT = "inspection", "self_assessment"  # an assignment's kind
EVENT_KINDS = (ANSWER, NOTE, GRADE, REFERRED_BACK, GRADE_NOTE, STATUS, ASSIGNED, IMPORTED, MODERATION,
               PUBLISHED, MODERATOR, REPORT)


class Membership(models.Model):
    """A user's role in the workspace; a force user belongs to one force (its code)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="membership")
    role = models.CharField(max_length=16, choices=[(r, r) for r in ROLES])
    force = models.CharField(max_length=64, blank=True, default="")

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"


class Inspection(models.Model):
    """An inspection as imported: its files' text kept as read, with a fingerprint of them all."""

    slug = models.CharField(max_length=128, unique=True)  # the inspection file's `inspection:` id
    title = models.CharField(max_length=300)
    force = models.CharField(max_length=64)
    year = models.IntegerField()
    as_of = models.DateField()
    inspection_text = models.TextField()  # the inspection file's YAML, as read
    criteria_text = models.TextField()  # the criteria file's YAML, as read
    parameters = models.JSONField(default=dict)  # the effective parameter values scoring uses
    fingerprint = models.CharField(max_length=64)  # sha256 of the criteria and every case as imported
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)  # issue 15: results open to the force

    class Meta:
        ordering: ClassVar[list[str]] = ["slug"]

    def __str__(self) -> str:
        return self.slug


class InspectionMember(models.Model):
    """An inspector (or moderator) on an inspection: what makes the inspection visible to them."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="inspections")
    moderator = models.BooleanField(default=False)  # issue 15

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["inspection", "user"], name="one_membership_per_inspection")]


class Case(models.Model):
    """One case of an inspection: the case file as JSON without any inspector's answers."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="cases")
    case_id = models.CharField(max_length=128)
    category = models.CharField(max_length=64)
    position = models.IntegerField()  # order in the sample, as loaded
    data = models.TextField()  # the case file (model_dump, absent sections kept absent) as JSON
    double_scored = models.BooleanField(default=False)  # issue 15

    class Meta:
        ordering: ClassVar[list[str]] = ["inspection", "position"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["inspection", "case_id"], name="one_case_id_per_inspection")]

    def __str__(self) -> str:
        return self.case_id


class Assignment(models.Model):
    """A case given to a scorer. `version` goes up with every save; a save names the version it read."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    scorer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments")
    kind = models.CharField(max_length=32, default="inspection")  # or "self_assessment" (issue 15)
    status = models.CharField(max_length=16, default=NOT_STARTED,
                              choices=[(s, label) for s, label in STATUS_LABELS.items()])
    version = models.IntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["case__position", "scorer__username"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["case", "scorer", "kind"], name="one_assignment_per_scorer")]


class AppendOnlyError(Exception):
    """Something tried to change or delete an audit event."""


class Event(models.Model):
    """One change, for ever: who, when, what (kind and item), the value before and after, and why."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="events")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    assignment = models.ForeignKey(Assignment, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    actor_ref = models.CharField(max_length=150)  # who, as a reference (user name or "import")
    at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(max_length=16, choices=[(k, k) for k in EVENT_KINDS])
    item = models.CharField(max_length=128, blank=True, default="")
    before = models.TextField(null=True, blank=True)
    after = models.TextField(null=True, blank=True)
    reason = models.TextField(blank=True, default="")
    version = models.IntegerField(default=0)  # the assignment's version this change made

    class Meta:
        ordering: ClassVar[list[str]] = ["id"]
        indexes: ClassVar[list[Any]] = [models.Index(fields=["assignment", "kind", "item"])]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("audit events are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit events are never deleted")


class SignInFailure(models.Model):
    """A failed sign-in, kept for throttling: by user name and by address, within a window."""

    username = models.CharField(max_length=150, db_index=True)
    address = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

"""The registry: works, their titles, resource URLs, references, relations and funders.

A work's complete metadata is kept as deposited in `Work.data` (the JSON of a
`linking.records.WorkRecord`); columns and side tables hold what lookups, filters and
joins need, each with an index."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from accounts.models import Organisation, Prefix


class Title(models.Model):
    """A title record: the journal, book, series or proceedings that works belong to.
    The first deposit of a title creates it; later deposits must agree with it."""

    kind = models.CharField(max_length=32)
    title = models.TextField()
    data = models.JSONField(default=dict, help_text="Titles, short titles, ISSNs, ISBNs as deposited.")
    doi = models.CharField(max_length=2048, blank=True, db_index=True)
    publisher = models.CharField(max_length=500, blank=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="titles"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class TitleIdentifier(models.Model):
    """An ISSN or ISBN of a title; each belongs to one title only."""

    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="identifiers")
    scheme = models.CharField(max_length=4)  # issn | isbn
    value = models.CharField(max_length=20)  # normalised: 1234-5678, 9781234567897
    type = models.CharField(max_length=16, blank=True)  # print | electronic

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scheme", "value"], name="unique_title_identifier")]

    def __str__(self) -> str:
        return f"{self.scheme.upper()} {self.value}"


class Work(models.Model):
    doi = models.CharField(max_length=2048, unique=True, help_text="Lower case; look up case-insensitively.")
    type = models.CharField(max_length=40, db_index=True)
    subtype = models.CharField(max_length=40, blank=True)
    title = models.TextField(blank=True)
    container = models.ForeignKey(
        Title, null=True, blank=True, on_delete=models.SET_NULL, related_name="works"
    )
    container_title = models.TextField(blank=True)
    volume = models.CharField(max_length=100, blank=True)
    issue = models.CharField(max_length=100, blank=True)
    first_page = models.CharField(max_length=100, blank=True)
    article_number = models.CharField(max_length=100, blank=True)
    issued = models.CharField(
        max_length=10, blank=True, db_index=True, help_text="YYYY-MM-DD, 00 where unknown"
    )
    url = models.TextField(blank=True, help_text="The primary resolution URL.")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="works")
    prefix = models.ForeignKey(Prefix, null=True, blank=True, on_delete=models.PROTECT, related_name="works")
    deposit_timestamp = models.BigIntegerField(null=True, blank=True)
    last_submission_id = models.BigIntegerField(null=True, blank=True)
    source = models.CharField(max_length=16, default="deposit")  # deposit | import | form
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now)
    indexed_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "type"]),
            models.Index(fields=["container", "volume", "issue", "first_page"]),
        ]

    def __str__(self) -> str:
        return self.doi


class ResourceUrl(models.Model):
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="resource_urls")
    url = models.TextField()
    kind = models.CharField(max_length=16, default="primary")
    label = models.CharField(max_length=200, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["work", "position"]

    def __str__(self) -> str:
        return self.url


class WorkReference(models.Model):
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="references")
    key = models.CharField(max_length=200)
    position = models.PositiveIntegerField()
    doi = models.CharField(max_length=2048, blank=True, db_index=True, help_text="As deposited.")
    unstructured = models.TextField(blank=True)
    data = models.JSONField(default=dict)
    matched_doi = models.CharField(max_length=2048, blank=True, db_index=True)
    match_status = models.CharField(max_length=16, default="pending")  # pending | matched | unmatched
    confidence = models.FloatField(null=True, blank=True)
    method = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["work", "position"]
        indexes = [models.Index(fields=["match_status"])]

    def __str__(self) -> str:
        return f"{self.work_id}#{self.key}"


class WorkRelation(models.Model):
    """A relation or Crossmark update from `work` to `target`. The reverse side
    (is-referenced, updated-by) is found by looking up `target`, whatever was deposited first."""

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="relations")
    kind = models.CharField(max_length=8)  # relation | update
    type = models.CharField(max_length=64)
    target = models.CharField(max_length=2048, db_index=True, help_text="Lower-cased identifier.")
    id_type = models.CharField(max_length=16, default="doi")
    data = models.JSONField(default=dict)

    class Meta:
        indexes = [models.Index(fields=["kind", "type"])]

    def __str__(self) -> str:
        return f"{self.type} {self.target}"


class WorkFunder(models.Model):
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="funders")
    funder_id = models.CharField(max_length=200, blank=True, db_index=True)
    name = models.TextField(blank=True)
    awards = models.JSONField(default=list)

    def __str__(self) -> str:
        return self.name or self.funder_id

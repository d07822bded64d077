"""The registry: works, their titles, resource URLs, references, relations and funders.

A work's complete metadata is kept as deposited in `Work.data` (the JSON of a
`linking.records.WorkRecord`); columns and side tables hold what lookups, filters and
joins need, each with an index."""

from __future__ import annotations

import uuid

from django.conf import settings
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
    cited_by_count = models.PositiveIntegerField(
        default=0, help_text="Matched references that cite this DOI."
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now)
    indexed_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "type"]),
            models.Index(fields=["container", "volume", "issue", "first_page"]),
            # Harvest paging (from-index-date with cursors) and sort=updated|deposited.
            models.Index(fields=["indexed_at", "id"], name="work_indexed_id"),
            models.Index(fields=["updated_at"], name="work_updated_at"),
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
    match_key = models.CharField(
        max_length=200,
        blank=True,
        db_index=True,
        help_text="Blocking key of an unmatched reference, so newly registered works find it again.",
    )
    matched_at = models.DateTimeField(null=True, blank=True)

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


class Funder(models.Model):
    """An entry of the funder registry (Open Funder Registry id, optionally its ROR id)."""

    funder_id = models.CharField(max_length=64, unique=True, help_text="Registry id, e.g. 100000001.")
    name = models.TextField()
    alt_names = models.JSONField(default=list, blank=True)
    ror = models.CharField(max_length=64, blank=True, db_index=True, help_text="https://ror.org/0xxxxxx")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    country = models.CharField(max_length=64, blank=True)
    uri = models.URLField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def doi(self) -> str:
        return f"10.13039/{self.funder_id}"


class ResolutionCount(models.Model):
    """Resolutions of one DOI in one month, flushed in batches from a fast counter."""

    doi = models.CharField(max_length=2048)
    month = models.DateField(help_text="First day of the month.")
    count = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["doi", "month"], name="unique_resolution_month")]

    def __str__(self) -> str:
        return f"{self.doi} {self.month:%Y-%m}: {self.count}"


class DoiErrorReport(models.Model):
    """A reader's report that a DOI failed to resolve (feeds the DOI error report)."""

    doi = models.CharField(max_length=2048, db_index=True)
    email = models.EmailField(blank=True)
    referrer = models.TextField(blank=True)
    comment = models.TextField(blank=True)
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="doi_error_reports",
        help_text="The owner of the DOI's prefix, when known.",
    )
    resolved = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return self.doi


class ConflictStatus(models.TextChoices):
    OPEN = "open", "Open"
    PRIMARY = "primary", "Resolved: this DOI is primary"
    ALIAS = "alias", "Resolved: this DOI is an alias of the other"
    ACCEPTED = "accepted", "Accepted: both DOIs are distinct works"


class WorkConflict(models.Model):
    """Two DOIs that carry the same citation metadata ("added with conflict")."""

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="conflicts")
    other = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16, choices=ConflictStatus.choices, default=ConflictStatus.OPEN)
    submission_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["work", "other"], name="unique_work_conflict")]
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.work_id} ~ {self.other_id} ({self.status})"


class ExternalUpdate(models.Model):
    """An update asserted by a third party (Retraction Watch) about a DOI, shown beside
    the publisher's own Crossmark updates as `updated-by` with its `source`."""

    source = models.CharField(max_length=32, default="retraction-watch")
    record_id = models.CharField(max_length=64, help_text="The source's own id of the entry.")
    target = models.CharField(max_length=2048, db_index=True, help_text="Lower-cased DOI of the original.")
    notice_doi = models.CharField(max_length=2048, blank=True)
    type = models.CharField(max_length=64)  # retraction | correction | expression_of_concern | ...
    date = models.CharField(max_length=10, blank=True, help_text="YYYY-MM-DD")
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "record_id"], name="unique_external_update")]

    def __str__(self) -> str:
        return f"{self.type} of {self.target} ({self.source})"


class StqJobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting for a worker"
    RUNNING = "running", "Matching"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class SimpleTextQueryJob(models.Model):
    """A Simple Text Query too large to match inside the web request. Whoever has the URL
    (the random `public_id`) may see it, like a paste; it is listed nowhere public and is
    deleted after a retention period (linking/matching/stq.py)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    text = models.TextField(help_text="The references as pasted.")
    references = models.JSONField(default=list, help_text="The pasted text split into references.")
    status = models.CharField(max_length=16, choices=StqJobStatus.choices, default=StqJobStatus.QUEUED)
    progress = models.PositiveIntegerField(default=0, help_text="References matched so far.")
    results = models.JSONField(default=list, help_text="One row per reference matched so far.")
    error = models.CharField(max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"Simple Text Query {self.public_id} ({self.status})"

    @property
    def total(self) -> int:
        return len(self.references)

    @property
    def is_finished(self) -> bool:
        return self.status in (StqJobStatus.DONE, StqJobStatus.FAILED)

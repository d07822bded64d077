"""django-import-export resources of the registry (the staff back office's spreadsheet view).

Funders are keyed on their registry id, so a re-import updates and never duplicates;
`funder_id` may be given as the id or the funder DOI in any spelling. `alt_names` is one
cell with names separated by `|`; `parent` names the parent's registry id (or ROR id) and
is linked once every row is in, so a child may come before its parent in the file."""

from __future__ import annotations

from import_export import fields, resources, widgets

from linking.funders import NAMES, registry_id, ror_normalised
from linking.models import Funder


class NamesWidget(widgets.Widget):
    """A list of names as one `|`-separated cell."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, list):
            return [str(v).strip() for v in value if str(v).strip()]
        return [v.strip() for v in str(value or "").split("|") if v.strip()]

    def render(self, value, obj=None, **kwargs):
        return " | ".join(value or [])


class FunderResource(resources.ModelResource):
    alt_names = fields.Field(attribute="alt_names", column_name="alt_names", widget=NamesWidget())
    parent = fields.Field(column_name="parent", readonly=True)

    class Meta:
        model = Funder
        import_id_fields = ["funder_id"]
        fields = ["funder_id", "name", "alt_names", "ror", "country", "uri", "parent"]
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.parents: dict[str, str] = {}

    def dehydrate_parent(self, funder: Funder) -> str:
        return funder.parent.funder_id if funder.parent_id else ""

    def before_import_row(self, row, **kwargs):
        row["funder_id"] = registry_id(str(row.get("funder_id") or "")) or str(row.get("funder_id") or "")
        if row.get("ror"):
            row["ror"] = ror_normalised(str(row["ror"])) or str(row["ror"])
        if "parent" in row:
            self.parents[row["funder_id"]] = str(row.get("parent") or "").strip()

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if kwargs.get("dry_run") or result.has_errors() or not self.parents:
            return
        funders = {f.funder_id: f for f in Funder.objects.filter(funder_id__in=self.parents)}
        wanted = {v for v in self.parents.values() if v}
        by_id = {
            f.funder_id: f for f in Funder.objects.filter(funder_id__in={registry_id(v) for v in wanted})
        }
        by_ror = {f.ror: f for f in Funder.objects.filter(ror__in={ror_normalised(v) for v in wanted} - {""})}
        changed = []
        for funder_id, parent_key in self.parents.items():
            funder = funders.get(funder_id)
            if funder is None:
                continue
            parent = (
                (by_id.get(registry_id(parent_key)) or by_ror.get(ror_normalised(parent_key)))
                if parent_key
                else None
            )
            if funder.parent_id != (parent.pk if parent and parent.pk != funder.pk else None):
                funder.parent = parent if parent and parent.pk != funder.pk else None
                changed.append(funder)
        Funder.objects.bulk_update(changed, ["parent"])
        NAMES.reset()

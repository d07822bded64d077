"""The funder registry: import (CSV, REST API JSON, ROR dump; command and admin), re-import,
parents, look-up by any id, and matching deposited names."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from linking.funder_files import FunderFileError, entries_from_csv, entries_from_file
from linking.funders import funder_match_name, funder_resolve, funders_import
from linking.models import Funder
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REGISTRY_CSV = """uri,primary_name_display,other_names_display,country,parent_uri
http://dx.doi.org/10.13039/100000076,Directorate for Biological Sciences,NSF BIO,United States,http://dx.doi.org/10.13039/100000001
http://dx.doi.org/10.13039/100000001,National Science Foundation,NSF|US NSF,United States,
http://dx.doi.org/10.13039/501100009193,Marsden Fund,Te Pūtea Rangahau a Marsden,New Zealand,
"""

API_JSON = {
    "status": "ok",
    "message-type": "funder-list",
    "message": {
        "items": [
            {
                "id": "501100000781",
                "location": "Belgium",
                "name": "European Research Council",
                "alt-names": ["ERC"],
                "uri": "http://dx.doi.org/10.13039/501100000781",
                "replaces": [],
                "replaced-by": [],
                "tokens": ["european", "research", "council", "erc"],
            }
        ]
    },
}

ROR_DUMP = [
    {
        "id": "https://ror.org/021nxhr62",
        "names": [
            {"value": "National Science Foundation", "types": ["ror_display", "label"], "lang": "en"},
            {"value": "NSF", "types": ["acronym"], "lang": None},
        ],
        "external_ids": [{"type": "fundref", "all": ["100000001"], "preferred": "100000001"}],
        "relationships": [],
        "locations": [{"geonames_details": {"country_name": "United States"}}],
    },
    {
        "id": "https://ror.org/05nwjp114",
        "names": [{"value": "Directorate for Biological Sciences", "types": ["ror_display"]}],
        "external_ids": [{"type": "fundref", "all": ["100000076"], "preferred": None}],
        "relationships": [{"type": "parent", "id": "https://ror.org/021nxhr62", "label": "NSF"}],
    },
    {  # no FundRef id: not a funder
        "id": "https://ror.org/01an7q238",
        "names": [{"value": "University of California, Berkeley", "types": ["ror_display"]}],
        "external_ids": [{"type": "grid", "all": ["grid.47840.3f"]}],
    },
]


def test_registry_csv_imports_with_parents_and_reimport_updates_without_duplicates(tmp_path):
    path = tmp_path / "funders.csv"
    path.write_text(REGISTRY_CSV)
    call_command("import_funders", str(path))
    assert Funder.objects.count() == 3
    bio = Funder.objects.get(funder_id="100000076")
    assert bio.parent.funder_id == "100000001"  # the child came first in the file
    assert Funder.objects.get(funder_id="100000001").alt_names == ["NSF", "US NSF"]

    path.write_text(
        REGISTRY_CSV.replace("Marsden Fund,", "Marsden Fund Council,").replace(
            ",http://dx.doi.org/10.13039/100000001\n", ",\n"
        )
    )
    call_command("import_funders", str(path))
    assert Funder.objects.count() == 3
    assert Funder.objects.get(funder_id="501100009193").name == "Marsden Fund Council"
    assert Funder.objects.get(funder_id="100000076").parent is None


def test_rest_api_json_and_ror_dump(tmp_path):
    (tmp_path / "api.json").write_text(json.dumps(API_JSON))
    (tmp_path / "ror.json").write_text(json.dumps(ROR_DUMP))
    call_command("import_funders", str(tmp_path / "api.json"), str(tmp_path / "ror.json"))
    assert sorted(Funder.objects.values_list("funder_id", flat=True)) == [
        "100000001",
        "100000076",
        "501100000781",
    ]
    erc = Funder.objects.get(funder_id="501100000781")
    assert (erc.name, erc.alt_names, erc.country) == ("European Research Council", ["ERC"], "Belgium")
    nsf = Funder.objects.get(funder_id="100000001")
    assert (nsf.ror, nsf.alt_names, nsf.country) == ("https://ror.org/021nxhr62", ["NSF"], "United States")
    assert Funder.objects.get(funder_id="100000076").parent == nsf  # parent named by its ROR id


def test_ror_ids_and_funder_dois_resolve_in_every_spelling():
    funders_import(entries=entries_from_file("ror.json", json.dumps(ROR_DUMP).encode()))
    nsf = Funder.objects.get(funder_id="100000001")
    for spelling in (
        "100000001",
        "10.13039/100000001",
        "https://doi.org/10.13039/100000001",
        "http://dx.doi.org/10.13039/100000001",
        "https://ror.org/021nxhr62",
        "ror.org/021NXHR62",
        "021nxhr62",
    ):
        assert funder_resolve(spelling) == nsf, spelling
    assert funder_resolve("10.13039/999") is None
    assert funder_resolve("not an id") is None


def test_deposited_names_match_the_registry_by_name_or_alternative_name():
    funders_import(entries=entries_from_csv(REGISTRY_CSV))
    assert funder_match_name("National Science Foundation").funder_id == "100000001"
    assert funder_match_name("the national science foundation.").funder_id == "100000001"
    assert funder_match_name("US NSF").funder_id == "100000001"
    assert funder_match_name("te putea rangahau a marsden").funder_id == "501100009193"
    assert funder_match_name("National Science Fund") is None
    # Two funders sharing a name: no guess.
    funders_import(entries=entries_from_csv("id,name\n100000999,Marsden Fund\n"))
    assert funder_match_name("Marsden Fund") is None


def test_bad_files_are_refused_with_the_reason(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("code,label\n1,x\n")
    with pytest.raises(CommandError, match="no funder_id or name column"):
        call_command("import_funders", str(bad))
    with pytest.raises(FunderFileError, match="not valid JSON"):
        entries_from_file("x.json", b"{nope")
    result = funders_import(entries=entries_from_csv("id,name\nabc,Somebody\n100000002,\n"))
    assert result.created == 0 and len(result.problems) == 2
    assert "'abc' is not a funder registry id" in result.problems[0]


def test_staff_import_funders_through_the_admin_with_preview(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    csv_text = (
        "funder_id,name,alt_names,ror,country,uri,parent\n"
        "100000076,Directorate for Biological Sciences,NSF BIO,,United States,,100000001\n"
        "10.13039/100000001,National Science Foundation,NSF | US NSF,"
        "https://ror.org/021nxhr62,United States,,\n"
    )
    upload = SimpleUploadedFile("funders.csv", csv_text.encode(), content_type="text/csv")
    preview = client.post(
        reverse("admin:linking_funder_import"), {"import_file": upload, "format": "0", "resource": "0"}
    )
    assert preview.status_code == 200 and Funder.objects.count() == 0
    confirm = preview.context["confirm_form"]
    done = client.post(reverse("admin:linking_funder_process_import"), confirm.initial)
    assert done.status_code == 302
    nsf = Funder.objects.get(funder_id="100000001")
    assert nsf.alt_names == ["NSF", "US NSF"] and nsf.ror == "https://ror.org/021nxhr62"
    assert Funder.objects.get(funder_id="100000076").parent == nsf
    exported = client.post(reverse("admin:linking_funder_export"), {"format": "0", "resource": "0"})
    assert exported.status_code == 200

"""RDF (`application/rdf+xml`, `text/turtle`) in the real service's vocabulary: the work is
`http://dx.doi.org/<doi>` described with Dublin Core terms, BIBO, PRISM and OWL; people are
FOAF persons named `http://id.crossref.org/contributor/<name slug>-<work slug>`; a journal
is `http://id.crossref.org/issn/<issn>` (a book `.../isbn/<isbn>`)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import quote

from rdflib import RDF, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL

from linking.formats.common import Source, doi_url, isbns, issns, issued, person_name, plain
from linking.records import PartialDate

BIBO = Namespace("http://purl.org/ontology/bibo/")
PRISM = Namespace("http://prismstandard.org/namespaces/basic/2.1/")
ID_BASE = "http://id.crossref.org/"
CREATOR_ROLES = ("author", "editor", "translator", "chair")

RDF_XML = "application/rdf+xml"
TURTLE = "text/turtle"

_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def contributor_slug(name: str) -> str:
    text = unicodedata.normalize("NFD", name).lower().replace(".", " ")
    text = re.sub(r"\s+", "-", text)
    text = re.sub(r"[^a-z-]", "", text)
    return re.sub(r"-+", "-", text).strip("-")


def work_slug(doi: str) -> str:
    """Base 36 of the second 64 bits of the MD5 of the DOI (its hex without leading zeros)."""
    digest = format(int(hashlib.md5(doi.encode()).hexdigest(), 16), "x")
    number = int(digest[16:32] or "0", 16)
    out = ""
    while number:
        number, rest = divmod(number, 36)
        out = _B36[rest] + out
    return out or "0"


def uri(text: str) -> URIRef:
    """An IRI rdflib serialises safely: DOIs may hold `<`, `>`, `#`, blanks and the like."""
    return URIRef(quote(text, safe="/:;()[]@!$&'*+,=-._~?"))


def contributor_uri(name: str, doi: str) -> URIRef:
    return URIRef(f"{ID_BASE}contributor/{contributor_slug(name)}-{work_slug(doi)}")


def typed_date(date: PartialDate) -> Literal:
    if date.month and date.day:
        return Literal(f"{date.year:04d}-{date.month:02d}-{date.day:02d}", datatype=XSD.date)
    if date.month:
        return Literal(f"{date.year:04d}-{date.month:02d}", datatype=XSD.gYearMonth)
    return Literal(f"{date.year:04d}", datatype=XSD.gYear)


def graph(source: Source) -> Graph:
    record, doi = source.record, source.doi
    g = Graph()
    g.bind("dcterms", DCTERMS)
    g.bind("bibo", BIBO)
    g.bind("prism", PRISM)
    g.bind("foaf", FOAF)
    g.bind("owl", OWL)
    work = uri(doi_url(doi))

    def add(subject, predicate, value: str) -> None:
        if value:
            g.add((subject, predicate, Literal(value)))

    add(work, DCTERMS.identifier, doi)
    g.add((work, OWL.sameAs, uri(f"doi:{doi}")))
    g.add((work, OWL.sameAs, uri(f"info:doi/{doi}")))
    add(work, PRISM.doi, doi)
    add(work, BIBO.doi, doi)
    add(work, DCTERMS.title, plain(record.title))
    add(work, DCTERMS.publisher, plain(source.publisher))
    add(work, PRISM.volume, record.volume)
    add(work, BIBO.volume, record.volume)
    add(work, PRISM.number, record.issue)
    add(work, BIBO.issue, record.issue)
    add(work, PRISM.startingPage, record.first_page)
    add(work, BIBO.pageStart, record.first_page)
    add(work, PRISM.endingPage, record.last_page)
    add(work, BIBO.pageEnd, record.last_page)
    date = issued(record)
    if date:
        g.add((work, DCTERMS.date, typed_date(date)))
    container_title = plain(source.container_title)
    for issn in issns(record)[:1]:
        journal = uri(f"{ID_BASE}issn/{issn['value']}")
        g.add((journal, RDF.type, BIBO.Journal))
        add(journal, DCTERMS.title, container_title)
        add(journal, PRISM.issn, issn["value"])
        add(journal, BIBO.issn, issn["value"])
        add(journal, OWL.sameAs, f"urn:issn:{issn['value']}")
        g.add((work, DCTERMS.isPartOf, journal))
    for isbn in isbns(record)[:1]:
        if record.type in ("edited-book", "monograph", "reference-book", "book"):
            add(work, BIBO.isbn, isbn["value"])
            continue
        book = uri(f"{ID_BASE}isbn/{isbn['value'].replace(' ', '')}")
        g.add((book, RDF.type, BIBO.Book))
        add(book, DCTERMS.title, container_title)
        add(book, BIBO.isbn, isbn["value"])
        add(book, OWL.sameAs, f"urn:isbn:{isbn['value']}")
        g.add((work, DCTERMS.isPartOf, book))
    for person in record.contributors:
        if person.role not in CREATOR_ROLES:
            continue
        name = plain(person_name(person))
        if not name:
            continue
        node = contributor_uri(name, doi)
        g.add((node, RDF.type, FOAF.Person if person.family or person.given else FOAF.Organization))
        add(node, FOAF.name, name)
        add(node, FOAF.givenName, plain(person.given))
        add(node, FOAF.familyName, plain(person.family))
        if person.orcid:
            g.add((node, OWL.sameAs, uri(person.orcid)))
        g.add((work, DCTERMS.creator, node))
    return g


def render_rdf_xml(source: Source) -> str:
    return graph(source).serialize(format="pretty-xml")


def render_turtle(source: Source) -> str:
    return graph(source).serialize(format="turtle")

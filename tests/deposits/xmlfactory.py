"""Small, schema-valid Crossref 5.5.0 deposits built to order, for rule tests."""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape


@dataclass
class Article:
    doi: str
    title: str = "Tidal mixing in small estuaries"
    first_page: str = "1"
    orcid: str = ""
    url: str = ""


def journal_deposit(
    *articles: Article,
    timestamp: int = 20240101000000,
    batch_id: str = "batch-1",
    journal: str = "Coastal Letters",
    issn: str = "1234-5679",
    email: str = "deposits@coastal.example",
) -> bytes:
    items = []
    for article in articles:
        orcid = f"<ORCID>{escape(article.orcid)}</ORCID>" if article.orcid else ""
        url = article.url or "https://coastal.example/" + article.doi.split("/", 1)[-1]
        items.append(
            f"""
    <journal_article publication_type="full_text">
      <titles><title>{escape(article.title)}</title></titles>
      <contributors>
        <person_name sequence="first" contributor_role="author">
          <given_name>Mere</given_name><surname>Parata</surname>{orcid}
        </person_name>
      </contributors>
      <publication_date media_type="online"><month>03</month><year>2024</year></publication_date>
      <pages><first_page>{escape(article.first_page)}</first_page></pages>
      <doi_data>
        <doi>{escape(article.doi)}</doi>
        <resource>{escape(url)}</resource>
      </doi_data>
    </journal_article>"""
        )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<doi_batch xmlns="http://www.crossref.org/schema/5.5.0" version="5.5.0">
  <head>
    <doi_batch_id>{escape(batch_id)}</doi_batch_id>
    <timestamp>{timestamp}</timestamp>
    <depositor>
      <depositor_name>Coastal Press</depositor_name><email_address>{email}</email_address>
    </depositor>
    <registrant>Coastal Press</registrant>
  </head>
  <body>
  <journal>
    <journal_metadata language="en">
      <full_title>{escape(journal)}</full_title>
      <issn media_type="print">{issn}</issn>
    </journal_metadata>
    <journal_issue>
      <publication_date media_type="online"><year>2024</year></publication_date>
      <journal_volume><volume>3</volume></journal_volume>
      <issue>2</issue>
    </journal_issue>{"".join(items)}
  </journal>
  </body>
</doi_batch>
""".encode()

"""Accept headers -> the format to answer with; citation style and locale parameters; the
errors callers turn into 406/400. No database: these are pure functions."""

from __future__ import annotations

import pytest

from linking import formats
from linking.formats import (
    MEDIA_TYPES,
    UnknownLocale,
    UnknownStyle,
    UnsupportedFormat,
    bibliography_params,
    citation,
    negotiate,
    parse_accept,
)


@pytest.mark.parametrize(
    "accept, expected",
    [
        ("application/x-bibtex", "application/x-bibtex"),
        ("application/vnd.citationstyles.csl+json", "application/vnd.citationstyles.csl+json"),
        ("application/json", "application/json"),
        ("application/citeproc+json", "application/citeproc+json"),
        ("text/x-bibliography; style=apa", "text/x-bibliography"),
        ("text/bibliography;style=ieee", "text/bibliography"),
        ("application/unixref+xml", "application/unixref+xml"),
        ("APPLICATION/X-BIBTEX", "application/x-bibtex"),
        # q-values decide; order breaks ties; more specific beats wildcard at equal q
        (
            "application/x-bibtex;q=0.5, application/x-research-info-systems",
            "application/x-research-info-systems",
        ),
        ("text/turtle;q=0.9, application/rdf+xml;q=0.9", "text/turtle"),
        ("application/*;q=0.9, application/x-bibtex;q=0.9", "application/x-bibtex"),
        ("application/*", "application/vnd.citationstyles.csl+json"),
        # formats we do not speak are skipped for the next acceptable one
        ("application/pdf, text/turtle;q=0.1", "text/turtle"),
        # the landing page: HTML, anything, nothing
        ("text/html", None),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", None),
        ("*/*", None),
        ("", None),
        (None, None),
        ("application/x-bibtex;q=0.5, text/html", None),
        # HTML refused outright (q=0) lets the data format win
        ("text/html;q=0, application/x-bibtex", "application/x-bibtex"),
    ],
)
def test_negotiate(accept, expected):
    assert negotiate(accept) == expected


@pytest.mark.parametrize(
    "accept", ["application/pdf", "image/png, video/*", "application/x-bibtex;q=0", "nonsense", "*/json"]
)
def test_nothing_acceptable_raises_with_the_list(accept):
    with pytest.raises(UnsupportedFormat) as caught:
        negotiate(accept)
    assert "application/x-bibtex" in str(caught.value)


def test_parse_accept_reads_parameters_with_blanks_and_quotes():
    (first, second) = parse_accept(
        'text/x-bibliography ; style = "chicago-author-date" ; locale = de-DE, */*;q=0.1'
    )
    assert first.type == "text/x-bibliography"
    assert first.params == {"style": "chicago-author-date", "locale": "de-DE"}
    assert (second.type, second.q) == ("*/*", 0.1)
    # malformed q is taken as 1; q above 1 is capped
    assert [r.q for r in parse_accept("a/b;q=x, c/d;q=7")] == [1.0, 1.0]


@pytest.mark.parametrize(
    "accept, expected",
    [
        ("text/x-bibliography; style=ieee; locale=fr-FR", ("ieee", "fr-FR")),
        ("text/x-bibliography; style = apa; locale = en-US", ("apa", "en-US")),
        ("text/bibliography; style=mla", ("mla", "en-US")),
        ("application/x-bibtex, text/x-bibliography;locale=de-DE;q=0.5", ("apa", "de-DE")),
        ("application/x-bibtex", ("apa", "en-US")),
        (None, ("apa", "en-US")),
    ],
)
def test_bibliography_params(accept, expected):
    assert bibliography_params(accept) == expected


def test_every_advertised_type_has_a_renderer():
    assert set(MEDIA_TYPES) <= set(formats.RENDERERS)
    assert "text/html" not in MEDIA_TYPES
    for alias, target in formats.ALIASES.items():
        assert target in formats.RENDERERS, alias


def test_render_refuses_what_we_do_not_speak():
    with pytest.raises(UnsupportedFormat, match="application/pdf"):
        formats.render(object(), "application/pdf")


def test_unknown_style_and_locale_name_themselves():
    with pytest.raises(UnknownStyle) as caught:
        citation.style_path("no-such-style-at-all")
    assert caught.value.style == "no-such-style-at-all"
    assert "no-such-style-at-all" in str(caught.value)
    assert isinstance(caught.value, UnsupportedFormat)  # callers catching 406 see it too
    with pytest.raises(UnknownStyle):
        citation.style_path("../../etc/passwd")
    with pytest.raises(UnknownLocale) as caught:
        citation.check_locale("xx-YY")
    assert "xx-YY" in str(caught.value)
    with pytest.raises(UnknownLocale):
        citation.check_locale("en-US/../../x")


def test_style_aliases_and_bare_languages():
    assert citation.style_path("mla").stem == "modern-language-association"
    assert citation.style_path("APA").stem == "apa"
    assert citation.style_path("harvard1").stem == "harvard-cite-them-right"
    assert citation.check_locale("de") == "de-DE"
    assert citation.check_locale("en-GB") == "en-GB"
    assert "ieee" in citation.available_styles()

"""The public catalog pages: search, facets, a measure, a comparison, tools."""

from datetime import date
from types import SimpleNamespace

import pytest
from django.db import connection
from django.urls import reverse

from measures.models import Measure, MeasureAdoption
from tests import factories
from tests.queries import assert_constant

pytestmark = pytest.mark.django_db

LIST = reverse("measures:measure-list")
COMPARE = reverse("measures:measure-compare")
TOOLS = reverse("measures:tool-list")


@pytest.fixture
def catalog():
    pqi = factories.MeasureSetFactory(code="PQI", name="AHRQ Prevention Quality Indicators")
    cahps = factories.MeasureSetFactory(code="CAHPS", name="CAHPS Surveys")
    prevention = "Prevention: ambulatory care sensitive conditions"

    def pqi_measure(code, title, **fields):
        fields = {"type": "", "level": Measure.Level.AREA, "domain": prevention,
                  "setting": "Inpatient", **fields}
        return factories.MeasureFactory(measure_set=pqi, code=code, title=title, **fields)

    diabetes = pqi_measure(
        "PQI 01", "Diabetes Short-Term Complications Admission Rate",
        description="Admissions for diabetes short-term complications per 100,000 population.",
        numerator="Discharges with a principal diagnosis of diabetes complications.",
        steward="Agency for Healthcare Research and Quality (AHRQ)",
        endorsement_number="0272",
    )
    appendix = pqi_measure(
        "PQI 02", "Perforated Appendix Admission Rate", status=Measure.Status.RETIRED
    )
    asthma = pqi_measure(
        "PQI 15", "Asthma in Younger Adults Admission Rate",
        description="Admissions with a principal diagnosis of asthma per 100,000 population.",
    )
    copd = pqi_measure(
        "PQI 05", "Chronic Obstructive Pulmonary Disease in Older Adults",
        description="Counts admissions; asthma in older adults is included.",
    )
    composite = pqi_measure("PQI 90", "Prevention Quality Overall Composite",
                            type=Measure.Type.COMPOSITE)
    composite.components.set([diabetes, asthma])
    hospital_survey = factories.MeasureFactory(
        measure_set=cahps, code="HCAHPS", title="CAHPS Hospital Survey",
        description="Patients' perspectives of hospital care.",
        type=Measure.Type.PATIENT_EXPERIENCE, level=Measure.Level.HOSPITAL,
        domain="Patient experience", setting="Inpatient", improvement_notation="",
    )
    plan_survey = factories.MeasureFactory(
        measure_set=cahps, code="CAHPS Health Plan", title="CAHPS Health Plan Survey",
        type=Measure.Type.PATIENT_EXPERIENCE, level=Measure.Level.PLAN,
        domain="Patient experience", setting="", improvement_notation="",
    )
    return SimpleNamespace(
        pqi=pqi, cahps=cahps, diabetes=diabetes, appendix=appendix, asthma=asthma,
        copd=copd, composite=composite, hospital_survey=hospital_survey,
        plan_survey=plan_survey,
    )


def codes(response):
    return [measure.code for measure in response.context["measures"]]


def facet_counts(response, name):
    facet = next(facet for facet in response.context["facets"] if facet.name == name)
    return {option.value: option.count for option in facet.options}


# --- the list: public, searchable, faceted ------------------------------------------------


def test_the_catalog_is_public_and_shows_code_title_set_type_level_and_status(client, catalog):
    response = client.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["page_obj"].paginator.count == 7
    for text in ("PQI 90", "Prevention Quality Overall Composite", "Composite", "Area",
                 "Patient experience", "Health plan", "CAHPS"):
        assert text in html
    row = html[html.index("PQI 02"):]
    row = row[: row.index("</tr>")]
    assert "Retired" in row and "usa-tag" in row


def test_the_catalog_and_tools_are_in_everyones_navigation_and_on_the_home_page(
    client, lead_user
):
    html = client.get(reverse("core:home")).content.decode()
    assert f'href="{LIST}"' in html and f'href="{TOOLS}"' in html
    for user in (None, lead_user):
        if user is not None:
            client.force_login(user)
        nav = {item["label"]: item for item in client.get(LIST).context["nav_items"]}
        assert nav["Measures"]["current"] and not nav["Tools"]["current"]
        assert nav["Tools"]["url"] == TOOLS


def test_search_finds_a_measure_by_code_and_by_words_of_its_title(client, catalog):
    assert codes(client.get(LIST, {"q": "PQI 90"})) == ["PQI 90"]
    assert codes(client.get(LIST, {"q": "hcahps"})) == ["HCAHPS"]
    assert codes(client.get(LIST, {"q": "perforated appendix"})) == ["PQI 02"]
    assert set(codes(client.get(LIST, {"q": "survey"}))) == {"HCAHPS", "CAHPS Health Plan"}
    assert codes(client.get(LIST, {"q": "   "})) == codes(client.get(LIST))


def test_search_reads_the_description_too(client, catalog):
    assert codes(client.get(LIST, {"q": "perspectives"})) == ["HCAHPS"]


@pytest.mark.postgres
def test_postgres_search_ranks_title_matches_above_description_matches(client, catalog):
    # "asthma" is in PQI 15's title (weight A) and only in PQI 05's description (B).
    assert codes(client.get(LIST, {"q": "asthma"})) == ["PQI 15", "PQI 05"]


@pytest.mark.postgres
def test_postgres_search_understands_quoted_phrases(client, catalog):
    # Both have the words; only PQI 15 has the phrase (PQI 05 says "asthma in older adults").
    assert set(codes(client.get(LIST, {"q": "asthma adults"}))) == {"PQI 15", "PQI 05"}
    assert codes(client.get(LIST, {"q": '"asthma in younger adults"'})) == ["PQI 15"]


@pytest.mark.postgres
def test_postgres_search_understands_or_and_exclusion(client, catalog):
    assert set(codes(client.get(LIST, {"q": "appendix OR perspectives"}))) == {
        "PQI 02", "HCAHPS",
    }
    found = codes(client.get(LIST, {"q": "admission rate -diabetes"}))
    assert "PQI 01" not in found
    assert {"PQI 02", "PQI 15"} <= set(found)


@pytest.mark.postgres
def test_postgres_search_stems_words(client, catalog):
    assert "PQI 01" in codes(client.get(LIST, {"q": "complication"}))


def test_the_search_box_explains_the_syntax_the_database_understands(client, catalog):
    html = client.get(LIST).content.decode()
    assert ('Put a phrase in "quotes"' in html) == (connection.vendor == "postgresql")


def test_facets_combine_across_and_widen_within(client, catalog):
    assert set(codes(client.get(LIST, {"set": "CAHPS", "level": "hospital"}))) == {"HCAHPS"}
    assert set(codes(client.get(LIST, {"level": ["hospital", "plan"]}))) == {
        "HCAHPS", "CAHPS Health Plan",
    }
    assert codes(client.get(LIST, {"set": "PQI", "status": "retired"})) == ["PQI 02"]
    assert codes(client.get(LIST, {"type": "composite", "q": "prevention"})) == ["PQI 90"]
    assert set(codes(client.get(LIST, {"setting": "Inpatient", "set": "CAHPS"}))) == {"HCAHPS"}
    assert set(codes(client.get(LIST, {"domain": "Patient experience"}))) == {
        "HCAHPS", "CAHPS Health Plan",
    }


def test_each_facet_counts_under_every_other_filter_but_its_own(client, catalog):
    response = client.get(LIST, {"set": "PQI", "status": "current"})
    assert response.context["page_obj"].paginator.count == 4
    # Sets: counted with status=current only, so the other set still shows its count.
    assert facet_counts(response, "set") == {"CAHPS": 2, "PQI": 4}
    # Status: counted with set=PQI only, so "retired" says what ticking it would add.
    assert facet_counts(response, "status") == {"current": 4, "retired": 1}
    # Level: counted with both.
    assert facet_counts(response, "level") == {"area": 4}
    assert facet_counts(response, "type") == {"composite": 1}
    selected = {
        (facet.name, option.value)
        for facet in response.context["facets"] for option in facet.options if option.selected
    }
    assert selected == {("set", "PQI"), ("status", "current")}


@pytest.fixture
def programs(catalog):
    from measures.models import ProgramMembership, QualityProgram

    adult = QualityProgram.objects.create(
        code="MEDICAID-ADULT-CORE", name="Medicaid Adult Core Set", publisher="CMS",
        source_url="https://www.medicaid.gov/adult",
    )
    child = QualityProgram.objects.create(
        code="MEDICAID-CHILD-CORE", name="Medicaid and CHIP Child Core Set", publisher="CMS",
        source_url="https://www.medicaid.gov/child",
    )
    for measure, program, years in (
        (catalog.diabetes, adult, (2024, 2025)),
        (catalog.asthma, adult, (2025,)),
        (catalog.plan_survey, adult, (2025,)),
        (catalog.plan_survey, child, (2024, 2025)),
    ):
        for year in years:
            ProgramMembership.objects.create(
                program=program, measure=measure, year=year, source_url="https://x.org/list"
            )
    return adult, child


def test_the_program_facet_finds_a_programs_measures_and_counts_each_once(
    client, catalog, programs
):
    response = client.get(LIST, {"program": "MEDICAID-ADULT-CORE"})
    assert set(codes(response)) == {"PQI 01", "PQI 15", "CAHPS Health Plan"}
    # A measure in a program two years running counts once.
    assert facet_counts(response, "program") == {
        "MEDICAID-ADULT-CORE": 3, "MEDICAID-CHILD-CORE": 1,
    }
    both = client.get(LIST, {"program": ["MEDICAID-ADULT-CORE", "MEDICAID-CHILD-CORE"]})
    assert set(codes(both)) == {"PQI 01", "PQI 15", "CAHPS Health Plan"}
    narrowed = client.get(LIST, {"program": "MEDICAID-CHILD-CORE", "set": "PQI"})
    assert codes(narrowed) == []
    assert facet_counts(narrowed, "set") == {"CAHPS": 1, "PQI": 0}
    html = client.get(LIST).content.decode()
    assert "Federal program" in html and "Medicaid and CHIP Child Core Set" in html


def test_the_comparison_shows_the_programs_side_by_side(client, catalog, programs):
    html = client.get(
        COMPARE, {"m": [catalog.diabetes.slug, catalog.plan_survey.slug]}
    ).content.decode()
    assert "Medicaid Adult Core Set (2025, 2024)" in html
    assert ("Medicaid Adult Core Set (2025); Medicaid and CHIP Child Core Set (2025, 2024)"
            in html)


def test_facet_counts_follow_the_search(client, catalog):
    response = client.get(LIST, {"q": "survey"})
    assert facet_counts(response, "set") == {"CAHPS": 2}
    assert facet_counts(response, "level") == {"hospital": 1, "plan": 1}


def test_a_ticked_value_stays_on_screen_even_when_nothing_matches_it(client, catalog):
    response = client.get(LIST, {"set": "CAHPS", "level": "area"})
    assert codes(response) == []
    assert facet_counts(response, "level") == {"area": 0, "hospital": 1, "plan": 1}


def test_an_unknown_facet_value_is_reported_and_left_out_not_crashed(client, catalog):
    response = client.get(LIST, {"set": "NOPE", "level": "hospital"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Measure set: the catalog has no “NOPE”, so this filter was left out." in html
    # The other filter still applies.
    assert set(codes(response)) == {"HCAHPS"}
    for params in ({"type": "spaceship"}, {"status": ["current", "lost"]}, {"page": "x"}):
        assert client.get(LIST, params).status_code == 200
    too_long = client.get(LIST, {"q": "x" * 500})
    assert "Search: Ensure this value has at most 200 characters" in too_long.content.decode()
    assert too_long.context["page_obj"].paginator.count == 7


def test_the_list_pages_by_25_and_shows_an_empty_state(client, catalog):
    factories.MeasureFactory.create_batch(30, measure_set=catalog.pqi)
    first = client.get(LIST)
    assert first.context["page_obj"].paginator.count == 37
    assert len(first.context["measures"]) == 25
    assert "page 1 of 2" in first.content.decode()
    assert len(client.get(LIST, {"page": 2}).context["measures"]) == 12
    empty = client.get(LIST, {"q": "nothing-like-this"})
    assert codes(empty) == []
    assert "No measure matches “nothing-like-this” with these filters" in (
        empty.content.decode()
    )


def test_the_list_answers_htmx_with_the_results_and_fresh_facet_counts(client, catalog):
    response = client.get(LIST, {"set": "CAHPS"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert "HCAHPS" in html and "PQI 90" not in html
    assert 'id="catalog-facets" hx-swap-oob="true"' in html
    assert 'id="catalog-status" hx-swap-oob="innerHTML">2 measures found' in html
    assert "HX-Request" in response.headers["Vary"]


def test_htmx_restoring_history_gets_the_whole_page(client, catalog):
    response = client.get(
        LIST, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in response.content.decode()


def test_the_list_is_a_compare_form_of_checkboxes(client, catalog):
    html = client.get(LIST).content.decode()
    assert f'action="{COMPARE}"' in html
    assert f'name="m" value="{catalog.composite.slug}"' in html


# --- a measure ------------------------------------------------------------------------------


def test_a_measure_shows_every_field_and_says_when_the_source_is_silent(client, catalog):
    response = client.get(catalog.diabetes.get_absolute_url())
    html = response.content.decode()
    for text in ("PQI 01: Diabetes Short-Term Complications Admission Rate",
                 "AHRQ Prevention Quality Indicators (PQI)",
                 "Admissions for diabetes short-term complications",
                 "Agency for Healthcare Research and Quality (AHRQ)",
                 "Prevention: ambulatory care sensitive conditions", "Inpatient",
                 "Discharges with a principal diagnosis", "Lower is better", "0272", "Current",
                 f'href="{catalog.diabetes.source_url}"'):
        assert text in html, text
    facts = {row.label: row.value for row in response.context["facts"]}
    assert facts["Type"] == "" and facts["Denominator"] == "" and facts["Data source"] == ""
    # type, data source, denominator, key exclusions, endorsement status, version, programs
    assert html.count("Not recorded: no source we read confirmed it") == 7


def test_a_measure_shows_each_fact_with_its_source_and_version_and_its_programs(
    client, catalog
):
    from measures.models import MeasureFact, ProgramMembership, QualityProgram

    measure = catalog.diabetes
    measure.software_url = "https://github.com/AHRQ/AHRQ-Quality-Indicators/blob/x/PQI.SAS"
    measure.save()
    MeasureFact.objects.create(
        measure=measure, name="numerator", value=measure.numerator,
        source_url="https://p4qm.org/measures/0272",
        publisher="Partnership for Quality Measurement", version="AHRQ PQI v2023",
    )
    MeasureFact.objects.create(
        measure=measure, name="exclusions", value="Transfers from other institutions.",
        source_url="https://p4qm.org/measures/0272",
        publisher="Partnership for Quality Measurement", version="AHRQ PQI v2023",
    )
    program = QualityProgram.objects.create(
        code="MEDICAID-ADULT-CORE", name="Medicaid Adult Core Set", publisher="CMS",
        source_url="https://www.medicaid.gov/core",
    )
    ProgramMembership.objects.create(
        program=program, measure=measure, year=2025, identifier="PQI01-AD",
        source_url="https://example.org/list",
    )
    html = client.get(measure.get_absolute_url()).content.decode()
    assert html.count('data-testid="fact-source"') == 2
    assert "Partnership for Quality Measurement</a>, AHRQ PQI v2023" in html
    assert "Transfers from other institutions." in html
    assert "Software: <a" in html and 'href="' + measure.software_url + '"' in html
    assert "Medicaid Adult Core Set: 2025 as PQI01-AD" in html


def test_a_composite_links_its_components_and_a_component_its_composites(client, catalog):
    html = client.get(catalog.composite.get_absolute_url()).content.decode()
    assert "Components of this composite" in html
    for component in (catalog.diabetes, catalog.asthma):
        assert f'href="{component.get_absolute_url()}"' in html
    assert f'href="{catalog.appendix.get_absolute_url()}"' not in html

    html = client.get(catalog.asthma.get_absolute_url()).content.decode()
    assert "Composites that include this measure" in html
    assert f'href="{catalog.composite.get_absolute_url()}"' in html
    assert "Components of this composite" not in html


def test_an_unknown_measure_is_404(client, catalog):
    url = reverse("measures:measure-detail", args=["no-such-measure"])
    assert client.get(url).status_code == 404


@pytest.fixture
def adoptions(catalog, coalition, other_coalition):
    incentive = factories.IncentiveProgramFactory(coalition=coalition, name="Gold Star Bonus")
    factories.MeasureAdoptionFactory(
        coalition=coalition, measure=catalog.diabetes,
        use=MeasureAdoption.Use.PAY_FOR_PERFORMANCE, stage=MeasureAdoption.Stage.PILOTING,
        stage_since=date(2026, 4, 1), incentive_program=incentive,
    )
    factories.MeasureAdoptionFactory(coalition=other_coalition, measure=catalog.diabetes)
    return catalog.diabetes


def test_staff_and_evaluators_see_which_coalitions_use_a_measure(
    client, staff_user, evaluator_user, adoptions
):
    for user in (staff_user, evaluator_user):
        client.force_login(user)
        html = client.get(adoptions.get_absolute_url()).content.decode()
        assert "Coalitions using this measure" in html, user
        for text in ("Home Coalition", "Other Coalition", "Pay for performance",
                     "Piloting since 1 April 2026", "Gold Star Bonus", "Public reporting"):
            assert text in html, (user, text)


def test_a_member_sees_their_own_coalitions_use_of_a_measure_not_others(
    member_client, adoptions
):
    # The API's policy: a member reads their own coalition's adoption records only.
    html = member_client.get(adoptions.get_absolute_url()).content.decode()
    assert "Coalitions using this measure" in html
    for text in ("Home Coalition", "Pay for performance", "Piloting since 1 April 2026",
                 "Gold Star Bonus", "You see your own coalition’s records"):
        assert text in html, text
    assert "Other Coalition" not in html and "Public reporting" not in html


def test_the_public_sees_no_adopters_not_even_the_heading(client, adoptions):
    html = client.get(adoptions.get_absolute_url()).content.decode()
    assert "Coalitions using this measure" not in html
    assert "Home Coalition" not in html and "Gold Star Bonus" not in html
    someone = factories.UserFactory()
    client.force_login(someone)
    assert "Coalitions using this measure" not in client.get(
        adoptions.get_absolute_url()
    ).content.decode()


def test_a_measure_no_coalition_uses_says_so_to_those_who_may_know(staff_client, catalog):
    html = staff_client.get(catalog.asthma.get_absolute_url()).content.decode()
    assert "Coalitions using this measure" in html
    assert "No coalition of the program has recorded using this measure yet." in html


# --- comparison -----------------------------------------------------------------------------


def test_two_measures_side_by_side(client, catalog):
    response = client.get(COMPARE, {"m": [catalog.diabetes.slug, catalog.hospital_survey.slug]})
    assert response.status_code == 200
    assert [m.code for m in response.context["measures"]] == ["PQI 01", "HCAHPS"]
    rows = dict(response.context["rows"])
    assert rows["Level"] == ["Area", "Hospital"]
    assert rows["Type"] == ["", "Patient experience"]
    html = response.content.decode()
    assert "Not recorded: no source we read confirmed it" in html
    assert f'href="{catalog.composite.get_absolute_url()}"' in html  # PQI 01 is in PQI 90
    assert 'data-testid="compare-message"' not in html


def test_three_measures_side_by_side_in_the_order_chosen(client, catalog):
    slugs = [catalog.composite.slug, catalog.appendix.slug, catalog.plan_survey.slug]
    response = client.get(COMPARE, {"m": slugs})
    assert [m.code for m in response.context["measures"]] == [
        "PQI 90", "PQI 02", "CAHPS Health Plan",
    ]
    html = response.content.decode()
    assert f'href="{catalog.asthma.get_absolute_url()}"' in html  # a component of PQI 90
    assert html.count('<th scope="col"') == 3


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "Choose two or three measures to compare."),
        ({"m": ["pqi-01"]}, "Choose at least one more measure to compare with PQI 01."),
        ({"m": ["pqi-01", "pqi-01"]}, "Choose at least one more measure to compare with PQI 01."),
        ({"m": ["pqi-01", "pqi-02", "pqi-05", "pqi-15"]},
         "You chose 4 measures; compare two or three at a time."),
        ({"m": ["pqi-01", "no-such-measure"]}, "The catalog has no measure “no-such-measure”."),
    ],
)
def test_a_comparison_of_too_few_too_many_or_unknown_measures_says_what_to_change(
    client, catalog, params, message
):
    response = client.get(COMPARE, params)
    assert response.status_code == 200
    assert response.context["measures"] == []
    html = response.content.decode()
    assert message in html
    assert 'name="m"' in html, "the pickers are there to fix the choice"


def test_blank_picks_are_ignored(client, catalog):
    response = client.get(COMPARE, {"m": [catalog.diabetes.slug, "", catalog.asthma.slug]})
    assert [m.code for m in response.context["measures"]] == ["PQI 01", "PQI 15"]


# --- tools ----------------------------------------------------------------------------------


def test_the_tools_page_shows_each_tool_with_its_source(client):
    factories.ToolFactory(
        title="Strategies To Support Quality-based Purchasing", kind="evidence_report",
        publisher="Agency for Healthcare Research and Quality", year=2004,
        publication_number="04-0057", description="Review of incentives and QBP.",
        source_url="https://www.ahrq.gov/research/qbp.html",
    )
    factories.ToolFactory(title="TalkingQuality", kind="website", year=None)
    response = client.get(TOOLS)
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("Strategies To Support Quality-based Purchasing", "Evidence report",
                 "Agency for Healthcare Research and Quality", "2004",
                 "Publication no. 04-0057", "Review of incentives and QBP.",
                 'href="https://www.ahrq.gov/research/qbp.html"', "TalkingQuality", "Website"):
        assert text in html, text
    assert "None" not in html


# --- queries --------------------------------------------------------------------------------




def grow_catalog(n):
    from measures.models import ProgramMembership, QualityProgram

    sets = [factories.MeasureSetFactory(code=code) for code in ("PQI", "PSI", "CAHPS")]
    program, _ = QualityProgram.objects.get_or_create(
        code="MEDICAID-ADULT-CORE", defaults={"name": "Medicaid Adult Core Set",
                                              "publisher": "CMS", "source_url": "https://x.org"})
    levels = list(Measure.Level.values)
    for i in range(n):
        measure = factories.MeasureFactory(
            measure_set=sets[i % 3], level=levels[i % 4], domain=f"Domain {i % 5}",
            setting=f"Setting {i % 7}",
            status=Measure.Status.RETIRED if i % 6 == 0 else Measure.Status.CURRENT,
        )
        for year in (2024, 2025)[: i % 3]:
            ProgramMembership.objects.create(
                program=program, measure=measure, year=year, source_url="https://x.org/list"
            )


def test_the_list_is_a_constant_number_of_queries(client):
    # Sets with their labels (1), the programs (1), a count per facet (7), the total (1) and
    # the page (1).
    assert assert_constant(client, LIST, grow_catalog) == 11


def test_the_filtered_searched_list_is_a_constant_number_of_queries(client, staff_user):
    url = (
        f"{LIST}?q=measure&set=PQI&set=PSI&level=area&level=hospital&status=current"
        "&domain=Domain+0&domain=Domain+1&program=MEDICAID-ADULT-CORE"
    )
    assert assert_constant(client, url, grow_catalog) == 11
    client.force_login(staff_user)
    assert_constant(client, url + "&page=1", grow_catalog)


@pytest.fixture
def grow_composite(catalog):
    """Adds ``n`` components, composites that include it and adoptions of it."""
    composite = catalog.composite

    def grow(n):
        for measure in factories.MeasureFactory.create_batch(n):
            composite.components.add(measure)
            factories.MeasureFactory().components.add(composite)
            factories.MeasureAdoptionFactory(
                measure=composite, incentive_program=factories.IncentiveProgramFactory()
            )

    return grow


def test_a_measure_is_a_constant_number_of_queries(client, catalog, grow_composite):
    # The measure with its set, its components, its composites, its facts, its programs; no
    # adopters for the public.
    assert assert_constant(client, catalog.composite.get_absolute_url(), grow_composite) == 5


def test_a_measure_with_its_adopters_is_a_constant_number_of_queries(
    staff_client, catalog, grow_composite
):
    assert_constant(staff_client, catalog.composite.get_absolute_url(), grow_composite)


def test_a_comparison_is_a_constant_number_of_queries(client, catalog):
    slugs = [catalog.composite.slug, catalog.diabetes.slug, catalog.hospital_survey.slug]
    url = f"{COMPARE}?" + "&".join(f"m={slug}" for slug in slugs)

    def grow(n):
        for measure in factories.MeasureFactory.create_batch(n):
            catalog.composite.components.add(measure)
            catalog.hospital_survey.components.add(measure)

    assert assert_constant(client, url, grow) == 6  # + facts and programs


def test_the_tools_page_is_a_constant_number_of_queries(client):
    assert assert_constant(client, TOOLS, factories.ToolFactory.create_batch) == 1

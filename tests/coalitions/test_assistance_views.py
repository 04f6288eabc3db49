"""The technical-assistance log, dashboard, timeline and learning networks, page by page and
role by role: staff, evaluator, lead, member, another coalition (404) and anonymous (login)."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from coalitions import services
from coalitions.models import FollowUp, Membership, TechnicalAssistance
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(program, coalition, other_coalition, staff_user):
    """Two coalitions in a program; one entry for each, one shared by both."""
    for each in (coalition, other_coalition):
        factories.EnrollmentFactory(program=program, coalition=each)
    own = factories.TechnicalAssistanceFactory(
        program=program, staff_member=staff_user, coalitions=[coalition],
        topics="pay for performance", summary="Own entry summary",
    )
    foreign = factories.TechnicalAssistanceFactory(
        program=program, staff_member=staff_user, coalitions=[other_coalition],
        summary="Foreign entry summary",
    )
    shared = factories.TechnicalAssistanceFactory(
        program=program, staff_member=staff_user, coalitions=[coalition, other_coalition],
        kind="workshop", summary="Shared workshop summary",
    )
    factories.FollowUpFactory(entry=own, owner=staff_user, description="Own follow-up")
    network = factories.LearningNetworkFactory(program=program, facilitator=staff_user)
    factories.NetworkMembershipFactory(network=network, coalition=coalition)
    factories.NetworkMembershipFactory(network=network, coalition=other_coalition)
    foreign_network = factories.LearningNetworkFactory(program=program, name="Elsewhere")
    factories.NetworkMembershipFactory(network=foreign_network, coalition=other_coalition)
    return {"own": own, "foreign": foreign, "shared": shared, "network": network,
            "foreign_network": foreign_network}


def _login_redirect(response):
    return response.status_code == 302 and reverse("accounts:login") in response["Location"]


# --- who may open which page ----------------------------------------------------------------


STAFF_ONLY = ["coalitions:assistance-create", "coalitions:network-create"]
PROGRAM_READERS = ["coalitions:dashboard", "coalitions:no-contact-list"]
EVERYONE_SIGNED_IN = ["coalitions:assistance-list", "coalitions:follow-up-list",
                      "coalitions:network-list"]


@pytest.mark.parametrize("name", STAFF_ONLY + PROGRAM_READERS + EVERYONE_SIGNED_IN)
def test_anonymous_visitors_are_sent_to_log_in(client, name):
    assert _login_redirect(client.get(reverse(name)))


@pytest.mark.parametrize("name", STAFF_ONLY + PROGRAM_READERS + EVERYONE_SIGNED_IN)
def test_staff_open_every_page(staff_client, world, name):
    assert staff_client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", STAFF_ONLY)
def test_evaluators_cannot_log_or_create(evaluator_client, name):
    assert evaluator_client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", PROGRAM_READERS + EVERYONE_SIGNED_IN)
def test_evaluators_read(evaluator_client, world, name):
    assert evaluator_client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("user_client", ["lead_client", "member_client"])
@pytest.mark.parametrize("name", STAFF_ONLY + PROGRAM_READERS)
def test_coalition_people_cannot_open_staff_pages(request, user_client, name):
    assert request.getfixturevalue(user_client).get(reverse(name)).status_code == 403


@pytest.mark.parametrize("user_client", ["lead_client", "member_client"])
@pytest.mark.parametrize("name", EVERYONE_SIGNED_IN)
def test_coalition_people_open_their_lists(request, world, user_client, name):
    assert request.getfixturevalue(user_client).get(reverse(name)).status_code == 200


# --- the log as a coalition sees it ---------------------------------------------------------


@pytest.mark.parametrize("user_client", ["lead_client", "member_client"])
def test_a_coalition_sees_only_entries_naming_it(request, world, user_client):
    client = request.getfixturevalue(user_client)
    page = client.get(reverse("coalitions:assistance-list")).content.decode()
    assert world["own"].get_absolute_url() in page
    assert world["shared"].get_absolute_url() in page
    assert world["foreign"].get_absolute_url() not in page
    assert "Other Coalition" not in page  # the shared entry's other coalition is not named
    assert "and other coalitions" in page


@pytest.mark.parametrize("user_client", ["lead_client", "member_client"])
def test_another_coalitions_entry_is_404_and_a_shared_one_hides_its_name(
    request, world, user_client
):
    client = request.getfixturevalue(user_client)
    assert client.get(world["foreign"].get_absolute_url()).status_code == 404
    shared = client.get(world["shared"].get_absolute_url())
    assert shared.status_code == 200
    assert "Home Coalition" in shared.content.decode()
    assert "Other Coalition" not in shared.content.decode()
    # Read-only: no edit link, and the edit page is refused.
    assert reverse("coalitions:assistance-update", args=[world["shared"].pk]) not in (
        shared.content.decode()
    )
    assert client.get(
        reverse("coalitions:assistance-update", args=[world["shared"].pk])
    ).status_code == 403


def test_a_coalition_filtering_on_another_coalition_is_refused(lead_client, world,
                                                               other_coalition):
    response = lead_client.get(
        reverse("coalitions:assistance-list") + f"?coalition={other_coalition.pk}"
    )
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 0
    assert "Select a valid choice" in response.content.decode()


def test_anonymous_cannot_export(client):
    assert _login_redirect(client.get(reverse("coalitions:assistance-export-csv")))
    assert _login_redirect(client.get(reverse("coalitions:assistance-export-xlsx")))


def _csv_rows(response):
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_a_coalitions_csv_export_has_only_its_entries_and_hides_other_names(lead_client, world):
    response = lead_client.get(reverse("coalitions:assistance-export-csv"))
    assert response.status_code == 200
    rows = _csv_rows(response)
    summaries = {row[8] for row in rows[1:]}
    assert summaries == {"Own entry summary", "Shared workshop summary"}
    assert "Other Coalition" not in str(rows)
    assert any("and 1 other coalition" in row[5] for row in rows[1:])


def test_a_coalitions_xlsx_export_has_only_its_entries(member_client, world):
    response = member_client.get(reverse("coalitions:assistance-export-xlsx"))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    summaries = {row[8] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert summaries == {"Own entry summary", "Shared workshop summary"}


def test_exports_neutralise_formulas(staff_client, world, coalition, staff_user):
    factories.TechnicalAssistanceFactory(
        program=world["own"].program, staff_member=staff_user, coalitions=[coalition],
        summary="=HYPERLINK(\"http://evil.example\")", topics="+1", kind="document_review",
    )
    url = "?kind=document_review"
    rows = _csv_rows(staff_client.get(reverse("coalitions:assistance-export-csv") + url))
    assert rows[1][8].startswith("'=") and rows[1][7] == "'+1"
    response = staff_client.get(reverse("coalitions:assistance-export-xlsx") + url)
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    row = next(sheet.iter_rows(min_row=2, values_only=True))
    assert row[8].startswith("'=") and row[7] == "'+1"


def test_the_export_follows_the_filters(staff_client, world):
    url = reverse("coalitions:assistance-export-csv") + "?kind=workshop"
    rows = _csv_rows(staff_client.get(url))
    assert [row[8] for row in rows[1:]] == ["Shared workshop summary"]


# --- filters and search ---------------------------------------------------------------------


def _listed(client, query):
    response = client.get(reverse("coalitions:assistance-list") + query)
    assert response.status_code == 200
    return {entry.summary for entry in response.context["entries"]}


def test_filters(staff_client, world, program, coalition, staff_user):
    other_staff = factories.StaffUserFactory()
    late = factories.TechnicalAssistanceFactory(
        program=program, staff_member=other_staff, coalitions=[coalition],
        date=date(2026, 5, 5), summary="Late entry", kind="site_visit",
    )
    assert _listed(staff_client, f"?coalition={coalition.pk}") == {
        "Own entry summary", "Shared workshop summary", "Late entry"}
    assert _listed(staff_client, "?kind=site_visit") == {"Late entry"}
    assert _listed(staff_client, f"?staff_member={other_staff.pk}") == {"Late entry"}
    assert _listed(staff_client, "?date_from=2026-05-01&date_to=2026-05-31") == {"Late entry"}
    assert _listed(staff_client, f"?program={program.code}") >= {"Late entry"}
    assert _listed(staff_client, "?q=perform") == {"Own entry summary"}
    assert _listed(staff_client, "?q=workshop shared") == {"Shared workshop summary"}
    assert late.summary in _listed(staff_client, "?tier=support")
    assert _listed(staff_client, "?tier=intensive") == set()
    assert _listed(staff_client, f"?network={world['network'].pk}") == set()


def test_a_bad_filter_is_named(staff_client, world):
    response = staff_client.get(reverse("coalitions:assistance-list") + "?date_from=soon")
    assert "Enter a valid date" in response.content.decode()


# --- creating and editing -------------------------------------------------------------------


def _post_data(program, staff_user, served, follow_ups=(), **overrides):
    data = {
        "program": program.pk, "kind": "site_visit", "date": "2026-02-10", "hours": "6",
        "staff_member": staff_user.pk, "coalitions": [c.pk for c in served],
        "network": "", "topics": "public reporting", "summary": "Visited the site.",
        "follow_ups-TOTAL_FORMS": str(len(follow_ups)),
        "follow_ups-INITIAL_FORMS": "0",
        "follow_ups-MIN_NUM_FORMS": "0", "follow_ups-MAX_NUM_FORMS": "1000",
    }
    for index, follow_up in enumerate(follow_ups):
        for key, value in follow_up.items():
            data[f"follow_ups-{index}-{key}"] = value
    data.update(overrides)
    return data


def _follow_up(owner, **overrides):
    return {"description": "Send the draft", "owner": owner.pk if owner else "",
            "due_date": "2026-03-01", "status": "open", **overrides}


def test_staff_log_a_visit_with_two_follow_ups(staff_client, program, coalition, staff_user):
    factories.EnrollmentFactory(program=program, coalition=coalition)
    response = staff_client.post(reverse("coalitions:assistance-create"), _post_data(
        program, staff_user, [coalition],
        [_follow_up(staff_user), _follow_up(staff_user, description="Share the template")],
    ))
    entry = TechnicalAssistance.objects.get()
    assert response.status_code == 302 and response["Location"] == entry.get_absolute_url()
    assert entry.follow_ups.count() == 2


@pytest.mark.parametrize(
    ("overrides", "follow_up", "field", "message"),
    [
        ({"hours": "0"}, None, "hours", "more than 0"),
        ({"hours": "-2"}, None, "hours", "more than 0"),
        ({"hours": "25"}, None, "hours", "at most 24"),
        ({"coalitions": []}, None, "coalitions", "Name at least one coalition served."),
        ({}, {"owner": ""}, "owner", "Name who owns this follow-up."),
        ({}, {"due_date": ""}, "due_date", "Give the date it is due."),
        ({}, {"due_date": "2025-12-01"}, "due_date", "cannot be before"),
    ],
)
def test_bad_input_is_refused_beside_its_field_and_nothing_saved(
    staff_client, program, coalition, staff_user, overrides, follow_up, field, message
):
    factories.EnrollmentFactory(program=program, coalition=coalition)
    rows = [{**_follow_up(staff_user), **(follow_up or {})}]
    response = staff_client.post(
        reverse("coalitions:assistance-create"),
        _post_data(program, staff_user, [coalition], rows, **overrides),
    )
    assert response.status_code == 200
    form = response.context["formset"].forms[0] if follow_up else response.context["form"]
    assert message in " ".join(form.errors[field])
    assert f'id="id_{"follow_ups-0-" if follow_up else ""}{field}_error"' in (
        response.content.decode()
    )
    assert not TechnicalAssistance.objects.exists() and not FollowUp.objects.exists()


def test_an_owner_from_another_coalition_is_refused_beside_the_field(
    staff_client, program, coalition, staff_user
):
    factories.EnrollmentFactory(program=program, coalition=coalition)
    outsider = factories.MembershipFactory(role=Membership.Role.LEAD).user
    response = staff_client.post(
        reverse("coalitions:assistance-create"),
        _post_data(program, staff_user, [coalition], [_follow_up(outsider)]),
    )
    assert "neither program staff" in " ".join(
        response.context["formset"].forms[0].errors["owner"]
    )
    assert not TechnicalAssistance.objects.exists()


def test_the_edit_form_opens_with_the_current_values_and_saves_changes(
    staff_client, world, staff_user
):
    entry = world["own"]
    url = reverse("coalitions:assistance-update", args=[entry.pk])
    response = staff_client.get(url)
    assert response.context["form"].initial["summary"] == "Own entry summary"
    follow_up = entry.follow_ups.get()
    assert response.context["formset"].forms[0].initial["description"] == "Own follow-up"
    data = _post_data(
        entry.program, staff_user, list(entry.coalitions.all()),
        [{**_follow_up(staff_user, description="Own follow-up", status="done",
                       closed_on="2026-02-20"), "id": follow_up.pk}],
        kind=entry.kind, summary="Own entry summary", topics=entry.topics, hours="1",
        **{"follow_ups-INITIAL_FORMS": "1"},
    )
    assert staff_client.post(url, data).status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.status == "done" and follow_up.closed_on == date(2026, 2, 20)


# --- the dashboard --------------------------------------------------------------------------


def test_the_dashboard_counts_and_links(staff_client, staff_user, program, coalition):
    today = timezone.localdate()
    program.start_date, program.end_date = today - timedelta(days=400), today + timedelta(400)
    program.save()
    factories.EnrollmentFactory(program=program, coalition=coalition,
                                tier="intensive", enrolled_on=program.start_date)
    quiet = factories.CoalitionFactory(name="Quiet Coalition")
    factories.EnrollmentFactory(program=program, coalition=quiet, enrolled_on=program.start_date)
    entry = factories.TechnicalAssistanceFactory(
        program=program, staff_member=staff_user, coalitions=[coalition], date=today,
        hours=Decimal("6.5"), kind="site_visit",
    )
    factories.FollowUpFactory(entry=entry, owner=staff_user, due_date=today - timedelta(1))
    factories.FollowUpFactory(entry=entry, owner=factories.StaffUserFactory(),
                              due_date=today + timedelta(5))
    response = staff_client.get(reverse("coalitions:dashboard"))
    page = response.content.decode()
    rows = {row[0]: row[1:] for row in response.context["panels"][0].context["rows"]}
    assert rows["Mine"][0] == 1 and rows["Mine"][2] == 1
    assert rows["Everyone's"][0] == 2 and rows["Everyone's"][2] == 1
    assert "6.5" in page
    hours = response.context["panels"][1].context
    assert {label: value for label, value, _ in hours["tiers"]}[
        "Intensive assistance"] == Decimal("6.5")
    # Each number links to its list, and the list shows the same rows.
    intensive_url = hours["tiers"][1][2]
    assert staff_client.get(intensive_url).context["page_obj"].paginator.count == 1
    overdue_mine = rows["Mine"][3]
    assert staff_client.get(overdue_mine).context["page_obj"].paginator.count == 1
    no_contact = response.context["panels"][2].context
    assert no_contact["count"] == 1
    listed = staff_client.get(no_contact["url"]).content.decode()
    assert "Quiet Coalition" in listed and "Home Coalition" not in listed


def test_staff_land_on_the_dashboard(staff_client):
    response = staff_client.get(reverse("core:home"))
    assert response["Location"] == reverse("coalitions:dashboard")


# --- timeline -------------------------------------------------------------------------------


def test_the_timeline_shows_assistance_follow_ups_and_enrolment_newest_first(
    staff_client, world, coalition
):
    response = staff_client.get(reverse("coalitions:coalition-timeline", args=[coalition.pk]))
    kinds = [entry.kind for entry in response.context["page"].entries]
    assert {"Technical assistance", "Follow-up", "Learning network"} <= set(kinds)
    dates = [entry.date for entry in response.context["page"].entries]
    assert dates == sorted(dates, reverse=True)
    assert "Foreign entry summary" not in response.content.decode()


def test_the_timeline_pages(staff_client, program, coalition, staff_user):
    for day in range(1, 26):
        factories.TechnicalAssistanceFactory(
            program=program, staff_member=staff_user, coalitions=[coalition],
            date=date(2026, 3, day),
        )
    url = reverse("coalitions:coalition-timeline", args=[coalition.pk])
    first = staff_client.get(url).context["page"]
    second = staff_client.get(url + "?page=2").context["page"]
    assert first.has_next and not second.has_next
    assert first.entries[0].date == date(2026, 3, 25)
    assert len(first.entries) == 20 and len(second.entries) == 5
    assert staff_client.get(url + "?page=abc").context["page"].number == 1


def test_another_coalitions_timeline_is_404(lead_client, other_coalition, coalition):
    url = reverse("coalitions:coalition-timeline", args=[other_coalition.pk])
    assert lead_client.get(url).status_code == 404
    own = reverse("coalitions:coalition-timeline", args=[coalition.pk])
    assert lead_client.get(own).status_code == 200


def test_a_timeline_needs_a_login(client, coalition):
    assert _login_redirect(
        client.get(reverse("coalitions:coalition-timeline", args=[coalition.pk]))
    )


# --- learning networks ----------------------------------------------------------------------


@pytest.mark.parametrize("user_client", ["lead_client", "member_client"])
def test_a_coalition_sees_its_networks_and_the_other_members_leads_only(
    request, world, other_coalition, user_client
):
    factories.MembershipFactory(coalition=other_coalition, role=Membership.Role.LEAD,
                                user__email="other.lead@example.org", user__full_name="Olga Lead")
    factories.MembershipFactory(coalition=other_coalition, role=Membership.Role.MEMBER,
                                user__email="other.member@example.org")
    factories.ContactFactory(coalition=other_coalition, email="other.contact@example.org")
    client = request.getfixturevalue(user_client)
    listing = client.get(reverse("coalitions:network-list")).content.decode()
    assert world["network"].name in listing and "Elsewhere" not in listing
    page = client.get(world["network"].get_absolute_url()).content.decode()
    assert "Olga Lead" in page and "other.lead@example.org" in page
    assert "other.member@example.org" not in page and "other.contact@example.org" not in page
    assert other_coalition.get_absolute_url() not in page
    assert client.get(world["foreign_network"].get_absolute_url()).status_code == 404


@pytest.mark.parametrize("user_client", ["lead_client", "member_client", "evaluator_client"])
def test_only_staff_manage_networks(request, world, user_client):
    client = request.getfixturevalue(user_client)
    network = world["network"]
    membership = network.memberships.first()
    for url in (reverse("coalitions:network-update", args=[network.pk]),
                reverse("coalitions:network-member-add", args=[network.pk]),
                reverse("coalitions:network-member-leave", args=[membership.pk])):
        assert client.get(url).status_code == 403


def test_staff_create_a_network_add_and_retire_a_member(staff_client, staff_user, program,
                                                          coalition):
    factories.EnrollmentFactory(program=program, coalition=coalition)
    response = staff_client.post(reverse("coalitions:network-create"), {
        "program": program.pk, "name": "Measure alignment", "topic": "Aligning measures",
        "facilitator": staff_user.pk,
    })
    network = program.learning_networks.get()
    assert response["Location"] == network.get_absolute_url()
    add = reverse("coalitions:network-member-add", args=[network.pk])
    assert staff_client.post(add, {"coalition": coalition.pk, "joined_on": "2026-02-01"}
                             ).status_code == 302
    membership = network.memberships.get()
    leave = reverse("coalitions:network-member-leave", args=[membership.pk])
    bad = staff_client.post(leave, {"left_on": "2026-01-01"})
    assert "cannot leave before" in bad.content.decode()
    assert staff_client.post(leave, {"left_on": "2026-04-01"}).status_code == 302
    membership.refresh_from_db()
    assert membership.left_on == date(2026, 4, 1)


def test_a_network_member_outside_the_program_is_refused_beside_the_field(
    staff_client, world, program
):
    stranger = factories.CoalitionFactory(name="Stranger")
    add = reverse("coalitions:network-member-add", args=[world["network"].pk])
    response = staff_client.post(add, {"coalition": stranger.pk, "joined_on": "2026-02-01"})
    assert response.status_code == 200
    assert "Select a valid choice" in " ".join(response.context["form"].errors["coalition"])


# --- the lead's home ------------------------------------------------------------------------


def test_the_lead_home_says_what_comes_next(lead_client, world, coalition, staff_user):
    coalition.staff_contact = staff_user
    coalition.save()
    today = timezone.localdate()
    factories.FollowUpFactory(entry=world["own"], owner=staff_user,
                              description="Call about the report card",
                              due_date=today + timedelta(days=7))
    factories.FollowUpFactory(entry=world["own"], owner=staff_user,
                              description="Far away", due_date=today + timedelta(days=90))
    response = lead_client.get(reverse("coalitions:my-coalition"))
    page = response.content.decode()
    assert "What comes next" in page and "Call about the report card" in page
    due_soon = [f.description for f in response.context["next_steps"]["follow_ups"]]
    assert due_soon == ["Own follow-up", "Call about the report card"]
    assert staff_user.email in page
    assert world["own"].get_absolute_url() in page


def test_an_enrolment_shows_on_the_timeline_at_its_own_date(
    staff_client, staff_user, coalition
):
    program = factories.ProgramFactory()
    enrollment = services.enrollment_create(
        program=program, coalition=coalition, tier="intensive", actor=staff_user,
        enrolled_on=program.start_date,
    )
    services.enrollment_update(enrollment=enrollment, actor=staff_user, status="withdrawn")
    url = reverse("coalitions:coalition-timeline", args=[coalition.pk])
    entries = {e.title: e.date for e in staff_client.get(url).context["page"].entries}
    assert entries[f"Enrolled in {program.name} (intensive assistance)"] == program.start_date
    assert entries[f"Enrolment in {program.name}: withdrawn, intensive assistance"] == (
        timezone.localdate()
    )

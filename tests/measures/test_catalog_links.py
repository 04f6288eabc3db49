"""Technical-assistance entries and action items naming the catalog's measures and tools.

The links are kept on the catalog's side; ``coalitions`` never imports ``measures``.
"""

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from measures.models import CatalogLink
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(program, coalition, staff_user):
    return factories.TechnicalAssistanceFactory(
        program=program, staff_member=staff_user, coalitions=[coalition]
    )


@pytest.fixture
def item(program, coalition):
    plan = factories.ActionPlanFactory(program=program, coalition=coalition)
    return factories.ActionPlanItemFactory(plan=plan)


def test_coalitions_never_imports_measures():
    for path in Path(settings.BASE_DIR, "coalitions").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            assert not any(name.split(".")[0] == "measures" for name in names), path


def test_staff_name_measures_and_tools_for_an_entry(staff_client, entry):
    measure, tool = factories.MeasureFactory(), factories.ToolFactory()
    url = reverse("measures:assistance-catalog-links", args=[entry.pk])
    response = staff_client.post(url, {"measures": [measure.pk], "tools": [tool.pk]})
    assert response["Location"] == entry.get_absolute_url()
    page = staff_client.get(entry.get_absolute_url()).content.decode()
    assert measure.code in page and tool.title in page
    # The edit form opens with the current choices; saving them again writes nothing.
    assert staff_client.get(url).context["form"].initial["measures"] == [measure.pk]
    before = list(CatalogLink.objects.values_list("pk", "updated_at"))
    staff_client.post(url, {"measures": [measure.pk], "tools": [tool.pk]})
    assert list(CatalogLink.objects.values_list("pk", "updated_at")) == before
    staff_client.post(url, {"measures": [], "tools": [tool.pk]})
    assert list(CatalogLink.objects.values_list("tool", flat=True)) == [tool.pk]


def test_an_unknown_measure_is_refused_beside_the_field(staff_client, entry):
    url = reverse("measures:assistance-catalog-links", args=[entry.pk])
    response = staff_client.post(url, {"measures": [999999]})
    assert "Select a valid choice" in " ".join(response.context["form"].errors["measures"])
    assert not CatalogLink.objects.exists()


@pytest.mark.parametrize("user_client", ["evaluator_client", "lead_client", "member_client"])
def test_only_staff_name_an_entrys_measures(request, entry, user_client):
    client = request.getfixturevalue(user_client)
    url = reverse("measures:assistance-catalog-links", args=[entry.pk])
    assert client.get(url).status_code == 403
    page = client.get(entry.get_absolute_url())
    assert page.status_code == 200 and "Measures and tools discussed" in page.content.decode()


def test_anonymous_is_sent_to_log_in(client, entry):
    response = client.get(reverse("measures:assistance-catalog-links", args=[entry.pk]))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_a_lead_names_their_own_items_measures(lead_client, item):
    measure = factories.MeasureFactory()
    url = reverse("measures:action-item-catalog-links", args=[item.pk])
    assert lead_client.post(url, {"measures": [measure.pk]}).status_code == 302
    assert lead_client.get(item.get_absolute_url()).content.decode().count(measure.code) >= 1


def test_a_member_reads_but_cannot_name_measures(member_client, item):
    assert member_client.get(
        reverse("measures:action-item-catalog-links", args=[item.pk])
    ).status_code == 403


def test_another_coalitions_item_is_404(lead_client, program, other_coalition):
    plan = factories.ActionPlanFactory(program=program, coalition=other_coalition)
    foreign = factories.ActionPlanItemFactory(plan=plan)
    url = reverse("measures:action-item-catalog-links", args=[foreign.pk])
    assert lead_client.get(url).status_code == 404

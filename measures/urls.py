from django.urls import path

from .views import adoption, catalog, links

app_name = "measures"

urlpatterns = [
    path("measures/", catalog.MeasureListView.as_view(), name="measure-list"),
    path("measures/compare/", catalog.MeasureCompareView.as_view(), name="measure-compare"),
    path("measures/<slug:slug>/", catalog.MeasureDetailView.as_view(), name="measure-detail"),
    path("tools/", catalog.ToolListView.as_view(), name="tool-list"),
    path("adoptions/", adoption.AdoptionListView.as_view(), name="adoption-list"),
    path(
        "coalitions/<int:pk>/measures/",
        adoption.CoalitionMeasuresView.as_view(),
        name="coalition-measures",
    ),
    path(
        "coalitions/<int:pk>/measures/add/",
        adoption.AdoptionCreateView.as_view(),
        name="adoption-create",
    ),
    path("adoptions/<int:pk>/edit/", adoption.AdoptionUpdateView.as_view(),
         name="adoption-update"),
    path("adoptions/<int:pk>/delete/", adoption.AdoptionDeleteView.as_view(),
         name="adoption-delete"),
    path(
        "coalitions/<int:pk>/incentive-programs/add/",
        adoption.IncentiveProgramCreateView.as_view(),
        name="incentive-program-create",
    ),
    path(
        "incentive-programs/<int:pk>/edit/",
        adoption.IncentiveProgramUpdateView.as_view(),
        name="incentive-program-update",
    ),
]

# Measures and tools named by the registry's technical-assistance entries and action items.
urlpatterns += [
    path(
        "assistance/<int:pk>/catalog/",
        links.AssistanceCatalogLinksView.as_view(),
        name="assistance-catalog-links",
    ),
    path(
        "action-items/<int:pk>/catalog/",
        links.ActionItemCatalogLinksView.as_view(),
        name="action-item-catalog-links",
    ),
]

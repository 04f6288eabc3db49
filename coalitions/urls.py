from django.urls import path

from . import engagement_views, views

app_name = "coalitions"

urlpatterns = [
    path("programs/", views.ProgramListView.as_view(), name="program-list"),
    path("programs/new/", views.ProgramCreateView.as_view(), name="program-create"),
    path("programs/<slug:code>/", views.ProgramDetailView.as_view(), name="program-detail"),
    path("programs/<slug:code>/edit/", views.ProgramUpdateView.as_view(), name="program-update"),
    path(
        "programs/<slug:code>/enroll/",
        views.EnrollmentCreateView.as_view(),
        name="enrollment-create",
    ),
    path(
        "enrollments/<int:pk>/edit/",
        views.EnrollmentUpdateView.as_view(),
        name="enrollment-update",
    ),
    path("coalitions/", views.CoalitionListView.as_view(), name="coalition-list"),
    path("coalitions/new/", views.CoalitionCreateView.as_view(), name="coalition-create"),
    path("coalitions/<int:pk>/", views.CoalitionDetailView.as_view(), name="coalition-detail"),
    path(
        "coalitions/<int:pk>/edit/",
        views.CoalitionUpdateView.as_view(),
        name="coalition-update",
    ),
    path(
        "coalitions/<int:pk>/contacts/new/",
        views.ContactCreateView.as_view(),
        name="contact-create",
    ),
    path("contacts/<int:pk>/edit/", views.ContactUpdateView.as_view(), name="contact-update"),
    path("contacts/<int:pk>/delete/", views.ContactDeleteView.as_view(), name="contact-delete"),
    path("my-coalition/", views.MyCoalitionView.as_view(), name="my-coalition"),
    path(
        "coalitions/<int:pk>/enroll/", views.CoalitionEnrollView.as_view(), name="coalition-enroll"
    ),
    path(
        "coalitions/<int:pk>/invitations/new/",
        views.InvitationCreateView.as_view(),
        name="invitation-create",
    ),
    path(
        "invitations/<int:pk>/resend/",
        views.InvitationResendView.as_view(),
        name="invitation-resend",
    ),
    path(
        "invitations/<int:pk>/revoke/",
        views.InvitationRevokeView.as_view(),
        name="invitation-revoke",
    ),
    path(
        "invitation/<str:token>/",
        views.InvitationAcceptView.as_view(),
        name="invitation-accept",
    ),
    path(
        "coalitions/<int:pk>/plans/<slug:code>/",
        views.ActionPlanView.as_view(),
        name="action-plan",
    ),
    path(
        "coalitions/<int:pk>/plans/<slug:code>/goals/",
        views.ActionPlanGoalsView.as_view(),
        name="action-plan-goals",
    ),
    path(
        "coalitions/<int:pk>/plans/<slug:code>/items/new/",
        views.ActionItemCreateView.as_view(),
        name="action-item-create",
    ),
    path("action-items/", views.ActionItemListView.as_view(), name="action-item-list"),
    path("action-items/<int:pk>/", views.ActionItemDetailView.as_view(), name="action-item-detail"),
    path(
        "action-items/<int:pk>/edit/",
        views.ActionItemUpdateView.as_view(),
        name="action-item-update",
    ),
    path(
        "action-items/<int:pk>/status/",
        views.ActionItemStatusView.as_view(),
        name="action-item-status",
    ),
]

# The technical-assistance log, the staff dashboard, timelines and learning networks.
ev = engagement_views
urlpatterns += [
    path("dashboard/", ev.StaffDashboardView.as_view(), name="dashboard"),
    path("assistance/", ev.AssistanceListView.as_view(), name="assistance-list"),
    path("assistance/new/", ev.AssistanceCreateView.as_view(), name="assistance-create"),
    path(
        "assistance/export.csv",
        ev.AssistanceExportView.as_view(file_format="csv"),
        name="assistance-export-csv",
    ),
    path(
        "assistance/export.xlsx",
        ev.AssistanceExportView.as_view(file_format="xlsx"),
        name="assistance-export-xlsx",
    ),
    path("assistance/<int:pk>/", ev.AssistanceDetailView.as_view(), name="assistance-detail"),
    path(
        "assistance/<int:pk>/edit/", ev.AssistanceUpdateView.as_view(), name="assistance-update"
    ),
    path("follow-ups/", ev.FollowUpListView.as_view(), name="follow-up-list"),
    path("no-contact/", ev.NoContactListView.as_view(), name="no-contact-list"),
    path(
        "coalitions/<int:pk>/timeline/",
        ev.CoalitionTimelineView.as_view(),
        name="coalition-timeline",
    ),
    path("networks/", ev.NetworkListView.as_view(), name="network-list"),
    path("networks/new/", ev.NetworkCreateView.as_view(), name="network-create"),
    path("networks/<int:pk>/", ev.NetworkDetailView.as_view(), name="network-detail"),
    path("networks/<int:pk>/edit/", ev.NetworkUpdateView.as_view(), name="network-update"),
    path(
        "networks/<int:pk>/members/add/",
        ev.NetworkMemberAddView.as_view(),
        name="network-member-add",
    ),
    path(
        "network-members/<int:pk>/leave/",
        ev.NetworkMemberLeaveView.as_view(),
        name="network-member-leave",
    ),
]

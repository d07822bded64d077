from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("<int:member_id>/", views.profile, name="profile"),
    path("<int:member_id>/contacts/", views.contacts, name="contacts"),
    path("<int:member_id>/contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("<int:member_id>/contacts/<int:pk>/delete/", views.contact_delete, name="contact_delete"),
    path("<int:member_id>/people/", views.people, name="people"),
    path("<int:member_id>/people/<int:user_id>/roles/", views.person_roles, name="person_roles"),
    path("<int:member_id>/people/<int:user_id>/remove/", views.person_remove, name="person_remove"),
    path(
        "<int:member_id>/invitations/<int:pk>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("<int:member_id>/prefixes/", views.prefixes, name="prefixes"),
    path("<int:member_id>/credentials/", views.credentials, name="credentials"),
    path(
        "<int:member_id>/credentials/<int:pk>/revoke/",
        views.credential_revoke,
        name="credential_revoke",
    ),
    path("<int:member_id>/activity/", views.activity, name="activity"),
]

from django.urls import path

from atiende.core import manage_views as views

urlpatterns = [
    path("", views.manage_index, name="manage_index"),
    path("<slug:slug>/people/", views.manage_people, name="manage_people"),
    path("<slug:slug>/people/new/", views.manage_person_new, name="manage_person_new"),
    path("<slug:slug>/people/<int:user_id>/", views.manage_person, name="manage_person"),
    path("<slug:slug>/people/<int:user_id>/roles/", views.manage_membership_add,
         name="manage_membership_add"),
    path("<slug:slug>/people/<int:user_id>/roles/<int:membership_id>/remove/",
         views.manage_membership_revoke, name="manage_membership_revoke"),
    path("<slug:slug>/departments/", views.manage_departments, name="manage_departments"),
    path("<slug:slug>/departments/<int:department_id>/", views.manage_department,
         name="manage_department"),
    path("<slug:slug>/teams/", views.manage_teams, name="manage_teams"),
    path("<slug:slug>/teams/<int:team_id>/", views.manage_team, name="manage_team"),
    path("<slug:slug>/teams/<int:team_id>/members/", views.manage_team_member_add,
         name="manage_team_member_add"),
    path("<slug:slug>/teams/<int:team_id>/members/<int:user_id>/remove/",
         views.manage_team_member_remove, name="manage_team_member_remove"),
    path("<slug:slug>/groups/", views.manage_groups, name="manage_groups"),
    path("<slug:slug>/groups/<int:group_id>/", views.manage_group, name="manage_group"),
    path("<slug:slug>/groups/<int:group_id>/members/", views.manage_group_member_add,
         name="manage_group_member_add"),
    path("<slug:slug>/groups/<int:group_id>/members/<int:user_id>/remove/",
         views.manage_group_member_remove, name="manage_group_member_remove"),
    path("<slug:slug>/groups/<int:group_id>/delete/", views.manage_group_delete,
         name="manage_group_delete"),
    path("<slug:slug>/activity/", views.manage_activity, name="manage_activity"),
]

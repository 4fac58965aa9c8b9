from django.urls import path

from atiende.notifications import views

urlpatterns = [
    path("", views.notification_list, name="notification_list"),
    path("unread/", views.notification_unread, name="notification_unread"),
    path("read-all/", views.notification_read_all, name="notification_read_all"),
    path("preferences/", views.notification_preferences, name="notification_preferences"),
    path("<int:notification_id>/", views.notification_open, name="notification_open"),
    path("<int:notification_id>/read/", views.notification_read, name="notification_read"),
]

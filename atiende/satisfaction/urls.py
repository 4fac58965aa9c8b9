from django.urls import path

from atiende.satisfaction import views

app_name = "satisfaction"

urlpatterns = [
    path("results/", views.results, name="results"),
    path("tickets/<str:number>/", views.answer, name="answer"),
    path("answer/<str:token>/", views.link, name="link"),
]

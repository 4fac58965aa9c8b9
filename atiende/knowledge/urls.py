from django.urls import path

from atiende.knowledge import views

urlpatterns = [
    path("", views.knowledge_list, name="knowledge_list"),
    path("new/", views.knowledge_new, name="knowledge_new"),
    path("suggestions/<str:number>/", views.knowledge_suggestions,
         name="knowledge_suggestions"),
    path("<int:article_id>/", views.knowledge_detail, name="knowledge_detail"),
    path("<int:article_id>/edit/", views.knowledge_edit, name="knowledge_edit"),
    path("<int:article_id>/workflow/", views.knowledge_workflow, name="knowledge_workflow"),
    path("<int:article_id>/feedback/", views.knowledge_feedback, name="knowledge_feedback"),
    path("<int:article_id>/files/", views.knowledge_file_add, name="knowledge_file_add"),
    path("<int:article_id>/files/<int:file_id>/", views.knowledge_file_download,
         name="knowledge_file_download"),
    path("<int:article_id>/files/<int:file_id>/remove/", views.knowledge_file_remove,
         name="knowledge_file_remove"),
]

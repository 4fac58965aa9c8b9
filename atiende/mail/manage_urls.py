"""The organization admin's mail pages, under /manage/<slug>/."""

from django.urls import path

from atiende.mail import graph_views, imap_views, views

urlpatterns = [
    path("<slug:slug>/mailboxes/", views.mailboxes, name="manage_mailboxes"),
    path("<slug:slug>/mailboxes/<int:mailbox_id>/", views.mailbox_edit,
         name="manage_mailbox"),
    path("<slug:slug>/mailboxes/<int:mailbox_id>/microsoft-365/", graph_views.mailbox_graph,
         name="manage_mailbox_graph"),
    path("<slug:slug>/mailboxes/<int:mailbox_id>/imap/", imap_views.mailbox_imap,
         name="manage_mailbox_imap"),
    path("<slug:slug>/mailboxes/<int:mailbox_id>/imap/test/", imap_views.mailbox_imap_test,
         name="manage_mailbox_imap_test"),
    path("<slug:slug>/mail-quarantine/", views.review, name="manage_mail_review"),
    path("<slug:slug>/mail-quarantine/<int:message_id>/", views.review_message,
         name="manage_mail_message"),
    path("<slug:slug>/mail-quarantine/<int:message_id>/original/", views.review_original,
         name="manage_mail_original"),
    path("<slug:slug>/mail-quarantine/<int:message_id>/retry/", views.review_retry,
         name="manage_mail_retry"),
    path("<slug:slug>/mail-quarantine/<int:message_id>/discard/", views.review_discard,
         name="manage_mail_discard"),
]

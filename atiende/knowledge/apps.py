from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "atiende.knowledge"
    label = "knowledge"
    verbose_name = _("Knowledge base")

    def ready(self) -> None:
        from atiende.core.models import AUDIT_ACTIONS
        from atiende.knowledge.models import ArticleAttachment
        from atiende.tickets.attachments import STORED_FOLDERS

        STORED_FOLDERS["knowledge"] = ArticleAttachment  # orphans swept with the tickets'

        AUDIT_ACTIONS.update({
            "knowledge_category.created": _("Knowledge category added"),
            "knowledge_category.renamed": _("Knowledge category renamed"),
            "knowledge_category.deleted": _("Knowledge category deleted"),
        })

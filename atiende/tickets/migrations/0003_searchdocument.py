import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def install(apps, schema_editor):
    from atiende.tickets.search.backends import install as install_index

    install_index(schema_editor)


def remove(apps, schema_editor):
    from atiende.tickets.search.backends import remove as remove_index

    remove_index(schema_editor)


class Migration(migrations.Migration):
    """Ticket search: the documents and their full-text index (tsvector columns and
    GIN indexes with `unaccent` on PostgreSQL, an FTS5 table on SQLite). Existing
    tickets are indexed by `atiende reindex`."""

    dependencies = [("tickets", "0002_event_log_append_only")]

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                ("ticket", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name="search_document", serialize=False, to="tickets.ticket")),
                ("title", models.TextField(blank=True)),
                ("description", models.TextField(blank=True)),
                ("comments", models.TextField(blank=True)),
                ("internal", models.TextField(blank=True)),
                ("indexed_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                "verbose_name": "search document",
                "verbose_name_plural": "search documents",
            },
        ),
        migrations.RunPython(install, remove),
    ]

from django.db import migrations


def install(apps, schema_editor):
    from atiende.tickets.integrity import install as install_triggers

    install_triggers(schema_editor)


def remove(apps, schema_editor):
    from atiende.tickets.integrity import remove as remove_triggers

    remove_triggers(schema_editor)


class Migration(migrations.Migration):
    """Database triggers that make the ticket event log append-only."""

    dependencies = [("tickets", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]

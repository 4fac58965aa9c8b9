
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('core', '0002_idempotency_key'),
        ('tickets', '0004_saved_views'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CatalogCategory',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=120, verbose_name='name')),
                ('position', models.PositiveIntegerField(default=0, verbose_name='position')),
                ('department', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='catalog_categories', to='core.department', verbose_name='department')),
            ],
            options={
                'verbose_name': 'catalog category',
                'verbose_name_plural': 'catalog categories',
                'ordering': ['position', 'name'],
            },
        ),
        migrations.CreateModel(
            name='CatalogItem',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=120, verbose_name='name')),
                ('short_description', models.CharField(blank=True, max_length=300, verbose_name='short description')),
                ('description', models.TextField(blank=True, verbose_name='description')),
                ('delivery_amount', models.PositiveIntegerField(blank=True, null=True, verbose_name='expected delivery')),
                ('delivery_unit', models.CharField(choices=[('hours', 'hours'), ('working_days', 'working days'), ('days', 'calendar days')], default='working_days', max_length=20, verbose_name='delivery unit')),
                ('is_active', models.BooleanField(default=True, verbose_name='active')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created')),
                ('updated_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='updated')),
                ('audience', models.ManyToManyField(blank=True, related_name='+', to='core.organization', verbose_name='who may request it')),
                ('category', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='items', to='catalog.catalogcategory', verbose_name='category')),
                ('department', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='catalog_items', to='core.department', verbose_name='department')),
                ('service', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='catalog_items', to='tickets.service', verbose_name='service')),
            ],
            options={
                'verbose_name': 'catalog item',
                'verbose_name_plural': 'catalog items',
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='FormVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveIntegerField(verbose_name='version')),
                ('fields', models.JSONField(default=list, verbose_name='fields')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                ('item', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='versions', to='catalog.catalogitem', verbose_name='catalog item')),
            ],
            options={
                'verbose_name': 'form version',
                'verbose_name_plural': 'form versions',
                'ordering': ['item', '-number'],
            },
        ),
        migrations.AddField(
            model_name='catalogitem',
            name='current_version',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='catalog.formversion', verbose_name='current form'),
        ),
        migrations.CreateModel(
            name='RequestAnswers',
            fields=[
                ('ticket', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='catalog_answers', serialize=False, to='tickets.ticket', verbose_name='ticket')),
                ('answers', models.JSONField(default=dict, verbose_name='answers')),
                ('form_version', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='requests', to='catalog.formversion', verbose_name='form version')),
                ('item', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='requests', to='catalog.catalogitem', verbose_name='catalog item')),
            ],
            options={
                'verbose_name': 'request answers',
                'verbose_name_plural': 'request answers',
            },
        ),
        migrations.AddConstraint(
            model_name='catalogcategory',
            constraint=models.UniqueConstraint(fields=('department', 'name'), name='catalog_category_name'),
        ),
        migrations.AddConstraint(
            model_name='formversion',
            constraint=models.UniqueConstraint(fields=('item', 'number'), name='form_version_number'),
        ),
        migrations.AddConstraint(
            model_name='catalogitem',
            constraint=models.UniqueConstraint(fields=('department', 'name'), name='catalog_item_name'),
        ),
    ]

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('measures', '0005_catalog_links_for_assistance_and_action_items'),
    ]

    operations = [
        migrations.AlterField(
            model_name='programmembership',
            name='year',
            field=models.PositiveSmallIntegerField(blank=True, help_text='The year the program uses the measure; empty when the source names none.', null=True),
        ),
    ]

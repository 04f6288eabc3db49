import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('measures', '0002_updated_at_indexes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='measure',
            name='source_url',
            field=models.URLField(blank=True, help_text='A specification page a person can read.', max_length=500, verbose_name='specification'),
        ),
        migrations.AddField(
            model_name='measure',
            name='software_url',
            field=models.URLField(blank=True, help_text="Software that computes the measure (e.g. AHRQ's SAS programs).", max_length=500, verbose_name='software'),
        ),
        migrations.CreateModel(
            name='QualityProgram',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('code', models.CharField(max_length=30, unique=True)),
                ('name', models.CharField(max_length=200)),
                ('publisher', models.CharField(max_length=200)),
                ('description', models.TextField(blank=True)),
                ('source_url', models.URLField(max_length=500)),
            ],
            options={'ordering': ['name']},
        ),
        migrations.CreateModel(
            name='MeasureFact',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(choices=[('description', 'Description'), ('numerator', 'Numerator'), ('denominator', 'Denominator'), ('exclusions', 'Key exclusions'), ('type', 'Measure type'), ('setting', 'Care setting'), ('data_source', 'Data source'), ('improvement_notation', 'Improvement notation'), ('endorsement_number', 'Endorsement (CBE) number'), ('endorsement_status', 'Endorsement status'), ('steward', 'Steward')], max_length=30)),
                ('value', models.TextField()),
                ('source_url', models.URLField(max_length=500)),
                ('publisher', models.CharField(max_length=200)),
                ('version', models.CharField(help_text='The specification version the source describes, or the date it was read when it names none.', max_length=200)),
                ('note', models.CharField(blank=True, max_length=300)),
                ('measure', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='facts', to='measures.measure')),
            ],
            options={
                'ordering': ['measure', 'name'],
                'constraints': [models.UniqueConstraint(fields=('measure', 'name'), name='measure_fact_once')],
            },
        ),
        migrations.CreateModel(
            name='ProgramMembership',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField()),
                ('identifier', models.CharField(blank=True, help_text='The program\'s own ID, e.g. BCS-AD.', max_length=40)),
                ('source_url', models.URLField(max_length=500)),
                ('measure', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='program_memberships', to='measures.measure')),
                ('program', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='measures.qualityprogram')),
            ],
            options={
                'ordering': ['program__name', '-year'],
                'constraints': [models.UniqueConstraint(fields=('program', 'measure', 'year'), name='program_membership_once_a_year')],
            },
        ),
    ]

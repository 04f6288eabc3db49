from datetime import timedelta

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def expire_a_year_after_creation(apps, schema_editor):
    """Tokens made before expiry existed work for a year from when they were made."""
    ApiToken = apps.get_model("accounts", "ApiToken")
    for token in ApiToken.objects.filter(expires_at__isnull=True).only("created_at"):
        token.expires_at = token.created_at + timedelta(days=365)
        token.save(update_fields=["expires_at"])


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_api_token"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(editable=False, null=True),
        ),
        migrations.RunPython(expire_a_year_after_creation, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(editable=False, help_text="Refused from then on."),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="revoked_by",
            field=models.ForeignKey(
                blank=True, editable=False,
                help_text="Who revoked it; empty when a rule of the portal did.", null=True,
                on_delete=django.db.models.deletion.SET_NULL, related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="revoked_because",
            field=models.CharField(
                blank=True, editable=False, max_length=20,
                choices=[
                    ("owner", "by its owner"),
                    ("admin", "by an administrator"),
                    ("password", "because the password changed"),
                    ("membership", "because the last coalition membership ended"),
                ],
            ),
        ),
    ]

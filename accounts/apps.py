from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        # After every migrate (and every test flush) the role groups hold their permissions.
        post_migrate.connect(_roles_sync_receiver, dispatch_uid="accounts.roles_sync")


def _roles_sync_receiver(sender, using="default", **kwargs):
    from .roles import roles_sync

    roles_sync(using=using)

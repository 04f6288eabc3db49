import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.functional import cached_property

from .roles import EVALUATOR, PROGRAM_STAFF

# How stale ``ApiToken.last_used_at`` may be: one write a minute, not one per request.
LAST_USED_PRECISION = timedelta(minutes=1)
# How long a token works unless its maker chose otherwise.
API_TOKEN_LIFETIME = timedelta(days=365)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in, with an e-mail address as the login."""

    email = models.EmailField("e-mail address", unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    is_staff = models.BooleanField(
        "admin access", default=False, help_text="May log in to the Django admin."
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self):
        return self.full_name or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def set_unusable_password(self):
        super().set_unusable_password()
        self._password_replaced = True

    def save(self, *args, **kwargs):
        # ``set_password`` leaves the new password in ``_password`` until the save; every way
        # of changing a password (the password pages, a reset, the admin, ``changepassword``)
        # goes through it, while the silent re-hash at sign-in clears it first. So this is
        # the one place that sees every real change, and only those.
        replaced = self.pk is not None and (
            self._password is not None or getattr(self, "_password_replaced", False)
        )
        super().save(*args, **kwargs)
        if replaced:
            self._password_replaced = False
            from .services import user_password_changed

            user_password_changed(user=self)

    # --- roles ------------------------------------------------------------------------------
    @cached_property
    def role_names(self):
        return frozenset(self.groups.values_list("name", flat=True))

    @property
    def is_program_staff(self):
        return self.is_active and (self.is_superuser or PROGRAM_STAFF in self.role_names)

    @property
    def is_evaluator(self):
        return self.is_active and EVALUATOR in self.role_names

    @property
    def can_view_program_data(self):
        """Program staff and evaluators read every coalition's data."""
        return self.is_program_staff or self.is_evaluator


def api_token_hash(raw):
    """The stored form of an API token: its SHA-256, hex. The token itself is never kept."""
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        """Tokens that open the API now: neither revoked nor past their expiry."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiTokenManager(models.Manager.from_queryset(ApiTokenQuerySet)):
    def issue(self, *, user, name="", expires_at=None):
        """Create a token for ``user``, working until ``expires_at`` (a year unless given);
        returns ``(token, raw)``.

        ``raw`` is what the client sends as ``Authorization: Bearer <raw>``. Only its hash
        and its first characters (to tell tokens apart in lists) are stored, so it cannot
        be shown again.
        """
        raw = secrets.token_urlsafe(32)
        while raw.startswith("-"):  # its prefix must read as an argument, not an option
            raw = secrets.token_urlsafe(32)
        token = self.model(
            user=user, name=name, prefix=raw[: ApiToken.PREFIX_LENGTH],
            key_hash=api_token_hash(raw),
            expires_at=expires_at or timezone.now() + API_TOKEN_LIFETIME,
        )
        token.full_clean()
        token.save()
        return token, raw


class ApiToken(models.Model):
    """A bearer token for the REST API, acting as its user with that user's permissions."""

    PREFIX_LENGTH = 8

    class Revocation(models.TextChoices):
        OWNER = "owner", "by its owner"
        ADMIN = "admin", "by an administrator"
        PASSWORD = "password", "because the password changed"
        MEMBERSHIP = "membership", "because the last coalition membership ended"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True, help_text="What the token is for.")
    prefix = models.CharField(
        max_length=PREFIX_LENGTH, editable=False, help_text="The token's first characters."
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(editable=False, help_text="Refused from then on.")
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, editable=False,
        related_name="+", help_text="Who revoked it; empty when a rule of the portal did.",
    )
    revoked_because = models.CharField(
        max_length=20, choices=Revocation.choices, blank=True, editable=False
    )

    objects = ApiTokenManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "API token"

    def __str__(self):
        label = f"{self.prefix}… ({self.user})"
        return f"{self.name}: {label}" if self.name else label

    @property
    def is_expired(self):
        return self.expires_at <= timezone.now()

    @property
    def is_active(self):
        return self.revoked_at is None and not self.is_expired

    def revoke(self, *, by, because):
        """Refuse the token from now on. Revoking a revoked token changes nothing."""
        if self.revoked_at is None:
            self.revoked_at, self.revoked_by, self.revoked_because = timezone.now(), by, because
            self.save(update_fields=["revoked_at", "revoked_by", "revoked_because"])

    def touch(self, now):
        """Note that the token was used; written at most once a minute per token."""
        if self.last_used_at is not None and now - self.last_used_at < LAST_USED_PRECISION:
            return
        # The condition keeps concurrent requests on other processes from writing again.
        stale = now - LAST_USED_PRECISION
        ApiToken.objects.filter(
            models.Q(last_used_at__isnull=True) | models.Q(last_used_at__lte=stale), pk=self.pk
        ).update(last_used_at=now)
        self.last_used_at = now

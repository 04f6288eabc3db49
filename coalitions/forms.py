"""Forms check the shape of input; the rules live in the models and services."""

from django import forms
from django.contrib.auth.forms import SetPasswordMixin

from accounts.models import User
from core.forms import Form, ModelForm

from .models import (
    ActionPlan,
    ActionPlanItem,
    Coalition,
    Contact,
    Enrollment,
    FollowUp,
    LearningNetwork,
    Membership,
    NetworkMembership,
    Program,
    TechnicalAssistance,
)
from .states import US_STATES


class ProgramForm(ModelForm):
    class Meta:
        model = Program
        fields = [
            "name", "code", "description", "start_date", "end_date",
            "support_capacity", "intensive_capacity",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class CoalitionForm(ModelForm):
    website = forms.URLField(required=False, assume_scheme="https")
    states = forms.MultipleChoiceField(
        label="State(s)",
        choices=US_STATES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Coalition
        fields = ["name", "kind", "states", "market", "website", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Choose a kind"), *Coalition.Kind.choices]
        if self.instance.pk and not self.is_bound:
            self.initial["states"] = self.instance.state_list

    def clean_states(self):
        # The states kept keep their recorded order (the list sends them in its own), so an
        # untouched form changes nothing.
        chosen = self.cleaned_data["states"]
        kept = [code for code in self.instance.state_list if code in chosen]
        return ", ".join(kept + [code for code in chosen if code not in kept])


_ENROLLED_ON_HELP = (
    "Leave empty for today, or for the program's start if it has not started. It must fall "
    "within the program's period."
)


class EnrollmentForm(ModelForm):
    """Enrol a coalition in ``program``: only coalitions not yet in it are offered."""

    coalition = forms.ModelChoiceField(
        queryset=Coalition.objects.filter(status=Coalition.Status.ACTIVE),
        empty_label="Choose a coalition",
        error_messages={"invalid_choice": "Choose a coalition from the list: that one is "
                                          "already enrolled in the program, or inactive."},
    )

    class Meta:
        model = Enrollment
        fields = ["coalition", "tier", "enrolled_on"]
        help_texts = {"enrolled_on": _ENROLLED_ON_HELP}

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coalition"].queryset = self.fields["coalition"].queryset.exclude(
            enrollments__program=program
        )
        self.fields["enrolled_on"].required = False


class CoalitionEnrollmentForm(ModelForm):
    """Enrol ``coalition`` from its own page: only programs it is not yet in are offered."""

    program = forms.ModelChoiceField(
        queryset=Program.objects.all(),
        empty_label="Choose a program",
        error_messages={"invalid_choice": "Choose a program from the list: the coalition is "
                                          "already enrolled in that one."},
    )

    class Meta:
        model = Enrollment
        fields = ["program", "tier", "enrolled_on"]
        help_texts = {"enrolled_on": _ENROLLED_ON_HELP}

    def __init__(self, *args, coalition, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = Program.objects.exclude(enrollments__coalition=coalition)
        self.fields["enrolled_on"].required = False


class EnrollmentChangeForm(ModelForm):
    class Meta:
        model = Enrollment
        fields = ["tier", "status", "ended_on"]


class ContactForm(ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "email", "title", "role"]


# --- invitations ----------------------------------------------------------------------------


class InvitationForm(Form):
    email = forms.EmailField(label="E-mail address")
    role = forms.ChoiceField(choices=Membership.Role.choices, initial=Membership.Role.MEMBER)

    def __init__(self, *args, can_invite_leads, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_invite_leads:  # a lead invites members; the service refuses anything else
            self.fields["role"].choices = [(Membership.Role.MEMBER, Membership.Role.MEMBER.label)]
            self.fields["role"].help_text = "Only program staff invite a coalition lead."


class InvitationAcceptForm(SetPasswordMixin, Form):
    """A new person's name and the password they choose (checked by the validators)."""

    full_name = forms.CharField(label="Your name", max_length=150)
    password1, password2 = SetPasswordMixin.create_password_fields()

    def __init__(self, *args, email, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email
        self.fields["password1"].widget.attrs["autocomplete"] = "new-password"

    def clean(self):
        self.validate_passwords()
        user = User(email=self.email, full_name=self.cleaned_data.get("full_name", ""))
        self.validate_password_for_user(user)
        return super().clean()


# --- action plans ---------------------------------------------------------------------------


class ActionPlanForm(ModelForm):
    class Meta:
        model = ActionPlan
        fields = ["goals"]
        widgets = {"goals": forms.Textarea(attrs={"rows": 6})}


class ActionItemForm(ModelForm):
    """An item's fields; ``owner`` is one of the coalition's contacts or the people who sign
    in for it (``contact-<id>`` or ``user-<id>``). Whether the owner belongs to the plan's
    coalition is the service's rule, so its message shows beside the field."""

    owner = forms.CharField(
        label="Owner", widget=forms.Select,
        error_messages={"required": "Choose who owns this item."},
    )

    class Meta:
        model = ActionPlanItem
        fields = ["category", "description", "owner", "due_date", "status", "notes"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, contacts, memberships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [
            ("", "Choose a category"), *ActionPlanItem.Category.choices
        ]
        self.fields["owner"].widget.choices = [
            ("", "Choose an owner"),
            ("Contacts", [(f"contact-{c.pk}", c.name) for c in contacts]),
            ("People who sign in", [
                (f"user-{m.user_id}", m.user.get_full_name()) for m in memberships
            ]),
        ]
        item = self.instance
        if item.pk and not self.is_bound:
            if item.owner_contact_id:
                self.initial["owner"] = f"contact-{item.owner_contact_id}"
            elif item.owner_user_id:
                self.initial["owner"] = f"user-{item.owner_user_id}"

    def clean_owner(self):
        kind, _, pk = self.cleaned_data["owner"].partition("-")
        owner = None
        if pk.isdigit() and kind == "contact":
            owner = Contact.objects.select_related("coalition").filter(pk=pk).first()
        elif pk.isdigit() and kind == "user":
            owner = User.objects.filter(pk=pk).first()
        if owner is None:
            raise forms.ValidationError("Choose an owner from the list.")
        return owner

    def service_fields(self):
        """The cleaned data as the service takes it: the owner as a contact or a user."""
        data = dict(self.cleaned_data)
        owner = data.pop("owner")
        is_contact = isinstance(owner, Contact)
        data["owner_contact"] = owner if is_contact else None
        data["owner_user"] = None if is_contact else owner
        return data


class ActionItemStatusForm(ModelForm):
    class Meta:
        model = ActionPlanItem
        fields = ["status"]


# --- technical-assistance log ---------------------------------------------------------------


class AssistanceForm(ModelForm):
    coalitions = forms.ModelMultipleChoiceField(
        label="Coalitions served",
        queryset=Coalition.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Name at least one coalition served."},
    )

    class Meta:
        model = TechnicalAssistance
        fields = [
            "program", "kind", "date", "hours", "staff_member", "coalitions", "network",
            "topics", "summary",
        ]
        widgets = {"summary": forms.Textarea(attrs={"rows": 5})}
        error_messages = {
            "hours": {"required": "Give the hours, more than 0 and at most 24."},
            "summary": {"required": "Say what the contact was about."},
        }

    def __init__(self, *args, staff_users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff_member"].queryset = staff_users
        self.fields["program"].empty_label = "Choose a program"
        self.fields["kind"].choices = [("", "Choose a kind"), *TechnicalAssistance.Kind.choices]
        self.fields["network"].queryset = LearningNetwork.objects.select_related("program")
        self.fields["network"].empty_label = "None"
        self.fields["hours"].widget.attrs.update({"step": "0.25", "min": "0.25", "max": "24"})


class FollowUpOwnerField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        membership = getattr(user, "membership", None)
        where = membership.coalition.name if membership else "program staff"
        return f"{user.get_full_name()} ({where})"


class FollowUpForm(Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    description = forms.CharField(
        label="What", max_length=300,
        error_messages={"required": "Say what is to be done."},
    )
    owner = FollowUpOwnerField(
        queryset=User.objects.none(), empty_label="Choose an owner",
        error_messages={"required": "Name who owns this follow-up."},
    )
    due_date = forms.DateField(
        label="Due date", error_messages={"required": "Give the date it is due."}
    )
    status = forms.ChoiceField(choices=FollowUp.Status.choices, initial=FollowUp.Status.OPEN)
    closed_on = forms.DateField(
        label="Closed on", required=False, help_text="When it was done or dropped."
    )

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        if owners is not None:
            self.fields["owner"].queryset = owners

    def service_fields(self):
        data = {key: value for key, value in self.cleaned_data.items() if key != "DELETE"}
        data["delete"] = bool(self.cleaned_data.get("DELETE"))
        return data


FollowUpFormSet = forms.formset_factory(FollowUpForm, extra=2, can_delete=True)


def follow_up_initial(entry):
    return [
        {
            "id": follow_up.pk,
            "description": follow_up.description,
            "owner": follow_up.owner_id,
            "due_date": follow_up.due_date,
            "status": follow_up.status,
            "closed_on": follow_up.closed_on,
        }
        for follow_up in entry.follow_ups.all()
    ]


# --- learning networks ----------------------------------------------------------------------


class NetworkForm(ModelForm):
    class Meta:
        model = LearningNetwork
        fields = ["program", "name", "topic", "facilitator"]

    def __init__(self, *args, staff_users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facilitator"].queryset = staff_users
        self.fields["program"].empty_label = "Choose a program"


class NetworkMemberForm(ModelForm):
    class Meta:
        model = NetworkMembership
        fields = ["coalition", "joined_on"]

    def __init__(self, *args, network, **kwargs):
        super().__init__(*args, **kwargs)
        current = network.memberships.filter(left_on__isnull=True).values("coalition_id")
        self.fields["coalition"].queryset = (
            Coalition.objects.filter(enrollments__program_id=network.program_id)
            .exclude(pk__in=current)
            .order_by("name")
        )
        self.fields["coalition"].empty_label = "Choose a coalition"


class NetworkLeaveForm(ModelForm):
    class Meta:
        model = NetworkMembership
        fields = ["left_on"]
        labels = {"left_on": "Left on"}
        error_messages = {"left_on": {"required": "Give the day it left."}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["left_on"].required = True

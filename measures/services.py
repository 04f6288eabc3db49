"""Writes to the measure catalog and to coalitions' adoption records."""

import json
import logging
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import DomainError
from core.versions import version_bump

from . import selectors
from .models import (
    AdoptionStageChange,
    CatalogLink,
    IncentiveProgram,
    Measure,
    MeasureAdoption,
    MeasureFact,
    MeasureSet,
    ProgramMembership,
    QualityProgram,
    Tool,
)

logger = logging.getLogger(__name__)


class MeasuresError(DomainError):
    """A catalog or adoption rule was broken."""


# --- the catalog file -----------------------------------------------------------------------

_RECORD_MODELS = {
    "program": QualityProgram, "measure_set": MeasureSet, "measure": Measure, "tool": Tool,
}
_MEASURE_FIELDS = [
    "title", "description", "steward", "type", "level", "domain", "setting", "data_source",
    "numerator", "denominator", "improvement_notation", "endorsement_number", "status",
    "version", "source_url",
]
_SET_FIELDS = ["name", "steward", "version", "description", "source_url"]
_PROGRAM_FIELDS = ["name", "publisher", "description", "source_url"]
# A fact is loaded only with its source: where it was read, who published it, and which
# version of the specification it describes (or the day it was read).
_FACT_SOURCE_FIELDS = ("source_url", "publisher", "version")
# Facts that have a column on Measure: the fact's value is the column's value.
_FACT_COLUMNS = {
    "description", "numerator", "denominator", "type", "setting", "data_source",
    "improvement_notation", "endorsement_number", "steward",
}
_TOOL_FIELDS = [
    "title", "kind", "publisher", "year", "description", "publication_number", "source_url",
]


@dataclass
class CatalogLoadResult:
    created: dict = field(default_factory=lambda: dict.fromkeys(_RECORD_MODELS, 0))
    updated: dict = field(default_factory=lambda: dict.fromkeys(_RECORD_MODELS, 0))
    unchanged: int = 0


class CatalogFileError(MeasuresError):
    def __init__(self, line_number, message):
        self.line_number = line_number
        super().__init__(f"line {line_number}: {message}")


def _upsert(model, lookup, values, *, line_number, result, kind):
    instance = model.objects.filter(**lookup).first()
    created = instance is None
    if created:
        instance = model(**lookup)
    changed = [
        name for name, value in values.items()
        if created or getattr(instance, name) != value
    ]
    for name in changed:
        setattr(instance, name, values[name])
    if not created and not changed:
        result.unchanged += 1
        return instance, False
    try:
        instance.full_clean(validate_unique=created)
    except ValidationError as error:
        details = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
        raise CatalogFileError(line_number, details) from error
    instance.save()
    (result.created if created else result.updated)[kind] += 1
    return instance, True


def _fields(record, names, line_number):
    missing = [name for name in names if name not in record]
    if missing:
        raise CatalogFileError(line_number, f"missing field(s): {', '.join(missing)}")
    values = {name: record[name] for name in names}
    for name, value in values.items():
        if value is None and name != "year":
            values[name] = ""
    return values


def _facts(record, line_number):
    """The record's facts by name, each checked to carry its source."""
    facts = {}
    raw_facts = record.get("facts") or []
    if not isinstance(raw_facts, list):
        raise CatalogFileError(line_number, "\"facts\" must be a list")
    for fact in raw_facts:
        name = fact.get("name") if isinstance(fact, dict) else None
        if name not in MeasureFact.Name.values:
            raise CatalogFileError(line_number, f"unknown fact {name!r}")
        if name in facts:
            raise CatalogFileError(line_number, f"fact {name!r} is given twice")
        if not str(fact.get("value") or "").strip():
            raise CatalogFileError(line_number, f"fact {name!r} has no value")
        missing = [key for key in _FACT_SOURCE_FIELDS if not str(fact.get(key) or "").strip()]
        if missing:
            raise CatalogFileError(
                line_number, f"fact {name!r} has no source: {', '.join(missing)} missing"
            )
        facts[name] = {
            "value": fact["value"], "source_url": fact["source_url"],
            "publisher": fact["publisher"], "version": fact["version"],
            "note": fact.get("note") or "",
        }
    return facts


def _memberships(record, line_number):
    memberships = {}
    for entry in record.get("programs") or []:
        program = QualityProgram.objects.filter(code=entry.get("program")).first()
        if program is None:
            raise CatalogFileError(line_number, f"unknown program {entry.get('program')!r}")
        if not entry.get("source_url"):
            raise CatalogFileError(
                line_number, f"program {program.code} membership has no source_url"
            )
        key = (program.pk, entry.get("year"))
        memberships[key] = {
            "identifier": entry.get("identifier") or "", "source_url": entry["source_url"],
        }
    return memberships


def _sync_facts(measure, facts, line_number):
    """Make the measure's stored facts those of the file; True if anything changed."""
    current = {fact.name: fact for fact in measure.facts.all()}
    changed = False
    for name in current.keys() - facts.keys():
        current[name].delete()
        changed = True
    for name, values in facts.items():
        fact = current.get(name) or MeasureFact(measure=measure, name=name)
        if fact.pk and all(getattr(fact, key) == value for key, value in values.items()):
            continue
        for key, value in values.items():
            setattr(fact, key, value)
        try:
            fact.full_clean(validate_unique=False)
        except ValidationError as error:
            details = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
            raise CatalogFileError(line_number, f"fact {name!r}: {details}") from error
        fact.save()
        changed = True
    return changed


def _sync_memberships(measure, memberships, line_number):
    current = {(m.program_id, m.year): m for m in measure.program_memberships.all()}
    changed = False
    for key in current.keys() - memberships.keys():
        current[key].delete()
        changed = True
    for (program_id, year), values in memberships.items():
        membership = current.get((program_id, year)) or ProgramMembership(
            measure=measure, program_id=program_id, year=year
        )
        if membership.pk and all(getattr(membership, k) == v for k, v in values.items()):
            continue
        for key, value in values.items():
            setattr(membership, key, value)
        try:
            membership.full_clean(validate_unique=False)
        except ValidationError as error:
            details = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
            raise CatalogFileError(line_number, f"program membership: {details}") from error
        membership.save()
        changed = True
    return changed


@transaction.atomic
def catalog_load(lines):
    """Load the catalog from JSON Lines; all or nothing, updating rows in place.

    A bad line stops the load with its line number and leaves the database as it was.
    A row whose content did not change is not saved again, so the catalog's version (and
    the API's ETags) move only when something really changed.
    """
    result = CatalogLoadResult()
    sets = {}
    measures = {}
    new_codes = set()
    components = []
    for line_number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as error:
            raise CatalogFileError(line_number, f"not valid JSON ({error.msg})") from error
        if not isinstance(record, dict) or record.get("record") not in _RECORD_MODELS:
            raise CatalogFileError(
                line_number,
                "each line needs \"record\": program, measure_set, measure or tool",
            )
        kind = record["record"]
        code = str(record.get("code") or "").strip()
        if not code:
            raise CatalogFileError(line_number, "missing code")
        if kind == "program":
            values = _fields(record, _PROGRAM_FIELDS, line_number)
            _upsert(QualityProgram, {"code": code}, values, line_number=line_number,
                    result=result, kind=kind)
        elif kind == "measure_set":
            values = _fields(record, _SET_FIELDS, line_number)
            sets[code], _ = _upsert(MeasureSet, {"code": code}, values,
                                    line_number=line_number, result=result, kind=kind)
        elif kind == "tool":
            values = _fields(record, _TOOL_FIELDS, line_number)
            _upsert(Tool, {"code": code}, values, line_number=line_number, result=result,
                    kind=kind)
        else:
            set_code = record.get("set")
            measure_set = sets.get(set_code) or MeasureSet.objects.filter(code=set_code).first()
            if measure_set is None:
                raise CatalogFileError(line_number, f"unknown measure set {set_code!r}")
            values = _fields(record, _MEASURE_FIELDS, line_number)
            values["software_url"] = record.get("software_url") or ""
            facts = _facts(record, line_number)
            for name in _FACT_COLUMNS & facts.keys():
                values[name] = facts[name]["value"]
            values["measure_set"] = measure_set
            is_new = not Measure.objects.filter(code=code).exists()
            measure, saved = _upsert(Measure, {"code": code}, values,
                                 line_number=line_number, result=result, kind=kind)
            measures[code] = measure
            if is_new:
                new_codes.add(code)
            components.append((line_number, measure, record.get("components") or []))
            memberships = _memberships(record, line_number)
            facts_changed = _sync_facts(measure, facts, line_number)
            programs_changed = _sync_memberships(measure, memberships, line_number)
            if (facts_changed or programs_changed) and code not in new_codes:
                # New provenance or programs change the measure: its ETag must move.
                measure.save(update_fields=["updated_at"])
                if not saved:
                    result.updated["measure"] += 1
                    result.unchanged -= 1
    for line_number, measure, codes in components:
        wanted = []
        for code in codes:
            component = measures.get(code) or Measure.objects.filter(code=code).first()
            if component is None:
                raise CatalogFileError(line_number, f"unknown component {code!r}")
            wanted.append(component.pk)
        current = set(measure.components.values_list("pk", flat=True))
        if current != set(wanted):
            measure.components.set(wanted)
            # A new composition is a change of the measure: its ETag must move.
            measure.save(update_fields=["updated_at"])
            if measure.code not in new_codes:
                result.updated["measure"] += 1
    if any(result.created.values()) or any(result.updated.values()):
        catalog_changed()
    return result


# --- the catalog's version -------------------------------------------------------------------


def catalog_changed():
    """Move the catalog's version (the key of the API's ETags and cache), in the caller's
    transaction: every write to a measure set, measure, its components, facts or programs,
    or a tool calls it. A save or delete does through the models' signals (``apps.py``); a
    bulk ``update()`` or ``bulk_create()`` must call it itself, inside its transaction.
    """
    version_bump(selectors.CATALOG_VERSION)
    # Forgotten now for this transaction's own reads, and again once the change is visible
    # to every other, so that no request in this process keeps the old version.
    selectors.catalog_version_forget()
    transaction.on_commit(selectors.catalog_version_forget)


# Fields a bulk update may set: the catalog file's (a measure's code, its identity, is not one).
_BULK_FIELDS = frozenset(_MEASURE_FIELDS)


@transaction.atomic
def measure_bulk_update(*, measures, actor, **fields):
    """Set the same values on many measures in one UPDATE (retire a module's measures, move
    them to a new specification version); the catalog's version moves with it. Returns how
    many measures changed. Each value is checked as the field would check it."""
    errors = {}
    for name, value in fields.items():
        if name not in _BULK_FIELDS:
            errors[name] = "This field cannot be changed for many measures at once."
            continue
        try:
            Measure._meta.get_field(name).clean(value, None)
        except ValidationError as error:
            errors[name] = error.messages
    if errors:
        raise MeasuresError(errors)
    count = Measure.objects.filter(pk__in=measures.values("pk")).update(
        **fields, updated_at=timezone.now()
    )
    if count:
        catalog_changed()
        logger.info("%s changed %s of %d measures", actor, ", ".join(fields), count)
    return count


# --- adoption -------------------------------------------------------------------------------


def _check_day(day, *, field_name):
    if day > timezone.localdate():
        raise MeasuresError({field_name: "The date cannot be in the future."})


def adoption_create(
    *, coalition, measure, use, stage, actor, stage_since=None, incentive_program=None,
    notes="",
):
    """Record that a coalition uses (or weighs) a measure for a purpose, at a stage."""
    stage_since = stage_since or timezone.localdate()
    _check_day(stage_since, field_name="stage_since")
    if MeasureAdoption.objects.filter(coalition=coalition, measure=measure, use=use).exists():
        raise MeasuresError({
            "measure": f"{coalition.name} already records {measure.code} for "
                       f"{MeasureAdoption.Use(use).label.lower()}; change its stage instead."
        })
    adoption = MeasureAdoption(
        coalition=coalition, measure=measure, use=use, stage=stage, stage_since=stage_since,
        incentive_program=incentive_program, notes=notes,
    )
    adoption.full_clean()
    adoption._history_user = actor
    try:
        with transaction.atomic():
            adoption.save()
            AdoptionStageChange.objects.create(
                adoption=adoption, stage=stage, changed_on=stage_since, recorded_by=actor
            )
    except IntegrityError as error:
        raise MeasuresError({"measure": "That adoption is already recorded."}) from error
    return adoption


def adoption_check_stage_date(adoption, changed_on, *, field_name="changed_on"):
    """A new stage is dated today or earlier, and not before the current stage began."""
    _check_day(changed_on, field_name=field_name)
    if changed_on < adoption.stage_since:
        raise MeasuresError({
            field_name: "The change cannot be dated before the current stage began "
                        f"({adoption.stage_since:%B %-d, %Y})."
        })


def adoption_update(*, adoption, actor, stage=None, changed_on=None, **fields):
    """Change an adoption's stage (kept with its date), its program link or notes."""
    with transaction.atomic():
        adoption = MeasureAdoption.objects.select_for_update().get(pk=adoption.pk)
        update_fields = []
        for name, value in fields.items():
            if getattr(adoption, name) != value:
                setattr(adoption, name, value)
                update_fields.append(name)
        if stage is not None and stage != adoption.stage:
            changed_on = changed_on or timezone.localdate()
            adoption_check_stage_date(adoption, changed_on)
            adoption.stage, adoption.stage_since = stage, changed_on
            update_fields += ["stage", "stage_since"]
            AdoptionStageChange.objects.create(
                adoption=adoption, stage=stage, changed_on=changed_on, recorded_by=actor
            )
        if update_fields:
            adoption.full_clean()
            adoption._history_user = actor
            adoption.save(update_fields=[*update_fields, "updated_at"])
    return adoption


def adoption_archive(*, adoption, actor):
    """Remove an adoption from the coalition's records. It is archived, not deleted: its dated
    stages are outcome data, and what was true on the days before stays answerable."""
    with transaction.atomic():
        adoption = MeasureAdoption.objects.select_for_update().get(pk=adoption.pk)
        adoption.archived_at = timezone.now()
        adoption._history_user = actor
        adoption.save(update_fields=["archived_at", "updated_at"])
    return adoption


# --- incentive programs ---------------------------------------------------------------------


@transaction.atomic
def incentive_program_create(*, coalition, actor, measures=(), adopt_stage=None, **fields):
    """Record a coalition's incentive program; with ``adopt_stage``, also record each of its
    measures as adopted at that stage (all or nothing)."""
    program = IncentiveProgram(coalition=coalition, **fields)
    program.full_clean()
    program._history_user = actor
    try:
        with transaction.atomic():
            program.save()
    except IntegrityError as error:
        raise MeasuresError({"name": "This coalition already has a program by that name."}) \
            from error
    program.measures.set(measures)
    if adopt_stage:
        incentive_program_adopt_measures(program=program, stage=adopt_stage, actor=actor)
    return program


# The adoption use that each kind of incentive program puts its measures to.
USE_FOR_PROGRAM_KIND = {
    IncentiveProgram.Kind.PAY_FOR_PERFORMANCE: MeasureAdoption.Use.PAY_FOR_PERFORMANCE,
    IncentiveProgram.Kind.REPORT_CARD: MeasureAdoption.Use.PUBLIC_REPORTING,
    IncentiveProgram.Kind.TIERED_NETWORK: MeasureAdoption.Use.NETWORK_DESIGN,
    IncentiveProgram.Kind.CENTERS_OF_EXCELLENCE: MeasureAdoption.Use.NETWORK_DESIGN,
    IncentiveProgram.Kind.VALUE_BASED_BENEFIT: MeasureAdoption.Use.BENEFIT_DESIGN,
}


@transaction.atomic
def incentive_program_adopt_measures(*, program, stage, actor, day=None):
    """Record each of a program's measures as adopted, at ``stage``, for the program's use.

    An adoption already recorded for that measure and use moves to the stage (its history
    keeps the earlier one) and is linked to the program.
    """
    use = USE_FOR_PROGRAM_KIND[program.kind]
    day = day or timezone.localdate()
    adoptions = []
    for measure in program.measures.all():
        existing = MeasureAdoption.objects.filter(
            coalition=program.coalition, measure=measure, use=use
        ).first()
        if existing is None:
            adoptions.append(adoption_create(
                coalition=program.coalition, measure=measure, use=use, stage=stage,
                stage_since=day, incentive_program=program, actor=actor,
            ))
        else:
            adoptions.append(adoption_update(
                adoption=existing, actor=actor, stage=stage,
                changed_on=max(day, existing.stage_since), incentive_program=program,
            ))
    return adoptions


def incentive_program_check_coalition(program, coalition):
    """A program stays with its coalition while adoption records point at it (archived ones
    included): moving it would leave them pointing at another coalition's program."""
    if coalition.pk == program.coalition_id:
        return
    linked = MeasureAdoption.all_objects.filter(incentive_program=program).count()
    if linked:
        raise MeasuresError({
            "coalition": f"{linked} adoption record{'s' if linked != 1 else ''} of "
                         f"{program.coalition} {'are' if linked != 1 else 'is'} linked to this "
                         "program; it cannot move to another coalition."
        })


@transaction.atomic
def incentive_program_update(*, program, actor, measures=None, adopt_stage=None, **fields):
    """Change an incentive program; a save that changes nothing writes nothing."""
    program = IncentiveProgram.objects.select_for_update().get(pk=program.pk)
    if "coalition" in fields:
        incentive_program_check_coalition(program, fields["coalition"])
    changed = [name for name, value in fields.items() if getattr(program, name) != value]
    for name in changed:
        setattr(program, name, fields[name])
    if changed:
        program.full_clean()
        program._history_user = actor
        try:
            with transaction.atomic():
                program.save(update_fields=[*changed, "updated_at"])
        except IntegrityError as error:
            raise MeasuresError(
                {"name": "This coalition already has a program by that name."}
            ) from error
    if measures is not None and (
        {measure.pk for measure in measures}
        != set(program.measures.values_list("pk", flat=True))
    ):
        program.measures.set(measures)
    if adopt_stage:
        incentive_program_adopt_measures(program=program, stage=adopt_stage, actor=actor)
    return program


@transaction.atomic
def incentive_program_delete(*, program, actor):
    """Remove an incentive program. The adoptions linked to it stay, unlinked, each change
    kept in their history with who made it."""
    for adoption in MeasureAdoption.all_objects.filter(incentive_program=program):
        adoption.incentive_program = None
        adoption._history_user = actor
        adoption.save(update_fields=["incentive_program", "updated_at"])
    program._history_user = actor
    program.delete()


# --- catalog links from the registry's entries and items ------------------------------------


def catalog_links_set(*, actor, measures, tools, assistance=None, action_item=None):
    """Name the measures and tools a technical-assistance entry or an action-plan item
    concerns: the lists replace the previous ones; links already there are kept as they were,
    so a save that changes nothing writes nothing."""
    if (assistance is None) == (action_item is None):
        raise ValueError("Give a technical-assistance entry or an action-plan item.")
    target = {"assistance": assistance} if assistance is not None else {
        "action_item": action_item}
    wanted = {("measure", m.pk) for m in measures} | {("tool", t.pk) for t in tools}
    with transaction.atomic():
        current = {
            (("measure", link.measure_id) if link.measure_id else ("tool", link.tool_id)): link
            for link in CatalogLink.objects.select_for_update().filter(**target)
        }
        stale = [link.pk for key, link in current.items() if key not in wanted]
        if stale:
            CatalogLink.objects.filter(pk__in=stale).delete()
        for kind, pk in sorted(wanted - current.keys()):
            link = CatalogLink(added_by=actor, **target, **{f"{kind}_id": pk})
            link.full_clean()
            link.save()
    return CatalogLink.objects.filter(**target)

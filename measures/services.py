"""Writes to the measure catalog and to coalitions' adoption records."""

import json
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import DomainError

from .models import (
    AdoptionStageChange,
    IncentiveProgram,
    Measure,
    MeasureAdoption,
    MeasureSet,
    Tool,
)


class MeasuresError(DomainError):
    """A catalog or adoption rule was broken."""


# --- the catalog file -----------------------------------------------------------------------

_RECORD_MODELS = {"measure_set": MeasureSet, "measure": Measure, "tool": Tool}
_MEASURE_FIELDS = [
    "title", "description", "steward", "type", "level", "domain", "setting", "data_source",
    "numerator", "denominator", "improvement_notation", "endorsement_number", "status",
    "version", "source_url",
]
_SET_FIELDS = ["name", "steward", "version", "description", "source_url"]
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
                line_number, "each line needs \"record\": measure_set, measure or tool"
            )
        kind = record["record"]
        code = str(record.get("code") or "").strip()
        if not code:
            raise CatalogFileError(line_number, "missing code")
        if kind == "measure_set":
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
            values["measure_set"] = measure_set
            is_new = not Measure.objects.filter(code=code).exists()
            measure, _ = _upsert(Measure, {"code": code}, values,
                                 line_number=line_number, result=result, kind=kind)
            measures[code] = measure
            if is_new:
                new_codes.add(code)
            components.append((line_number, measure, record.get("components") or []))
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
    return result


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
            adoption.save(update_fields=[*update_fields, "updated_at"])
    return adoption


def adoption_delete(*, adoption, actor):
    adoption.delete()


# --- incentive programs ---------------------------------------------------------------------


@transaction.atomic
def incentive_program_create(*, coalition, actor, measures=(), adopt_stage=None, **fields):
    """Record a coalition's incentive program; with ``adopt_stage``, also record each of its
    measures as adopted at that stage (all or nothing)."""
    program = IncentiveProgram(coalition=coalition, **fields)
    program.full_clean()
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


@transaction.atomic
def incentive_program_update(*, program, actor, measures=None, adopt_stage=None, **fields):
    for name, value in fields.items():
        setattr(program, name, value)
    program.full_clean()
    try:
        with transaction.atomic():
            program.save()
    except IntegrityError as error:
        raise MeasuresError({"name": "This coalition already has a program by that name."}) \
            from error
    if measures is not None:
        program.measures.set(measures)
    if adopt_stage:
        incentive_program_adopt_measures(program=program, stage=adopt_stage, actor=actor)
    return program

import json

from django.core.management import call_command

from measures.coverage import catalog_coverage


def _line(code, status="current", facts=(), **values):
    record = {"record": "measure", "set": "PQI", "code": code, "status": status,
              "numerator": "", "denominator": "", "type": "", "improvement_notation": "",
              "facts": [{"name": name} for name in facts]}
    return json.dumps(record | values) + "\n"


def test_coverage_counts_current_measures_filled_and_sourced():
    coverage = catalog_coverage([
        _line("PQI 01", numerator="N", type="outcome", facts=["numerator"]),
        _line("PQI 03", improvement_notation="lower"),
        _line("PQI 02", status="retired", numerator="N"),
    ])["PQI"]

    assert coverage.current == 2
    assert coverage.filled == {"numerator": 1, "denominator": 0, "type": 1,
                               "improvement_notation": 1}
    assert coverage.sourced["numerator"] == 1 and coverage.sourced["type"] == 0
    assert coverage.missing["denominator"] == ["PQI 01", "PQI 03"]


def test_the_command_prints_a_table_per_set(tmp_path, capsys):
    path = tmp_path / "catalog.jsonl"
    path.write_text(_line("PQI 01", numerator="N", facts=["numerator"]), encoding="utf-8")

    call_command("catalog_coverage", str(path), "--missing")

    out = capsys.readouterr().out
    assert "| PQI | 1 | 100 % (100 % sourced) | 0 % (0 % sourced)" in out
    assert "PQI without denominator: PQI 01" in out

"""One broken document per validation rule, with the one problem (exactly) that `validate` must report.

BPMN cases reuse the small process of `broken_bpmn` (the element under test starts on line 12);
DMN cases are a two-input decision table (`soort`, `trede`) whose rule n is on line 11 + n.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

from tests.unit.broken_bpmn import FORMS, LINE, process, script, timer, user_task

__all__ = ["CLEAN", "CORPUS", "FORMS", "Lint"]


@dataclass(frozen=True)
class Lint:
    name: str
    filename: str
    xml: str
    expected: str  # the one problem, as `validate` prints it: file:line: element: message [severity]


def _flows(gateway: str, *conditions: str) -> str:
    """A gateway `stap` with two outgoing conditioned flows that meet again at `einde`."""
    lines = [f'    <bpmn:exclusiveGateway id="stap"{gateway} />']
    for n, condition in enumerate(conditions, start=1):
        lines.append(
            f'    <bpmn:sequenceFlow id="c{n}" sourceRef="stap" targetRef="einde">'
            f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}</bpmn:conditionExpression>'
            "</bpmn:sequenceFlow>"
        )
    return "\n".join(lines)


def _gateway_process(gateway: str, *conditions: str) -> str:
    # The shared footer's flow f2 leaves `stap` too; gateways get only their own flows.
    return process(_flows(gateway, *conditions)).replace(
        '    <bpmn:sequenceFlow id="f2" sourceRef="stap" targetRef="einde" />\n', ""
    )


DMN_HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="defs" name="Test" namespace="http://t">
  <decision id="besluit" name="Besluit">
    <decisionTable id="tabel" hitPolicy="UNIQUE">
      <input id="in_soort" label="Soort">
        <inputExpression id="ie_soort" typeRef="string"><text>soort</text></inputExpression>
      </input>
      <input id="in_trede" label="Trede">
        <inputExpression id="ie_trede" typeRef="integer"><text>trede</text></inputExpression>
      </input>
      <output id="uit" name="route" typeRef="string" />
"""


def dmn(*rules: tuple[str, str]) -> str:
    body = "".join(
        f'      <rule id="r{n}"><inputEntry id="r{n}_a"><text>{escape(a)}</text></inputEntry>'
        f'<inputEntry id="r{n}_b"><text>{escape(b)}</text></inputEntry>'
        f'<outputEntry id="r{n}_o"><text>"x"</text></outputEntry></rule>\n'
        for n, (a, b) in enumerate(rules, start=1)
    )
    return DMN_HEADER + body + "    </decisionTable>\n  </decision>\n</definitions>\n"


_TASK = user_task("stap.json")
_CALL = '    <bpmn:callActivity id="stap" name="Stap" calledElement="bestaat_niet" />'
_L = LINE

CORPUS = [
    Lint("schema", "x.bpmn", process(_TASK.replace('name="Stap"', 'name="Stap" prio="1"')),
         f"x.bpmn:{_L}: stap: schema: element 'userTask', attribute 'prio': "
         "The attribute 'prio' is not allowed. [error]"),
    Lint("dmn_schema", "x.dmn", dmn(('"a"', "-")).replace('id="tabel"', 'id="tabel" kleur="rood"'),
         "x.dmn:4: tabel: schema: element 'decisionTable', attribute 'kleur': The attribute 'kleur' is not allowed. "
         "[error]"),
    Lint("parse", "x.bpmn", process('    <bpmn:userTask id="stap">\n    </bpmn:task>'),
         f"x.bpmn:{_L + 1}: -: malformed XML: Opening and ending tag mismatch: userTask line {_L} and "
         f"task, line {_L + 1}, column 17 [error]"),
    Lint("missing_form", "x.bpmn", process(user_task("weg.json")),
         f"x.bpmn:{_L}: stap: form 'weg.json' not found in forms/ [error]"),
    Lint("invalid_form", "x.bpmn", process(user_task("kapot.json")),
         f"x.bpmn:{_L}: stap: form 'kapot.json' is not a valid JSON Schema: "
         "kapot.json: [] is not of type 'object' [error]"),
    Lint("unknown_role", "x.bpmn", process(_TASK).replace('name="Klantmanager"', 'name="Stagiair"'),
         f"x.bpmn:{_L}: stap: lane/candidate group 'stagiair' is not a known role [warning]"),
    Lint("unquoted_timer", "x.bpmn", process(timer("P14D")),
         f'x.bpmn:{_L}: stap: timer expressions are Python expressions: write "P14D" with quotes, not P14D [error]'),
    Lint("invalid_timer", "x.bpmn", process(timer('"P1X"')),
         f"x.bpmn:{_L}: stap: 'P1X' is not a valid ISO 8601 timeDuration [error]"),
    Lint("script_syntax", "x.bpmn", process(script("x = 1\ny = (x +\n")),
         f"x.bpmn:{_L + 1}: stap: script error: Line 2: SyntaxError: '(' was never closed at statement: 'y = (x +' "
         "[error]"),
    Lint("condition_syntax", "x.bpmn", _gateway_process(' default="c2"', "besluit ==", "True"),
         f"x.bpmn:{_L + 1}: c1: condition does not compile: Line 1: SyntaxError: invalid syntax at statement: "
         "'besluit ==' [error]"),
    Lint("gateway_without_default", "x.bpmn", _gateway_process("", 'besluit == "ja"', 'besluit == "nee"'),
         f"x.bpmn:{_L}: stap: exclusiveGateway has no default flow and its conditions may all be false (the case "
         "would stop with an error); mark one outgoing flow as the default [warning]"),
    Lint("unreachable", "x.bpmn", process(_TASK + '\n    <bpmn:task id="vergeten" name="Vergeten" />'),
         f"x.bpmn:{_L + 1}: vergeten: unreachable: no path from a start event leads here [error]"),
    Lint("unknown_call", "x.bpmn", process(_CALL), f"x.bpmn:{_L}: stap: calls unknown process 'bestaat_niet' [error]"),
    Lint("dmn_overlap", "x.dmn", dmn(('"a"', "<= 3"), ('"a"', "[3..5]"), ('"b"', "-"), ('"a"', "> 5")),
         "x.dmn:13: r2: rules r1 and r2 overlap under hit policy UNIQUE: both match soort='a', trede=3 [error]"),
    Lint("dmn_missing_rule", "x.dmn", dmn(('"a"', "< 3"), ('"a"', "> 3"), ('"b"', "-")),
         "x.dmn:4: tabel: hit policy UNIQUE: no rule matches soort='a', trede=3 [warning]"),
    Lint("dmn_unanalysable", "x.dmn", dmn(('"a"', "-"), ('"b"', "len(?) > 2")),
         "x.dmn:13: r2_b: input entry 'len(?) > 2' cannot be analysed for hit policy UNIQUE; check overlaps with "
         "this rule by hand [warning]"),
]  # fmt: skip

CLEAN = {
    "gateway_with_negation": ("x.bpmn", _gateway_process("", 'besluit == "ja"', 'not besluit == "ja"')),
    "dmn_unique": ("x.dmn", dmn(('"a"', "<= 2"), ('"a"', "3 <= ? <= 4"), ('"a"', ">= 5"), ('not("a")', "-"))),
    "dmn_enumerations": ("x.dmn", dmn(('"a","b"', "<= 5"), ('"a","b"', "]5..9]"), ('"a","b"', "> 9"), ('"c"', "-"))),
}

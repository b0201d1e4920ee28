"""Small BPMN documents, each broken in one way, with the problem a validator must report."""

from __future__ import annotations

from dataclasses import dataclass

HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="defs" targetNamespace="http://trajectflow.example/test">
  <bpmn:process id="kapot" name="Kapot" isExecutable="true">
    <bpmn:laneSet id="lanes">
      <bpmn:lane id="lane_km" name="Klantmanager"><bpmn:flowNodeRef>stap</bpmn:flowNodeRef></bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="begin" />
    <bpmn:sequenceFlow id="f1" sourceRef="begin" targetRef="stap" />
"""  # the element under test starts on line 12
FOOTER = """
    <bpmn:sequenceFlow id="f2" sourceRef="stap" targetRef="einde" />
    <bpmn:endEvent id="einde" />
  </bpmn:process>
</bpmn:definitions>
"""
LINE = 12


def process(element: str) -> str:
    return HEADER + element + FOOTER


def user_task(form: str) -> str:
    return (
        '    <bpmn:userTask id="stap" name="Stap"><bpmn:extensionElements><spiffworkflow:properties>'
        f'<spiffworkflow:property name="formJsonSchemaFilename" value="{form}" />'
        "</spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask>"
    )


def timer(expression: str) -> str:
    return (
        '    <bpmn:intermediateCatchEvent id="stap"><bpmn:timerEventDefinition id="td">'
        f'<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">{expression}</bpmn:timeDuration>'
        "</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>"
    )


def script(text: str) -> str:
    return f'    <bpmn:scriptTask id="stap" name="Stap"><bpmn:script>{text}</bpmn:script></bpmn:scriptTask>'


@dataclass(frozen=True)
class Broken:
    name: str
    xml: str
    line: int | None
    element_id: str | None
    message: str  # a fragment of the problem's message


XXE = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE bpmn:definitions [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'
    + HEADER.split("\n", 1)[1].replace('name="Kapot"', 'name="&e;"')
    + user_task("stap.json")
    + FOOTER
)

BROKEN = [
    Broken(
        "malformed_xml", process('    <bpmn:userTask id="stap">\n    </bpmn:task>'), LINE + 1, None, "malformed XML"
    ),
    Broken("external_entity", XXE, 2, None, "entity"),
    Broken("start_id", process(user_task("stap.json")).replace('"begin"', '"Start"'), 10, "Start", "reserved"),
    Broken("end_id", process(user_task("stap.json")).replace('"einde"', '"End"'), LINE + 2, "End", "reserved"),
    Broken("unquoted_timer", process(timer("P14D")), LINE, "stap", 'write "P14D" with quotes'),
    Broken("invalid_timer", process(timer('"P1X"')), LINE, "stap", "'P1X' is not a valid ISO 8601"),
    Broken("script_import", process(script("import os\nos.system('touch /tmp/x')")), LINE, "stap", "import"),
    Broken("script_syntax", process(script("\nteller = 1\nteller = (teller +\n")), LINE + 2, "stap", "SyntaxError"),
    Broken(
        "unknown_call",
        process('    <bpmn:callActivity id="stap" name="Stap" calledElement="bestaat_niet" />'),
        LINE,
        "stap",
        "unknown process 'bestaat_niet'",
    ),
    Broken("missing_form", process(user_task("weg.json")), LINE, "stap", "form 'weg.json' not found"),
    Broken("invalid_form", process(user_task("kapot.json")), LINE, "stap", "not a valid JSON Schema"),
]

VALID = process(user_task("stap.json"))
FORMS = {
    "stap.json": b'{"type": "object", "properties": {"opmerking": {"type": "string"}}}',
    "kapot.json": b'{"type": "objekt", "properties": []}',
}

"""SpiffWorkflow's parser, made liberal in what it reads (Camunda decision references too)."""

from __future__ import annotations

from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.parser.task_spec import BusinessRuleTaskParser
from SpiffWorkflow.spiff.specs.defaults import BusinessRuleTask

from .xml import CAMUNDA_NS, ZEEBE_NS


class LiberalBusinessRuleTaskParser(BusinessRuleTaskParser):
    """Accepts `spiffworkflow:calledDecisionId`, `camunda:decisionRef` and `zeebe:calledDecision`."""

    @staticmethod
    def get_decision_ref(node):  # type: ignore[no-untyped-def]
        ref = BusinessRuleTaskParser.get_decision_ref(node)
        if ref:
            return ref
        camunda = node.get(f"{{{CAMUNDA_NS}}}decisionRef")
        if camunda:
            return camunda
        for called in node.iter(f"{{{ZEEBE_NS}}}calledDecision"):
            return called.get("decisionId")
        return None


class TrajectflowParser(SpiffBpmnParser):
    OVERRIDE_PARSER_CLASSES = dict(SpiffBpmnParser.OVERRIDE_PARSER_CLASSES)
    OVERRIDE_PARSER_CLASSES[full_tag("businessRuleTask")] = (LiberalBusinessRuleTaskParser, BusinessRuleTask)

    def get_spec(self, process_id, required=True):  # type: ignore[no-untyped-def]
        # The library decides what is executable: bpmn-js saves new diagrams with isExecutable="false",
        # and a file whose processes are all marked so is deployed anyway (with a warning).
        process_parser = self.get_process_parser(process_id)
        if process_parser is not None:
            process_parser.process_executable = True
        return super().get_spec(process_id, required)

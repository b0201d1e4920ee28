"""Instance state without the spec.

SpiffWorkflow's default serializer embeds the whole process spec in every saved state. We store the
spec once per process version and serialise instances without it: the instance converter below
drops `spec`/`subprocess_specs` on the way out and takes them from the spec cache on the way in.
Dates and Decimals in task data round-trip too. The JSON is zlib-compressed.
"""

from __future__ import annotations

import json
import zlib
from datetime import date, time
from decimal import Decimal
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

STATE_FORMAT = "tf1"


class SpecFreeWorkflowConverter(BpmnWorkflowConverter):
    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def restore_with_spec(self, dct: dict[str, Any], spec: Any, subprocess_specs: dict) -> BpmnWorkflow:
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _registry() -> tuple[Any, SpecFreeWorkflowConverter]:
    config = {cls: converter for cls, converter in SPIFF_CONFIG.items() if cls is not BpmnWorkflow}
    registry = BpmnWorkflowSerializer.configure(config)
    converter = SpecFreeWorkflowConverter(BpmnWorkflow, registry)
    _register_values(registry)
    return registry, converter


def _register_values(registry: Any) -> None:
    registry.register(date, lambda v: {"value": v.isoformat()}, lambda v: date.fromisoformat(v["value"]))
    registry.register(time, lambda v: {"value": v.isoformat()}, lambda v: time.fromisoformat(v["value"]))
    registry.register(Decimal, lambda v: {"value": str(v)}, lambda v: Decimal(v["value"]))


_REGISTRY, _CONVERTER = _registry()


def dump_instance(workflow: BpmnWorkflow) -> bytes:
    dct = _REGISTRY.convert(workflow)
    dct["format"] = STATE_FORMAT
    return zlib.compress(json.dumps(dct, separators=(",", ":"), default=_json_default).encode("utf-8"), 6)


def load_instance(state: bytes, spec: Any, subprocess_specs: dict) -> BpmnWorkflow:
    dct = json.loads(zlib.decompress(state))
    dct.pop("format", None)
    dct.pop("typename", None)
    return _CONVERTER.restore_with_spec(dct, spec, subprocess_specs)


def _json_default(value: Any) -> Any:
    # Spiff leaves task data (and its deltas) unconverted for its JSON encoder to handle; typed
    # values go through the registry so they come back as dates and Decimals, not strings.
    typename = _REGISTRY.typenames.get(type(value))
    if typename is not None:
        return _REGISTRY.convert_to_dict[typename](value)
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    raise TypeError(f"value of type {type(value).__name__} cannot be stored in case data")


def default_serializer_size(workflow: BpmnWorkflow) -> int:
    """Bytes SpiffWorkflow's stock serializer would store for `workflow` (for benchmarks)."""
    registry = BpmnWorkflowSerializer.configure(dict(SPIFF_CONFIG))
    _register_values(registry)  # case data holds dates and Decimals, which the stock registry cannot store
    return len(BpmnWorkflowSerializer(registry).serialize_json(workflow).encode("utf-8"))

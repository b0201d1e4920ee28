// The modeler's side panel: role, form and due date of the selected user task, written as
// <spiffworkflow:property> entries (candidateGroups, formJsonSchemaFilename, dueIn) through moddle.
(function () {
  "use strict";

  const PROPS_TYPE = "spiffworkflow:Properties";

  function propertiesOf(businessObject) {
    const values = (businessObject.extensionElements && businessObject.extensionElements.values) || [];
    return values.find((value) => value.$type === PROPS_TYPE);
  }

  function readProperty(element, name) {
    const props = propertiesOf(element.businessObject);
    const found = props && (props.properties || []).find((p) => p.name === name);
    return found ? found.value || "" : "";
  }

  function writeProperty(modeler, element, name, value) {
    const moddle = modeler.get("moddle");
    const bo = element.businessObject;
    const extension = bo.extensionElements || moddle.create("bpmn:ExtensionElements", { values: [] });
    extension.values = extension.values || [];
    let props = propertiesOf({ extensionElements: extension });
    if (!props) {
      props = moddle.create(PROPS_TYPE, { properties: [] });
      props.$parent = extension;
      extension.values.push(props);
    }
    props.properties = props.properties || [];
    const existing = props.properties.find((p) => p.name === name);
    if (value && existing) {
      existing.value = value;
    } else if (value) {
      const property = moddle.create("spiffworkflow:Property", { name: name, value: value });
      property.$parent = props;
      props.properties.push(property);
    } else if (existing) {
      props.properties.splice(props.properties.indexOf(existing), 1);
    }
    extension.$parent = bo;
    modeler.get("modeling").updateProperties(element, { extensionElements: extension });
  }

  function install(modeler, panel) {
    const fields = {
      candidateGroups: panel.querySelector("#p-role"),
      formJsonSchemaFilename: panel.querySelector("#p-form"),
      dueIn: panel.querySelector("#p-due"),
    };
    const form = panel.querySelector("#panel-form");
    form.addEventListener("submit", (event) => event.preventDefault()); // Enter in a field must not reload the page
    const empty = panel.querySelector("#panel-empty");
    let selected = null;

    function show(element) {
      selected = element && element.type === "bpmn:UserTask" ? element : null;
      form.hidden = !selected;
      empty.hidden = !!selected;
      if (!selected) return;
      panel.querySelector("#panel-element").textContent = selected.businessObject.name || selected.id;
      panel.querySelector("#panel-id").textContent = selected.id;
      Object.entries(fields).forEach(([name, input]) => {
        const value = readProperty(selected, name);
        if (input.tagName === "SELECT" && value && !Array.from(input.options).some((o) => o.value === value)) {
          input.add(new Option(value, value)); // keep what the file says, even when it is not a known choice
        }
        input.value = value;
      });
    }

    Object.entries(fields).forEach(([name, input]) => {
      input.addEventListener("change", () => {
        if (selected) writeProperty(modeler, selected, name, input.value.trim());
      });
    });
    modeler.get("eventBus").on("selection.changed", (event) => {
      show(event.newSelection.length === 1 ? event.newSelection[0] : null);
    });
    return { show: show };
  }

  window.TrajectflowPanel = { install: install, readProperty: readProperty, writeProperty: writeProperty };
})();

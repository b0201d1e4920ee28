// Imports BPMN files the way bpmn-js / Camunda Modeler do (bpmn-moddle) and reports what they
// would warn about. Usage: node moddle_check.mjs FILE...  Prints one JSON object per file.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const require = createRequire(pathToFileURL(process.cwd() + "/"));
const mod = await import(pathToFileURL(require.resolve("bpmn-moddle")).href);
const BpmnModdle = mod.default || mod.BpmnModdle;

const moddle = new BpmnModdle();
for (const file of process.argv.slice(2)) {
  try {
    const { rootElement, warnings } = await moddle.fromXML(readFileSync(file, "utf8"));
    const diagrams = (rootElement.diagrams || []).length;
    console.log(JSON.stringify({ file, ok: true, diagrams, warnings: warnings.map((w) => w.message) }));
  } catch (err) {
    console.log(JSON.stringify({ file, ok: false, error: String(err.message || err) }));
  }
}

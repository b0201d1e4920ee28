// The web modeler page: load a version's files, edit the main BPMN in bpmn-js, check on save
// (problems listed and marked on the diagram), deploy the edited files as a new version.
(function () {
  "use strict";

  const canvas = document.getElementById("modeler");
  if (!canvas || typeof window.BpmnJS === "undefined") return; // vendor files missing: the page says so
  const status = document.getElementById("modeler-status");
  const problemsList = document.getElementById("problems");
  const csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || "";
  const text = JSON.parse(document.getElementById("modeler-text").textContent);
  let files = {};
  let main = "";
  let modeler = null;
  const overlayIds = [];

  function say(message, kind) {
    status.textContent = message;
    status.className = "notice" + (kind ? " notice--" + kind : "");
  }

  async function currentFiles() {
    const { xml } = await modeler.saveXML({ format: true });
    return Object.assign({}, files, { [main]: xml });
  }

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body),
      credentials: "same-origin",
    });
    return { status: response.status, body: await response.json() };
  }

  function showProblems(problems) {
    const overlays = modeler.get("overlays");
    const registry = modeler.get("elementRegistry");
    overlayIds.splice(0).forEach((id) => overlays.remove(id));
    problemsList.replaceChildren();
    problems.forEach((problem) => {
      const item = document.createElement("li");
      item.className = "problem problem--" + problem.severity;
      item.dataset.element = problem.element_id || "";
      const where = [problem.file, problem.line, problem.element_id].filter((x) => x).join(":");
      item.textContent = (problem.severity === "error" ? text.error : text.warning) + " " + where + " — " + problem.message;
      problemsList.appendChild(item);
      if (problem.file === main && problem.element_id && registry.get(problem.element_id)) {
        const marker = document.createElement("div");
        marker.className = "modeler-problem modeler-problem--" + problem.severity;
        marker.title = problem.message;
        marker.textContent = problem.severity === "error" ? "!" : "?";
        overlayIds.push(overlays.add(problem.element_id, { position: { top: -12, right: 12 }, html: marker }));
      }
    });
  }

  async function check() {
    say(text.checking);
    const answer = await post(canvas.dataset.validateUrl, { files: await currentFiles() });
    const problems = answer.body.problems || [];
    showProblems(problems);
    const valid = answer.status === 200 && answer.body.valid;
    say(valid ? text.valid : text.invalid, valid ? "success" : "error");
    return valid;
  }

  async function deploy() {
    say(text.deploying);
    const answer = await post(canvas.dataset.deployUrl, { files: await currentFiles() });
    if (answer.status !== 201) {
      showProblems(answer.body.details || []);
      say(text.notDeployed + " " + (answer.body.message || ""), "error");
      return;
    }
    showProblems(answer.body.warnings || []);
    const mine = answer.body.versions.find((v) => v.process_id === canvas.dataset.process) || answer.body.versions[0];
    const result = document.getElementById("deployed");
    result.dataset.version = mine ? mine.version : "";
    say(mine && mine.created ? text.deployed.replace("%(version)s", mine.version) : text.unchanged, "success");
  }

  async function start() {
    const [sources, descriptor] = await Promise.all([
      fetch(canvas.dataset.sourcesUrl, { credentials: "same-origin" }).then((r) => r.json()),
      fetch(canvas.dataset.moddleUrl).then((r) => r.json()),
    ]);
    files = sources.files;
    main = sources.main;
    modeler = new window.BpmnJS({ container: canvas, moddleExtensions: { spiffworkflow: descriptor } });
    await modeler.importXML(files[main]);
    modeler.get("canvas").zoom("fit-viewport");
    window.TrajectflowPanel.install(modeler, document.getElementById("properties"));
    window.trajectflowModeler = modeler; // for the browser test and the console
    document.getElementById("check").addEventListener("click", () => check().catch((e) => say(String(e), "error")));
    document.getElementById("deploy").addEventListener("click", () => deploy().catch((e) => say(String(e), "error")));
    canvas.dataset.ready = "true";
    say(text.loaded);
  }

  start().catch((error) => say(text.failed + " " + error, "error"));
})();

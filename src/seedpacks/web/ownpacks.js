"use strict";
// A tenant's own packs on the Sample Data page: the "Your pack" badge and the "Delete pack"
// button of their cards, and the "Add a pack" form that registers a pack file (PUT
// /api/v1/seed-dataset/{key}) and lists the problems of a bad one with their lines. The cards,
// messages and the dialog are app.js's, handed over by `init`.

(() => {
  const KEY = /^[a-z][a-z0-9_-]{1,39}$/;
  // The file's top-level `key:` line (a YAML mapping's keys start the line, nested ones do not).
  const YAML_KEY = /^key:[ \t]*(["']?)([A-Za-z0-9_-]+)\1[ \t]*(?:#.*)?$/m;
  const MEDIA = { json: "application/json", yaml: "application/yaml", yml: "application/yaml" };
  // A pack file's limit (packfile/limits.py): the key is looked for no further; the server
  // refuses a larger file with its own sentence.
  const READ_BYTES = 1024 * 1024;
  const page = { app: null, filledKey: "", reading: Promise.resolve() };

  const $ = (id) => document.getElementById(id);

  function isOwn(pack) {
    return pack.source === "custom";
  }

  function isAdmin() {
    return page.app.identity().role === "admin";
  }

  // --- cards ---------------------------------------------------------------------------------

  function badge(pack) {
    return isOwn(pack) ? page.app.el("span", { class: "badge own" }, "Your pack") : null;
  }

  function deleteButton(pack, { loaded, busy }) {
    if (!isOwn(pack) || !isAdmin()) return null;
    const { el } = page.app;
    const why = `why-${pack.key}`;
    return [
      el("button", {
        type: "button",
        class: "danger",
        disabled: busy || loaded,
        "aria-label": `Delete pack ${pack.name}`,
        "aria-describedby": loaded ? why : null,
        onclick: () => requestDelete(pack),
      }, "Delete pack"),
      loaded && el("p", { id: why, class: "own-why" },
        "Remove the loaded pack before you delete its definition."),
    ];
  }

  async function requestDelete(pack) {
    const app = page.app;
    app.clearMessages();
    const confirmed = await app.confirmDialog(
      `Delete ${pack.name}?`,
      `Your pack ${pack.name} (key ${pack.key}) is deleted from tenant “${app.identity().tenant}”: `
        + "it leaves the list, and using it again means registering its file again.",
      "Delete pack",
    );
    if (!confirmed) return;
    try {
      const result = await app.api("DELETE", `/seed-dataset/${encodeURIComponent(pack.key)}/definition`);
      app.forget(pack.key);
      app.showNotice(`${result.message}.`);
    } catch (error) {
      app.showError(error.message);
    }
    await app.refresh();
  }

  // --- the "Add a pack" form -------------------------------------------------------------------

  // Emptied when the identity changes: the last answer was about another tenant's packs.
  function clearForm() {
    $("own-form").reset();
    page.filledKey = "";
    say([], "");
  }

  function showForm(visible) {
    if (!visible) clearForm();
    $("own-pack").hidden = !visible;
  }

  function fileKey(text, name) {
    if (/\.json$/i.test(name) || text.trimStart().startsWith("{")) {
      try {
        const key = JSON.parse(text).key;
        return typeof key === "string" ? key : "";
      } catch (error) {
        return ""; // the server names what is wrong with the file when it is sent
      }
    }
    const match = YAML_KEY.exec(text);
    return match ? match[2] : "";
  }

  function mediaType(file, start) {
    const extension = (/\.([a-z]+)$/i.exec(file.name) || [])[1]?.toLowerCase();
    return MEDIA[extension] || (start.trimStart().startsWith("{") ? MEDIA.json : MEDIA.yaml);
  }

  // A key typed by the user stays; one the page filled in follows the file chosen.
  async function fileChosen() {
    const file = $("own-file").files[0];
    const input = $("own-key");
    say([], "");
    if (!file || (input.value && input.value !== page.filledKey)) return;
    const key = fileKey(await file.slice(0, READ_BYTES).text(), file.name);
    input.value = key;
    page.filledKey = key;
  }

  function say(children, cls) {
    const box = $("own-result");
    box.className = `own-result ${cls}`;
    box.replaceChildren(...children);
  }

  function problemItem(problem) {
    const { el } = page.app;
    const where = [problem.line != null && `Line ${problem.line}`, problem.path].filter(Boolean).join(", ");
    return el("li", { "data-line": problem.line ?? "" },
      where && el("strong", {}, `${where}: `), problem.message);
  }

  function showRefusal(error, file) {
    const { el } = page.app;
    const problems = error.status === 400 ? error.body.problems : null;
    if (!problems || !problems.length) {
      say([el("p", {}, error.message)], "error");
      return;
    }
    const count = `${problems.length} problem${problems.length === 1 ? "" : "s"}`;
    say([
      el("p", {}, `${file.name} has ${count}; nothing was registered. Fix them and register it again:`),
      el("ol", { class: "problems" }, problems.map(problemItem)),
    ], "error");
  }

  function checkInput(file, key) {
    if (!file) return "Choose a pack file (.yaml, .yml or .json) first.";
    if (!key) return "Give the pack a key: the file has no key: line to take it from.";
    if (!KEY.test(key)) {
      return `'${key}' is not a pack key: 2 to 40 lowercase letters, digits, _ or -, starting with a letter.`;
    }
    return null;
  }

  async function register(event) {
    event.preventDefault();
    const app = page.app;
    app.clearMessages();
    await page.reading; // the key the file names, when Register comes right after the choice
    const file = $("own-file").files[0];
    const key = $("own-key").value.trim();
    const wrong = checkInput(file, key);
    if (wrong) {
      say([app.el("p", {}, wrong)], "error");
      return;
    }
    const button = $("own-form").querySelector("button[type=submit]");
    button.disabled = true;
    say([app.el("p", {}, `Registering ${file.name}…`)], "");
    try {
      const start = await file.slice(0, 64).text();
      // The file's bytes as they are: the server reads them as UTF-8 and names a bad byte.
      const { status, data: pack } = await app.api("PUT", `/seed-dataset/${encodeURIComponent(key)}`, {
        body: file, headers: { "Content-Type": mediaType(file, start) }, withStatus: true,
      });
      const done = `Pack '${pack.key}' ${status === 201 ? "registered" : "replaced"}`;
      say([app.el("p", {}, `${done}: its card is in the list above.`)], "ok");
      app.forget(pack.key);
      app.showNotice(`${done}.`);
      $("own-form").reset();
      page.filledKey = "";
      await app.refresh();
    } catch (error) {
      showRefusal(error, file);
    } finally {
      button.disabled = false;
    }
  }

  // Save the pack schema as a file: the route needs the caller's credentials, a bare link none.
  async function downloadSchema(event) {
    event.preventDefault();
    const app = page.app;
    try {
      const schema = await app.api("GET", "/pack-schema");
      const url = URL.createObjectURL(new Blob([JSON.stringify(schema, null, 2)], { type: "application/json" }));
      const link = app.el("a", { href: url, download: "pack-schema.json", hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (error) {
      app.showError(error.message);
    }
  }

  function init(app) {
    page.app = app;
    $("own-form").addEventListener("submit", register);
    $("own-file").addEventListener("change", () => { page.reading = fileChosen(); });
    $("own-schema").addEventListener("click", downloadSchema);
    $("identity").addEventListener("submit", clearForm);
  }

  window.ownpacks = { init, badge, deleteButton, showForm };
})();

// The Sample Data page: plain DOM over the seedpacks HTTP API. No build step.
"use strict";

const API = "/api/v1";
const POLL_MS = 1000;
const COUNTED = [
  ["schemaCount", "schemas"],
  ["offerCount", "offers"],
  ["channelCount", "channels"],
  ["categoryCount", "categories"],
  ["creativeCount", "creatives"],
  ["modelCount", "models"],
];
// The reference's order of counts; a pack's `<table>_rows` come after the entities.
const COUNT_ORDER = [
  "schemas", "categories", "subCategories", "channels", "offers", "creatives", "qualificationRules",
  "contactPolicies", "outcomeTypes", "models", "experiments", "decisionFlows", "segments",
];
const TRAILING = ["interactions", "interactionSummaries", "segmentCustomers"];
const state = {
  packs: [], loaded: null, busy: false, counts: null, mode: "headers", who: null,
  // The scale typed into each card (kept while cards are redrawn), what each pack creates at
  // scale 1 (its description), and the loaded pack's seed and scale once known.
  scales: {}, planned: {}, loadedAs: null,
};

function countRank([key]) {
  if (COUNT_ORDER.includes(key)) return COUNT_ORDER.indexOf(key);
  if (TRAILING.includes(key)) return 200 + TRAILING.indexOf(key);
  return 100;
}

const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value == null) continue;
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child == null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// --- identity --------------------------------------------------------------------------
// The server says how callers authenticate (GET /api/v1/auth). With identity headers the page
// sends the tenant and role chosen at the top right, kept in localStorage. With an API key or a
// bearer token it asks for it, keeps it in sessionStorage (gone when the tab closes), sends it on
// every call, and shows the tenant and role the server says it grants.

const KEY_STORE = "seedpacks.credential";
const CREDENTIAL_NAMES = { "api-key": "API key", jwt: "Bearer token" };

function identity() {
  if (state.mode !== "headers") return state.who || { tenant: "", role: "" };
  return {
    tenant: localStorage.getItem("seedpacks.tenant") || "default",
    role: localStorage.getItem("seedpacks.role") || "admin",
  };
}

function credentialHeaders() {
  if (state.mode === "headers") {
    const { tenant, role } = identity();
    return { "X-Tenant-Id": tenant, "X-User-Role": role };
  }
  const credential = sessionStorage.getItem(KEY_STORE);
  if (!credential) return {};
  return state.mode === "api-key" ? { "X-API-Key": credential } : { Authorization: `Bearer ${credential}` };
}

function setupIdentity() {
  const { tenant, role } = identity();
  $("identity").hidden = false;
  $("tenant").value = tenant;
  $("role").value = role;
  $("identity").addEventListener("submit", (event) => {
    event.preventDefault();
    localStorage.setItem("seedpacks.tenant", $("tenant").value.trim() || "default");
    localStorage.setItem("seedpacks.role", $("role").value);
    state.counts = null;
    clearMessages();
    refresh();
  });
  $("role").addEventListener("change", () => $("identity").requestSubmit());
}

function askForCredential(message) {
  state.who = null;
  sessionStorage.removeItem(KEY_STORE);
  $("signed-in").hidden = true;
  $("credential").hidden = false;
  $("credential-value").value = "";
  $("loaded").hidden = true;
  window.ownpacks.showForm(false);
  const name = CREDENTIAL_NAMES[state.mode];
  const how = state.mode === "api-key"
    ? ["An operator creates one with ", el("code", {}, "seedpacks apikey create --tenant T --role admin"), "."]
    : ["Use a token from your identity provider."];
  $("packs").replaceChildren(
    el("p", { class: "muted wide" }, `This server needs your ${name}: enter it at the top right. `, how));
  if (message) showError(message);
  $("credential-value").focus();
}

async function signIn() {
  try {
    state.who = await api("GET", "/auth/me");
  } catch (error) {
    if (error.status === 401 || error.status === 403) return askForCredential(error.message);
    throw error;
  }
  $("credential").hidden = true;
  $("signed-in").hidden = false;
  $("who").textContent = `Tenant ${state.who.tenant} · ${state.who.role}`;
  state.counts = null;
  await refresh();
}

function setupCredential() {
  $("credential-label").textContent = CREDENTIAL_NAMES[state.mode];
  $("credential").addEventListener("submit", (event) => {
    event.preventDefault();
    clearMessages();
    sessionStorage.setItem(KEY_STORE, $("credential-value").value.trim());
    signIn();
  });
  $("sign-out").addEventListener("click", () => {
    clearMessages();
    askForCredential();
  });
  if (sessionStorage.getItem(KEY_STORE)) signIn();
  else askForCredential();
}

async function start() {
  window.ownpacks.init({
    api, el, identity, confirmDialog, clearMessages, showNotice, showError, refresh,
    // A pack registered again or deleted may plan other counts: describe it afresh.
    forget: (key) => { delete state.planned[key]; delete state.scales[key]; },
  });
  try {
    state.mode = (await api("GET", "/auth")).mode;
  } catch (error) {
    state.mode = "headers";
  }
  if (state.mode === "headers") {
    setupIdentity();
    refresh();
  } else {
    setupCredential();
  }
}

// --- HTTP ------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, body) {
    super(body && body.message ? body.message : `The server answered ${status}.`);
    this.status = status;
    this.body = body || {};
  }
}

// With `withStatus` the answer is `{ status, data }`: a PUT's 201 (created) or 200 (replaced).
async function api(method, path, { body, headers = {}, withStatus = false } = {}) {
  let response;
  try {
    response = await fetch(API + path, {
      method,
      headers: { ...credentialHeaders(), Accept: "application/json", ...headers },
      body,
    });
  } catch (error) {
    throw new ApiError(0, { message: "The server cannot be reached. Is `seedpacks serve` running?" });
  }
  let data = null;
  try {
    data = await response.json();
  } catch (error) {
    data = null;
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return withStatus ? { status: response.status, data } : data;
}

// --- messages and progress ---------------------------------------------------------------

function showError(message) {
  $("error").textContent = message;
  $("error").hidden = false;
}

function showNotice(message) {
  $("notice").textContent = message;
  $("notice").hidden = false;
}

function clearMessages() {
  $("error").hidden = true;
  $("notice").hidden = true;
  $("note").hidden = true;
}

function setProgress(title, percent, step) {
  $("activity").hidden = false;
  $("activity-title").textContent = title;
  $("progress").value = percent;
  $("percent").textContent = `${Math.round(percent)}%`;
  $("step").textContent = step || "";
}

function stepDetail(status) {
  if (status.rowsTotal) return ` (${status.rowsDone.toLocaleString()} of ${status.rowsTotal.toLocaleString()} rows)`;
  if (status.bytesTotal) return ` (${(status.bytesDone / 1e6).toFixed(1)} of ${(status.bytesTotal / 1e6).toFixed(1)} MB)`;
  return "";
}

// Follow the status endpoint every second while `work` runs; only `running` rows move the bar,
// so the previous operation's final state never flashes up.
async function withProgress(title, work) {
  state.busy = true;
  renderPacks();
  setProgress(title, 0, "Starting…");
  const timer = setInterval(async () => {
    try {
      const status = await api("GET", `/seed-dataset/${encodeURIComponent(state.loaded || "any")}/status`);
      if (status.status === "running") {
        setProgress(title, status.progress, status.step + stepDetail(status));
      }
    } catch (error) {
      /* a missed poll is not worth a message; the next one will tell */
    }
  }, POLL_MS);
  try {
    const result = await work();
    setProgress(title, 100, "Done");
    return result;
  } finally {
    clearInterval(timer);
    state.busy = false;
    renderPacks();
  }
}

// --- packs -------------------------------------------------------------------------------

function packByKey(key) {
  return state.packs.find((pack) => pack.key === key);
}

function plannedFacts(key) {
  const planned = state.planned[key];
  if (!planned) return [];
  const rows = Object.entries(planned).filter(([name]) => name.endsWith("_rows")).reduce((sum, [, n]) => sum + n, 0);
  return [["table rows", rows], ["interactions", planned.interactions]];
}

function card(pack) {
  const loaded = pack.key === state.loaded;
  const scaleId = `scale-${pack.key}`;
  const facts = [...COUNTED.map(([key, label]) => [label, pack[key]]), ...plannedFacts(pack.key)];
  const counts = el(
    "dl",
    { class: "facts" },
    facts.map(([label, value]) => el("div", { "data-fact": label },
      el("dt", {}, label), el("dd", {}, Number(value).toLocaleString()))),
  );
  const as = loaded && state.loadedAs;
  const scale = state.scales[pack.key] ?? (as ? as.scale : 1);
  const actions = el(
    "div",
    { class: "actions" },
    el("label", { for: scaleId, class: "scale" }, "Scale ×",
      el("input", {
        id: scaleId, type: "number", min: 1, max: 1000, value: scale, inputmode: "numeric",
        oninput: (event) => { state.scales[pack.key] = event.target.value; },
      })),
    el("button", {
      class: loaded ? "quiet" : "primary",
      disabled: state.busy,
      "aria-label": `${loaded ? "Reload" : "Load"} ${pack.name}`,
      onclick: () => requestLoad(pack),
    }, loaded ? "Reload" : "Load"),
    loaded && el("button", {
      class: "danger",
      disabled: state.busy,
      "aria-label": `Remove ${pack.name}`,
      onclick: () => requestRemove(pack),
    }, "Remove"),
    window.ownpacks.deleteButton(pack, { loaded, busy: state.busy }),
  );
  return el(
    "article",
    { class: `card${loaded ? " is-loaded" : ""}`, "aria-labelledby": `pack-${pack.key}`, "data-key": pack.key },
    el("header", {},
      el("h3", { id: `pack-${pack.key}` }, pack.name),
      el("span", { class: "badges" },
        loaded && el("span", { class: "badge loaded" }, "Loaded"),
        window.ownpacks.badge(pack),
        el("span", { class: "badge" }, pack.dataSource))),
    el("p", { class: "description" }, pack.description),
    el("p", { class: "focus" }, el("strong", {}, "Testing focus: "), pack.testingFocus),
    counts,
    as && el("p", { class: "loaded-as" }, `Loaded at scale ${as.scale} with seed ${as.seed}.`),
    actions,
  );
}

function renderPacks() {
  const box = $("packs");
  box.setAttribute("aria-busy", "false");
  if (!state.packs.length) return;
  box.replaceChildren(...state.packs.map(card));
}

function scaleOf(pack) {
  const value = Number($(`scale-${pack.key}`)?.value || 1);
  return Number.isInteger(value) && value >= 1 ? value : 1;
}

function confirmDialog(title, text, ok) {
  const dialog = $("confirm");
  $("confirm-title").textContent = title;
  $("confirm-text").textContent = text;
  $("confirm-ok").textContent = ok;
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "confirm"), { once: true });
  });
}

async function requestLoad(pack, { force = false } = {}) {
  clearMessages();
  const current = state.loaded;
  if (current && !force) {
    const same = current === pack.key;
    const currentName = packByKey(current)?.name || current;
    const confirmed = await confirmDialog(
      same ? `Reload ${pack.name}?` : `Replace ${currentName}?`,
      same
        ? `${pack.name} is loaded. Reloading removes it and loads it again from scratch.`
        : `${currentName} is loaded. Loading ${pack.name} removes it first, in the same transaction: if the load fails, ${currentName} stays.`,
      same ? "Reload" : "Replace",
    );
    if (!confirmed) return;
    force = true;
  }
  const query = new URLSearchParams({ scale: String(scaleOf(pack)) });
  if (force) query.set("force", "true");
  try {
    const result = await withProgress(`Loading ${pack.name}`, () =>
      api("POST", `/seed-dataset/${encodeURIComponent(pack.key)}?${query}`));
    state.counts = result.counts;
    state.loadedAs = { seed: result.seed, scale: result.scale };
    delete state.scales[pack.key];
    const replaced = result.replaced && result.replaced !== pack.key ? `, replacing ${packByKey(result.replaced)?.name || result.replaced}` : "";
    showNotice(`${result.message}${replaced}.`);
  } catch (error) {
    if (error.status === 409 && error.body.currentlyLoaded && !force) {
      state.loaded = error.body.currentlyLoaded;
      return requestLoad(pack);
    }
    $("activity").hidden = true;
    showError(error.message);
  }
  await refresh();
}

async function requestRemove(pack) {
  clearMessages();
  const confirmed = await confirmDialog(
    `Remove ${pack.name}?`,
    `Everything ${pack.name} created in tenant “${identity().tenant}” is deleted: tables, offers, models, segments and history.`,
    "Remove",
  );
  if (!confirmed) return;
  try {
    const result = await withProgress(`Removing ${pack.name}`, () =>
      api("DELETE", `/seed-dataset/${encodeURIComponent(pack.key)}`));
    state.counts = null;
    state.loadedAs = null;
    showNotice(`${result.message}.`);
  } catch (error) {
    $("activity").hidden = true;
    showError(error.message);
  }
  await refresh();
}

// --- the loaded pack ---------------------------------------------------------------------

function fillTable(id, rows, cells) {
  const body = $(id).querySelector("tbody");
  body.replaceChildren(
    ...rows.map((row) => el("tr", {}, cells(row).map(([value, cls]) => el("td", { class: cls }, value)))),
  );
}

function renderCounts(counts) {
  const box = $("counts");
  if (!counts) {
    box.replaceChildren();
    return;
  }
  box.replaceChildren(
    el("h3", { class: "sr-only" }, "What the load created"),
    el("dl", { class: "count-grid" },
      Object.entries(counts).sort((a, b) => countRank(a) - countRank(b)).map(([key, value]) =>
        el("div", { class: "count", "data-count": key },
          el("dt", {}, key.replace(/_rows$/, " rows").replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase()),
          el("dd", {}, Number(value).toLocaleString())))),
  );
}

function uploadForm(schema) {
  const id = `file-${schema.name}`;
  const form = el("form", { class: "upload", "data-schema": schema.name },
    el("label", { for: id }, el("strong", {}, schema.name), el("span", { class: "muted" }, schema.description)),
    el("input", { id, name: "file", type: "file", accept: ".csv,text/csv", required: true }),
    el("button", { type: "submit", class: "quiet" }, "Upload"),
    el("p", { class: "upload-result", role: "status", "aria-live": "polite" }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    upload(form, schema);
  });
  return form;
}

async function upload(form, schema) {
  clearMessages();
  const result = form.querySelector(".upload-result");
  result.textContent = "";
  result.classList.remove("error");
  const file = form.querySelector("input[type=file]").files[0];
  if (!file) {
    result.textContent = "Choose a CSV file first.";
    result.classList.add("error");
    return;
  }
  const body = new FormData();
  body.append("schema", schema.name);
  body.append("file", file, file.name);
  try {
    const done = await withProgress(`Uploading ${file.name} into ${schema.name}`, () =>
      api("POST", `/seed-dataset/${encodeURIComponent(schema.datasetKey)}/upload`, { body }));
    result.textContent = `${done.message}.`;
    showNotice(`${done.message}.`);
    state.counts = null;
    await refresh();
  } catch (error) {
    $("activity").hidden = true;
    result.textContent = error.message;
    result.classList.add("error");
    showError(`Upload into ${schema.name} failed: ${error.message}`);
  }
}

async function renderLoaded() {
  const section = $("loaded");
  if (!state.loaded) {
    section.hidden = true;
    return;
  }
  const [offers, channels, segments, schemas, categories] = await Promise.all(
    ["offers", "channels", "segments", "schemas", "categories"].map((kind) => api("GET", `/${kind}?limit=500`)),
  );
  const category = Object.fromEntries(categories.items.map((c) => [c.id, c.name]));
  const name = packByKey(state.loaded)?.name || state.loaded;
  $("loaded-title").textContent = `Loaded pack: ${name}`;
  renderCounts(state.counts);
  fillTable("offers-table", offers.items, (o) => [[o.name], [category[o.categoryId] || o.categoryId], [o.priority, "num"], [o.status]]);
  fillTable("channels-table", channels.items, (c) => [[c.name], [c.channelType], [c.deliveryMode]]);
  fillTable("segments-table", segments.items, (s) => [[s.name], [Number(s.customerCount).toLocaleString(), "num"]]);
  const uploadable = schemas.items.filter((s) => s.csvMapping);
  $("uploads").replaceChildren(
    ...(identity().role === "admin"
      ? uploadable.map(uploadForm)
      : [el("p", { class: "muted" }, "Only an admin can upload files.")]),
  );
  section.hidden = false;
  window.pictures.show({
    api, el, pack: state.loaded, role: identity().role, schemas: schemas.items, channels: channels.items,
    offers: offers.items,
  });
}

async function lastLoad() {
  try {
    const status = await api("GET", `/seed-dataset/${encodeURIComponent(state.loaded)}/status`);
    if (status.status === "completed" && status.operation === "load" && status.datasetKey === state.loaded) {
      return status;
    }
  } catch (error) {
    /* counts are a nicety */
  }
  return null;
}

// What each pack creates at scale 1, for its card: fetched once per pack.
async function describePacks() {
  const missing = state.packs.filter((pack) => !state.planned[pack.key]);
  const described = await Promise.all(missing.map((pack) =>
    api("GET", `/seed-dataset/${encodeURIComponent(pack.key)}`).catch(() => null)));
  described.forEach((d) => { if (d) state.planned[d.key] = d.plannedCounts; });
}

// A viewer or editor may not manage packs: that is their role, not an error.
function showRoleNote(role) {
  $("packs").replaceChildren(el("p", { class: "muted" },
    `Signed in as ${role}: you see what is loaded below; an admin loads and removes packs.`));
  $("note").textContent = `Role ${role} may read the loaded pack; loading, removing and uploading need an admin.`;
  $("note").hidden = false;
}

async function refresh() {
  try {
    const listing = await api("GET", "/seed-dataset");
    state.packs = listing.datasets;
    state.loaded = listing.currentlyLoaded;
    window.ownpacks.showForm(identity().role === "admin");
  } catch (error) {
    window.ownpacks.showForm(false);
    // A key revoked or expired while the page is open: ask for another.
    if (error.status === 401 && state.mode !== "headers") return askForCredential(error.message);
    state.packs = [];
    state.loaded = null;
    if (error.status === 403) {
      showRoleNote(identity().role);
      // Editors and viewers may still read what is loaded.
      const schemas = await api("GET", "/schemas?limit=1").catch(() => null);
      state.loaded = schemas?.items[0]?.datasetKey || null;
    } else {
      $("packs").replaceChildren(el("p", { class: "muted" }, "The packs cannot be listed."));
      showError(error.message);
    }
  }
  if (state.loaded && (!state.counts || !state.loadedAs)) {
    const load = await lastLoad();
    state.counts = state.counts || load?.counts || null;
    state.loadedAs = state.loadedAs || (load && load.scale ? { seed: load.seed, scale: load.scale } : null);
  }
  if (!state.loaded) state.loadedAs = null;
  await describePacks();
  renderPacks();
  try {
    await renderLoaded();
  } catch (error) {
    showError(error.message);
  }
}

document.addEventListener("DOMContentLoaded", start);

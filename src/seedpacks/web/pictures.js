"use strict";
// The loaded pack's pictures on the Sample Data page: the ground truth's heatmap, a simulation
// run from the page as a line chart, and each pack table's column distributions (fetched when
// its section is opened). The charts themselves are in charts.js.

(() => {
  const POLL_MS = 500;
  const page = {
    api: null, el: null, pack: null, rates: null, names: {}, offers: {}, simulation: null, run: 0,
  };
  // A bar chart whose values listed hold under a tenth of the rows (a foreign key, say)
  // pictures only "other values"; such columns are named instead.
  const SPREAD = 0.9;

  const $ = (id) => document.getElementById(id);

  function say(box, text, cls = "muted") {
    box.replaceChildren(page.el("p", { class: cls }, text));
  }

  function roomIn(box) {
    return box.clientWidth || 480;
  }

  function drawTruth() {
    const box = $("truth-chart");
    if (page.rates) {
      box.replaceChildren(window.charts.heatmap(page.rates, { channelNames: page.names, width: roomIn(box) }));
    }
  }

  async function showTruth(run) {
    const box = $("truth-chart");
    page.rates = null;
    say(box, "Reading the ground truth…");
    try {
      const rates = await page.api("GET", "/ground-truth/rates");
      if (run !== page.run) return null;
      page.rates = rates;
      drawTruth();
      return rates;
    } catch (error) {
      if (run === page.run) say(box, `The ground truth cannot be pictured: ${error.message}`);
      return null;
    }
  }

  async function fillProfile(details, schema) {
    const grid = details.querySelector(".chart-grid");
    say(grid, "Reading the table…");
    try {
      const profile = await page.api("GET", `/schemas/${encodeURIComponent(schema.name)}/profile`);
      const spread = (c) => c.chart === "bars" && c.values.some((v) => v.other) &&
        c.values.find((v) => v.other).count >= SPREAD * profile.profiledRows;
      const shown = profile.columns.filter((c) => c.chart !== "none" && !spread(c));
      const charts = shown.map((c) => window.charts.columnChart(c, profile.profiledRows, { names: page.offers }))
        .filter(Boolean);
      const keys = profile.columns.filter((c) => c.chart === "none").map((c) => c.name);
      const spreadOut = profile.columns.filter(spread).map((c) => c.name);
      const about = [`${profile.rows.toLocaleString()} rows`];
      if (profile.sampled) about.push(`pictured from a sample of ${profile.profiledRows.toLocaleString()}`);
      if (keys.length) about.push(`a different value in nearly every row: ${keys.join(", ")}`);
      if (spreadOut.length) about.push(`spread over too many values to picture: ${spreadOut.join(", ")}`);
      grid.replaceChildren(page.el("p", { class: "muted wide" }, `${about.join("; ")}.`), ...charts);
    } catch (error) {
      details.dataset.loaded = "";
      say(grid, `The table cannot be pictured: ${error.message}`);
    }
  }

  function showDistributions(schemas) {
    const box = $("distributions");
    box.replaceChildren(...schemas.map((schema, i) => {
      const details = page.el("details", { class: "profile", "data-table": schema.name, open: i === 0 },
        page.el("summary", {}, page.el("strong", {}, schema.name), " ",
          page.el("span", { class: "muted" }, schema.description || "")),
        page.el("div", { class: "chart-grid" }));
      const open = () => {
        if (details.open && !details.dataset.loaded) {
          details.dataset.loaded = "yes";
          fillProfile(details, schema);
        }
      };
      details.addEventListener("toggle", open);
      if (i === 0) open();
      return details;
    }));
  }

  function drawSimulation() {
    const box = $("simulation-chart");
    if (!page.simulation) {
      box.replaceChildren();
      return;
    }
    const width = Math.max(300, Math.min(roomIn(box), 760));
    box.replaceChildren(window.charts.lines(page.simulation, { width }));
  }

  async function simulate(form) {
    const status = form.querySelector(".simulate-status");
    const button = form.querySelector("button");
    const progress = form.querySelector("progress");
    const decisions = Number(form.elements.decisions.value);
    const body = { decisions };
    if (form.elements.channel.value) body.channel = form.elements.channel.value;
    const pack = page.pack;
    button.disabled = true;
    status.classList.remove("error");
    status.textContent = "Starting…";
    progress.value = 0;
    progress.hidden = false;
    try {
      // A Blob's type becomes the request's Content-Type.
      let job = await page.api("POST", "/simulate", {
        body: new Blob([JSON.stringify(body)], { type: "application/json" }),
      });
      while (job.status === "running") {
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        job = await page.api("GET", `/simulate/${encodeURIComponent(job.simulationId)}`);
        const done = job.decisionsDone || 0;
        progress.value = (100 * done) / decisions;
        status.textContent = `${done.toLocaleString()} of ${decisions.toLocaleString()} decisions`;
      }
      if (job.status !== "completed") throw new Error(job.message || "The simulation failed.");
      progress.value = 100;
      const rates = job.result.positiveRate;
      status.textContent = `${job.result.decisions.toLocaleString()} decisions on ${job.result.channel}: ` +
        `${(100 * rates.policy).toFixed(1)}% positive.`;
      if (pack === page.pack) {
        page.simulation = job.result;
        drawSimulation();
      }
    } catch (error) {
      status.textContent = error.message;
      status.classList.add("error");
    } finally {
      button.disabled = false;
      progress.hidden = true;
    }
  }

  function setupSimulation(role, rates, channelNames) {
    const form = $("simulate-form");
    const note = $("simulate-note");
    form.hidden = role !== "admin";
    note.hidden = role === "admin";
    const select = form.elements.channel;
    const chosen = select.value;
    select.replaceChildren(page.el("option", { value: "" }, "the pack's main channel"),
      ...(rates ? rates.channels : []).map((c) => page.el("option", { value: c }, channelNames[c] || c)));
    select.value = [...select.options].some((o) => o.value === chosen) ? chosen : "";
    if (!form.dataset.ready) {
      form.dataset.ready = "yes";
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        simulate(form);
      });
    }
    drawSimulation();
  }

  // Draw the loaded pack's pictures; `api` and `el` are the page's (app.js).
  async function show({ api, el, pack, role, schemas, channels, offers }) {
    Object.assign(page, { api, el });
    // Offer ids in the tables read as the offers' names.
    page.offers = Object.fromEntries(offers.map((o) => [o.id, o.name]));
    if (pack !== page.pack) page.simulation = null;
    page.pack = pack;
    page.run += 1;
    const run = page.run;
    page.names = Object.fromEntries(channels.map((c) => [c.id, c.name]));
    showDistributions(schemas);
    const rates = await showTruth(run);
    if (run === page.run) setupSimulation(role, rates, page.names);
  }

  let resizing = null;
  window.addEventListener("resize", () => {
    clearTimeout(resizing);
    resizing = setTimeout(() => {
      drawTruth();
      drawSimulation();
    }, 150);
  });

  window.pictures = { show };
})();

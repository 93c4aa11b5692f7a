"use strict";
// Charts of the Sample Data page, drawn as SVG from the API's JSON: no library, no CDN.
// Each chart reads without colour: its numbers are written out (labels, values, a <title> per
// mark), NULL bars are hatched, lines differ by dash pattern and carry their name at the end,
// and every chart comes with its numbers as a table for screen readers and for copying.

(() => {
  const SVG = "http://www.w3.org/2000/svg";

  function svgEl(tag, attrs = {}, ...children) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attrs)) {
      if (value !== null && value !== undefined) node.setAttribute(name, String(value));
    }
    for (const child of children.flat()) {
      node.append(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  function htmlEl(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
    node.append(...children.flat().map((c) => (c instanceof Node ? c : String(c))));
    return node;
  }

  // Hatching for NULL bars; one pattern per chart, so ids stay unique on the page.
  let patterns = 0;
  function hatching(svg) {
    patterns += 1;
    const id = `hatch-${patterns}`;
    svg.append(svgEl("defs", {}, svgEl("pattern", {
      id, width: 5, height: 5, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)",
    }, svgEl("rect", { width: 5, height: 5, class: "hatch-ground" }),
    svgEl("line", { x1: 0, y1: 0, x2: 0, y2: 5, class: "hatch" }))));
    // As a style, not the fill attribute: the stylesheet's fill for bars would win over that.
    return `fill: url(#${id})`;
  }

  function titled(mark, text) {
    mark.append(svgEl("title", {}, text));
    return mark;
  }

  function frame(width, height, label, kind) {
    return svgEl("svg", {
      viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": label,
      class: `chart ${kind}`, "data-chart": kind, preserveAspectRatio: "xMinYMin meet",
    });
  }

  function short(value) {
    if (value === null || value === undefined) return "";
    const number = Number(value);
    if (typeof value === "string" && /^\d{4}-\d\d-\d\d/.test(value)) return value.slice(0, 10);
    if (!Number.isFinite(number)) return String(value);
    if (Math.abs(number) >= 1e6) return `${(number / 1e6).toFixed(1)}M`;
    if (Math.abs(number) >= 1e4) return `${Math.round(number / 1e3)}k`;
    if (Number.isInteger(number)) return String(number);
    return Math.abs(number) >= 100 ? number.toFixed(0) : number.toFixed(2);
  }

  function percent(share) {
    return `${(100 * share).toFixed(share > 0 && share < 0.01 ? 1 : 0)}%`;
  }

  // Text widths as the page's font draws them, to cut labels to the room they have.
  let ruler = null, family = "";
  function textWidth(text, size = 11, weight = 400) {
    if (!ruler) {
      ruler = document.createElement("canvas").getContext("2d");
      family = getComputedStyle(document.body).fontFamily;
    }
    ruler.font = `${weight} ${size}px ${family}`;
    return ruler.measureText(text).width;
  }

  // `text`, cut short with an ellipsis where it is wider than `room` pixels.
  function clip(text, room, size = 11, weight = 400) {
    if (textWidth(text, size, weight) <= room) return text;
    let keep = text.length - 1;
    while (keep > 1 && textWidth(`${text.slice(0, keep)}…`, size, weight) > room) keep -= 1;
    return `${text.slice(0, keep)}…`;
  }

  // A chart with its heading and its numbers as a table (hidden until asked for).
  function figure(title, svg, head, rows, note) {
    const table = htmlEl("table", { class: "chart-data" },
      htmlEl("thead", {}, htmlEl("tr", {}, head.map((h) => htmlEl("th", { scope: "col" }, h)))),
      htmlEl("tbody", {}, rows.map((row) => htmlEl("tr", {}, row.map((c) => htmlEl("td", {}, c))))));
    const parts = title ? [htmlEl("figcaption", {}, title), svg] : [svg];
    if (note) parts.push(htmlEl("p", { class: "chart-note" }, note));
    parts.push(htmlEl("details", { class: "chart-numbers" }, htmlEl("summary", {}, "Numbers"), table));
    return htmlEl("figure", { class: "chart-figure" }, parts);
  }

  // A histogram of one column of `rows` profiled rows: equal-width bins, and the NULL share as
  // a separate hatched bar.
  function histogram(column, rows) {
    const width = 320, height = 170, left = 34, right = 8, bottom = 30, top = 10;
    const nulls = Math.round(rows * column.nullShare);
    const bins = column.counts.length;
    const peak = Math.max(1, ...column.counts, nulls);
    const label = `Histogram of ${column.name}: ${bins} bins from ${short(column.edges[0])} to ` +
      `${short(column.edges[bins])}, at most ${peak.toLocaleString()} rows in one` +
      `${nulls ? `; NULL in ${percent(column.nullShare)} of rows` : ""}.`;
    const svg = frame(width, height, label, "histogram");
    // The NULL bar stands apart at the right, with room for its label.
    const nullArea = nulls ? 40 : 0;
    const step = (width - left - right - nullArea) / Math.max(bins, 1);
    const base = height - bottom;
    const scale = (n) => (base - top) * (n / peak);
    svg.append(
      svgEl("line", { x1: left, x2: left, y1: top, y2: base, class: "axis" }),
      svgEl("text", { x: left - 4, y: top + 8, class: "tick end" }, short(peak)),
      svgEl("text", { x: left - 4, y: base, class: "tick end" }, "0"),
    );
    column.counts.forEach((count, i) => {
      const h = scale(count);
      svg.append(titled(svgEl("rect", {
        x: left + i * step + 0.5, y: base - h, width: Math.max(step - 1, 1), height: h, class: "bar",
      }), `${short(column.edges[i])} to ${short(column.edges[i + 1])}: ${count.toLocaleString()} rows`));
    });
    if (nulls) {
      const h = scale(nulls);
      const x = width - right - 24;
      svg.append(
        titled(svgEl("rect", {
          x, y: base - h, width: 20, height: h, class: "bar null", style: hatching(svg),
        }), `NULL: ${nulls.toLocaleString()} rows (${percent(column.nullShare)})`),
        svgEl("text", { x: x + 10, y: base + 13, class: "tick middle" }, "NULL"),
      );
    }
    svg.append(
      svgEl("line", { x1: left, x2: width - right, y1: base, y2: base, class: "axis" }),
      svgEl("text", { x: left, y: base + 13, class: "tick" }, short(column.edges[0])),
      svgEl("text", { x: left + bins * step, y: base + 13, class: "tick end" }, short(column.edges[bins])),
      svgEl("text", { x: left + (bins * step) / 2, y: base + 26, class: "axis-title middle" },
        `${column.name} (${column.type})`),
    );
    const table = column.counts.map((count, i) =>
      [`${short(column.edges[i])} to ${short(column.edges[i + 1])}`, count.toLocaleString()]);
    if (nulls) table.push(["NULL", `${nulls.toLocaleString()} (${percent(column.nullShare)})`]);
    return figure(column.name, svg, ["Range", "Rows"], table,
      `Rows per bin of equal width${nulls ? `; NULL in ${percent(column.nullShare)} of rows` : ""}.`);
  }

  // Value counts of one column as horizontal bars, each with its share written out; NULL as a
  // hatched bar of its own. `names`: what to show for a value (an offer's name for its id).
  function bars(column, rows, { names = {} } = {}) {
    const items = column.values.map((v) => ({
      name: v.other ? "(other values)" : names[v.value] || String(v.value), count: v.count, other: Boolean(v.other),
    }));
    const nulls = Math.round(rows * column.nullShare);
    if (nulls) items.push({ name: "NULL", count: nulls, isNull: true });
    const total = items.reduce((a, v) => a + v.count, 0) || 1;
    const width = 320, row = 18, label = 118, right = 42, top = 4;
    const height = top + items.length * row + 22;
    const shown = items.map((v) => `${v.name} ${percent(v.count / total)}`).join(", ");
    const svg = frame(width, height, `Value counts of ${column.name}: ${shown}.`, "bars");
    const peak = Math.max(1, ...items.map((v) => v.count));
    const hatch = nulls ? hatching(svg) : null;
    items.forEach((v, i) => {
      const w = (width - label - right) * (v.count / peak);
      const y = top + i * row;
      svg.append(
        svgEl("text", { x: label - 6, y: y + 12, class: `tick end${v.other ? " muted" : ""}` }, clip(v.name, label - 10)),
        titled(svgEl("rect", {
          x: label, y: y + 2, width: Math.max(w, 1), height: row - 5,
          class: v.isNull ? "bar null" : v.other ? "bar other" : "bar", style: v.isNull ? hatch : null,
        }), `${v.name}: ${v.count.toLocaleString()} rows (${percent(v.count / total)})`),
        svgEl("text", { x: label + w + 4, y: y + 12, class: "tick value" }, percent(v.count / total)),
      );
    });
    const base = top + items.length * row + 2;
    svg.append(
      svgEl("line", { x1: label, x2: label, y1: top, y2: base, class: "axis" }),
      svgEl("text", { x: label, y: base + 14, class: "axis-title" }, `share of rows, ${column.name} (${column.type})`),
    );
    return figure(column.name, svg, ["Value", "Rows", "Share"],
      items.map((v) => [v.name, v.count.toLocaleString(), percent(v.count / total)]));
  }

  // The truth's response rate per offer (rows) and channel (columns): the number in each cell,
  // its shade only repeating it.
  // A name's two lines, split at the space that makes the wider line narrowest.
  function halves(name, weight) {
    let best = [name], widest = Infinity;
    for (let at = name.indexOf(" "); at > 0; at = name.indexOf(" ", at + 1)) {
      const lines = [name.slice(0, at), name.slice(at + 1)];
      const wide = Math.max(...lines.map((line) => textWidth(line, 10.5, weight)));
      if (wide < widest) [best, widest] = [lines, wide];
    }
    return best;
  }

  // How wide a name is drawn: on one line, or on two smaller ones when wider than `room`.
  function drawnWidth(name, room, weight) {
    const one = textWidth(name, 11, weight);
    return one <= room ? one : Math.max(...halves(name, weight).map((l) => textWidth(l, 10.5, weight)));
  }

  // A name aligned at (x, middle) in `room` pixels, on two smaller lines when it does not fit
  // on one; what still does not fit is cut short.
  function twoLines(name, x, middle, room, { align = "end", weight = 400 } = {}) {
    const lines = textWidth(name, 11, weight) <= room ? [name] : halves(name, weight);
    if (lines.length === 1) {
      return svgEl("text", { x, y: middle + 4, class: `tick ${align}` }, clip(name, room, 11, weight));
    }
    return svgEl("text", { x, y: middle - 2, class: `tick ${align} two-lines` },
      svgEl("tspan", { x, dy: 0 }, clip(lines[0], room, 10.5, weight)),
      svgEl("tspan", { x, dy: 11 }, clip(lines[1], room, 10.5, weight)));
  }

  // `width`: the room there is; the offers' column gives way first, then the cells.
  function heatmap(rates, { channelNames = {}, width: room = 480 } = {}) {
    const n = Math.max(rates.channels.length, 1);
    // Cells as wide as their channels' names need, 48 to 66 px.
    const names = rates.channels.map((c) => channelNames[c] || c);
    const need = Math.max(0, ...names.map((name) => drawnWidth(name, 62, 600))) + 6;
    const cell = Math.round(Math.min(66, Math.max(48, (room - 160) / n, need)));
    const label = Math.round(Math.min(190, Math.max(110, room - n * cell - 2)));
    // A name too long for one line takes two.
    const nameRoom = label - 8, headRoom = cell - 4;
    const wrap = rates.offers.some((o) => textWidth(o.name) > nameRoom);
    const rowH = wrap ? 30 : 24;
    const head = names.some((name) => textWidth(name, 11, 600) > headRoom) ? 32 : 24;
    const width = label + rates.channels.length * cell + 2;
    const height = head + rates.offers.length * rowH + 2;
    const svg = frame(width, height,
      `Ground truth: mean response rate of ${rates.offers.length} offers on ${rates.channels.length} channels; the numbers are in the table below.`,
      "heatmap");
    svg.style.maxWidth = `${Math.round(width * 1.2)}px`;
    const values = rates.rates.flat().filter((r) => r !== null);
    const low = values.length ? Math.min(...values) : 0;
    const high = values.length ? Math.max(...values) : 1;
    const channelName = (c) => channelNames[c] || c;
    rates.channels.forEach((channel, j) => {
      const heading = twoLines(channelName(channel), label + j * cell + cell / 2, head - 12, headRoom,
        { align: "middle", weight: 600 });
      heading.classList.add("head");
      svg.append(titled(heading, channelName(channel)));
    });
    rates.offers.forEach((offer, i) => {
      const y = head + i * rowH;
      svg.append(titled(twoLines(offer.name, label - 6, y + rowH / 2, nameRoom), offer.name));
      rates.channels.forEach((channel, j) => {
        const rate = rates.rates[i][j];
        const x = label + j * cell;
        if (rate === null) {
          svg.append(titled(svgEl("text", {
            x: x + cell / 2, y: y + rowH / 2 + 4, class: "tick middle muted", "data-cell": "none",
          }, "n/a"), `${offer.name} is not sent on ${channelName(channel)}`));
          return;
        }
        const shade = high > low ? (rate - low) / (high - low) : 0.5;
        svg.append(
          titled(svgEl("rect", {
            x: x + 1, y: y + 1, width: cell - 2, height: rowH - 2, class: "cell",
            style: `fill-opacity: ${(0.08 + 0.8 * shade).toFixed(3)}`,
            "data-offer": offer.id, "data-channel": channel,
          }), `${offer.name} on ${channelName(channel)}: ${percent(rate)}`),
          svgEl("text", {
            x: x + cell / 2, y: y + rowH / 2 + 4, class: `value middle${shade > 0.5 ? " on-dark" : ""}`,
          }, percent(rate)),
        );
      });
    });
    const table = rates.offers.map((offer, i) =>
      [offer.name, ...rates.rates[i].map((r) => (r === null ? "n/a" : percent(r)))]);
    return figure(null, svg,
      ["Offer", ...rates.channels.map(channelName)], table,
      `The ground truth's mean probability of a positive response over ${rates.profiledCustomers.toLocaleString()} ` +
      `${rates.sampled ? "sampled " : ""}customers; darker is higher; n/a: the offer is not sent on that channel.`);
  }

  const SERIES = [
    { name: "flow", key: "expectedRate", dash: null, cls: "flow" },
    { name: "oracle", key: "oracleRate", dash: "2 3", cls: "oracle" },
    { name: "random", key: "randomRate", dash: "8 4", cls: "random" },
  ];

  // Positive rate over the decisions of a simulation: the flow against random, the best single
  // offer and the oracle, each a different dash pattern with its name at the line's end.
  function lines(result, { width = 560 } = {}) {
    const height = 250, left = 42, right = width < 420 ? 104 : 128, top = 12, bottom = 34;
    const points = result.regret;
    const last = points.length ? points[points.length - 1].decisions : 1;
    const best = result.positiveRate.bestSingleOffer;
    const final = (key) => (points.length ? points[points.length - 1][key] : 0);
    const svg = frame(width, height,
      `Positive rate over ${last.toLocaleString()} simulated decisions: ` +
      `${SERIES.map((s) => `${s.name} ${percent(final(s.key))}`).join(", ")}, best single offer ${percent(best)}.`,
      "lines");
    // The rates' range to whole tenths, so that close lines stay apart; ticks at round shares.
    const all = points.flatMap((p) => SERIES.map((s) => p[s.key])).concat([best]);
    let low = Math.max(0, Math.floor(Math.min(...all) * 10) / 10);
    const high = Math.min(1, Math.max(low + 0.1, Math.ceil(Math.max(...all) * 10) / 10));
    if (high - low < 0.2) low = Math.max(0, high - 0.2);
    const tick = high - low <= 0.3 ? 0.05 : high - low <= 0.6 ? 0.1 : 0.2;
    const x = (d) => left + (width - left - right) * (d / last);
    const y = (r) => height - bottom - (height - bottom - top) * ((r - low) / (high - low));
    for (let i = 0; low + i * tick <= high + 1e-9; i += 1) {
      const r = low + i * tick;
      svg.append(
        svgEl("line", { x1: left, x2: width - right, y1: y(r), y2: y(r), class: "grid" }),
        svgEl("text", { x: left - 5, y: y(r) + 4, class: "tick end" }, percent(r)),
      );
    }
    svg.append(
      svgEl("line", { x1: left, x2: width - right, y1: y(low), y2: y(low), class: "axis" }),
      svgEl("text", { x: left, y: height - bottom + 14, class: "tick" }, "0"),
      svgEl("text", { x: width - right, y: height - bottom + 14, class: "tick end" }, last.toLocaleString()),
      svgEl("text", { x: (left + width - right) / 2, y: height - 6, class: "axis-title middle" }, "decisions"),
    );
    const labels = [];
    for (const s of SERIES) {
      const d = points.map((p, i) => `${i ? "L" : "M"}${x(p.decisions).toFixed(1)},${y(p[s.key]).toFixed(1)}`).join("");
      svg.append(titled(svgEl("path", {
        d, class: `line ${s.cls}`, "stroke-dasharray": s.dash, "data-series": s.name,
      }), `${s.name}: ${percent(final(s.key))} after ${last.toLocaleString()} decisions`));
      labels.push({ text: `${s.name} ${percent(final(s.key))}`, at: y(final(s.key)), cls: s.cls });
    }
    svg.append(titled(svgEl("line", {
      x1: left, x2: width - right, y1: y(best), y2: y(best), class: "line best",
      "stroke-dasharray": "10 3 2 3", "data-series": "best single offer",
    }), `best single offer in hindsight: ${percent(best)}`));
    labels.push({ text: `best offer ${percent(best)}`, at: y(best), cls: "best" });
    // End labels in the order of their lines, pushed apart so that none overlaps another.
    labels.sort((a, b) => a.at - b.at);
    let floor = -Infinity;
    for (const label of labels) {
      const at = Math.max(label.at, floor + 13);
      floor = at;
      svg.append(svgEl("text", {
        x: width - right + 6, y: at + 4, class: `tick series ${label.cls}`, "data-label": label.cls,
      }, label.text));
    }
    const rates = result.positiveRate;
    const table = points.map((p) =>
      [p.decisions.toLocaleString(), percent(p.expectedRate), percent(p.positiveRate),
        percent(p.randomRate), percent(best), percent(p.oracleRate)]);
    return figure(null, svg,
      ["Decisions", "Flow (expected)", "Flow (realised)", "Random", "Best single offer", "Oracle"], table,
      `Channel ${result.channel}. flow: the expected positive rate of the offers the flow chose ` +
      `(realised ${percent(rates.policy)}); random: a random offer; best offer: the best single ` +
      "offer in hindsight; oracle: each customer's best offer. The baselines ignore rules and " +
      "contact policies.");
  }

  function columnChart(column, rows, options = {}) {
    if (column.chart === "histogram" && column.counts.length) return histogram(column, rows);
    if (column.chart === "bars" && (column.values.length || column.nullShare > 0)) return bars(column, rows, options);
    return null;
  }

  window.charts = { histogram, bars, heatmap, lines, columnChart };
})();

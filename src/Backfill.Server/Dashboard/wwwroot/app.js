// The Backfill dashboard: reads the newest jobs of GET /api/jobs every 2 s and draws them. Every string from the server reaches the page
// through textContent or setAttribute, never as markup.
"use strict";

(() => {
  const REFRESH_MS = 2000;
  // The newest jobs only: one page of the list, however many jobs the scheduler keeps.
  const MAX_JOBS = 50;
  // ETA from the finished slices of the last minute; older samples say little about the present rate.
  const RATE_WINDOW_MS = 60000;
  const MIN_SPAN_MS = 3000;
  const STATES = ["succeeded", "failed", "cancelled", "running", "released", "pending"];
  const FINISHED = new Set(["succeeded", "failed", "cancelled"]);

  // The failed, and the stuck, slices a job's details list: the first ones by day; the API pages through all of them.
  const MAX_LISTED = 50;

  const samples = new Map(); // job id -> [{ t, finished }]
  const expanded = new Set(); // slice ids whose history is shown
  const plots = new Map(); // platform -> { at, cell, every }: its calls plot, drawn at `at`, asked again after `every` ms
  let openJob = null; // the job whose details are shown
  let refreshes = 0;
  let timer = null;
  let busy = false; // one refresh at a time
  let again = false; // a click asked for a refresh while one was under way

  const finishedOf = (slices) => slices.succeeded + slices.failed + slices.cancelled;
  const percentDone = (slices) => (slices.total > 0 ? Math.floor((100 * finishedOf(slices)) / slices.total) : 0);

  /** "1 h 05 m", "3 m 20 s", "12 s". */
  function formatDuration(ms) {
    const s = Math.max(0, Math.round(ms / 1000));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const r = s % 60;
    if (h > 0) return `${h} h ${String(m).padStart(2, "0")} m`;
    if (m > 0) return `${m} m ${String(r).padStart(2, "0")} s`;
    return `${r} s`;
  }

  /** A .NET TimeSpan as the API writes it ("00:00:00.2000000", "00:05:00", "1.00:00:00") in short words; as is when odd. */
  function formatEvery(span) {
    const m = /^(?:(\d+)\.)?(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$/.exec(String(span));
    if (!m) return String(span);
    const fraction = Math.round(Number(`0.${m[5] || "0"}`) * 1000);
    const ms = (((Number(m[1] || 0) * 24 + Number(m[2])) * 60 + Number(m[3])) * 60 + Number(m[4])) * 1000 + fraction;
    if (ms < 1000) return `${ms} ms`;
    if (ms % 1000 !== 0) return `${ms / 1000} s`;
    const s = ms / 1000;
    if (s % 3600 === 0) return `${s / 3600} h`;
    if (s % 60 === 0) return `${s / 60} min`;
    return `${s} s`;
  }

  /**
   * Time left for a job, as text: "—" when unknown. The rate is that of the finished slices seen by this page over the
   * last minute; before the page has seen progress, the job's average since it was created.
   * @param job an element of GET /api/jobs' "jobs"
   * @param history [{ t, finished }] oldest first, t in ms
   * @param now ms
   */
  function estimate(job, history, now) {
    const slices = job.slices;
    if (FINISHED.has(job.state)) return "done";
    if (job.state !== "running") return "—";
    const remaining = slices.total - finishedOf(slices);
    if (remaining <= 0) return formatDuration(0);
    let rate = 0; // slices per ms
    const recent = history.filter((h) => now - h.t <= RATE_WINDOW_MS);
    if (recent.length >= 2) {
      const first = recent[0];
      const last = recent[recent.length - 1];
      if (last.t - first.t >= MIN_SPAN_MS && last.finished > first.finished) {
        rate = (last.finished - first.finished) / (last.t - first.t);
      }
    }
    if (rate === 0) {
      const since = now - Date.parse(job.createdAt);
      const finished = finishedOf(slices);
      if (finished > 0 && since > 0) rate = finished / since;
    }
    return rate > 0 ? formatDuration(remaining / rate) : "—";
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  const number = (n) => Number(n).toLocaleString("en-US");
  const clock = (iso) => new Date(iso).toLocaleTimeString("en-GB", { hour12: false });

  function figure(name, value, field) {
    const row = el("div");
    row.append(el("dt", "", name));
    const dd = el("dd", "", value);
    dd.dataset.field = field;
    row.append(dd);
    return row;
  }

  function progressBar(job) {
    const s = job.slices;
    const done = percentDone(s);
    const bar = el("div", "bar");
    bar.setAttribute("role", "progressbar");
    bar.setAttribute("aria-label", `Slices of ${job.job} finished`);
    bar.setAttribute("aria-valuemin", "0");
    bar.setAttribute("aria-valuemax", "100");
    bar.setAttribute("aria-valuenow", String(done));
    bar.setAttribute("aria-valuetext", `${done} % (${finishedOf(s)} of ${s.total} slices finished, ${s.succeeded} succeeded, ${s.failed} failed)`);
    for (const state of STATES.slice(0, 5)) {
      if (s[state] > 0 && s.total > 0) {
        const segment = el("span", state);
        segment.dataset.segment = state;
        segment.style.width = `${(100 * s[state]) / s.total}%`;
        segment.title = `${state}: ${s[state]}`;
        bar.append(segment);
      }
    }
    return bar;
  }

  function jobCard(job, now) {
    const s = job.slices;
    const card = el("article", "job");
    card.dataset.job = job.job;
    card.dataset.state = job.state;
    card.dataset.total = String(s.total);
    for (const state of STATES) card.dataset[state] = String(s[state]);
    card.dataset.orders = String(job.orders.emitted);

    const head = el("div", "job-head");
    head.append(el("span", "job-id", job.job), el("span", `badge ${job.state}`, job.state));
    card.append(head);
    const meta = [job.platform, `shops ${job.shops.join(", ")}`, `${job.from} → ${job.to}`, `from ${job.source}`, job.releaseEvery === "auto" ? "released when there is room" : `${job.slicesPerRelease} slice(s) per shop every ${formatEvery(job.releaseEvery)}`, `priority ${job.priority}`];
    card.append(el("div", "meta", meta.join(" · ")));
    // A shop that needs authorization, is disabled, or has a token about to lapse: what the operator acts on.
    if (job.shopWarnings && job.shopWarnings.length > 0) {
      const warnings = el("ul", "warnings");
      warnings.dataset.field = "warnings";
      for (const warning of job.shopWarnings) warnings.append(el("li", "alert", warning));
      card.append(warnings);
    }
    // Records of the job's span that left the data topics before the sink read them: only running it again brings them back.
    if (job.orders.lost > 0) {
      const lost = el("p", "alert", `records lost: ${number(job.orders.lost)} left the data topics before the sink read them, where this job's lay; some of its records may be missing: run it again`);
      lost.dataset.field = "lost";
      card.append(lost);
    }
    card.append(progressBar(job));
    card.append(controls(job));

    const figures = el("dl", "figures");
    figures.append(
      figure("done", `${percentDone(s)} % (${finishedOf(s)}/${s.total})`, "done"),
      figure("succeeded", s.succeeded, "succeeded"),
      figure("running", s.running, "running"),
      figure("released", s.released, "released"),
      figure("pending", s.pending, "pending"),
      figure("failed", s.failed, "failed"),
      figure("cancelled", s.cancelled, "cancelled"),
      figure("orders", number(job.orders.emitted), "orders"),
      figure("ETA", estimate(job, samples.get(job.job) || [], now), "eta"),
    );
    card.append(figures);
    return card;
  }

  const SVG = "http://www.w3.org/2000/svg";

  function svg(tag, attributes) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, String(value));
    return node;
  }

  /**
   * A line plot as SVG: `values` from left to right, at equal steps or at `xs` (e.g. times), `lines` as horizontal rules
   * (e.g. a limit), `marks` as red ticks at the indices given. The y axis runs from 0 to a tenth above the largest value or line.
   */
  function plot(values, { xs = null, lines = [], marks = [], label, unit }) {
    const width = 600;
    const height = 120;
    const top = Math.max(1e-9, ...values, ...lines.map((l) => l.value)) * 1.1;
    const first = xs ? Math.min(...xs) : 0;
    const span = xs ? Math.max(...xs) - first : values.length - 1;
    const x = (i) => (span > 0 ? (((xs ? xs[i] : i) - first) * width) / span : 0);
    const y = (v) => height - (v * height) / top;
    const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "plot", role: "img", preserveAspectRatio: "none" });
    chart.setAttribute("aria-label", label);
    for (const line of lines) {
      const rule = svg("line", { x1: 0, x2: width, y1: y(line.value), y2: y(line.value), class: `rule ${line.kind}` });
      rule.dataset.line = line.kind;
      rule.dataset.value = String(line.value);
      const title = svg("title");
      title.textContent = `${line.kind} ${line.value} ${unit}`;
      rule.append(title);
      chart.append(rule);
    }
    const path = svg("polyline", { points: values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" "), class: "series" });
    path.dataset.points = String(values.length);
    path.dataset.max = String(Math.max(0, ...values));
    chart.append(path);
    for (const i of marks) {
      const tick = svg("line", { x1: x(i), x2: x(i), y1: 0, y2: height, class: "mark" });
      tick.dataset.mark = String(i);
      chart.append(tick);
    }
    return chart;
  }

  /** The API token the operator typed, read from the field at the moment of a change: never stored beyond this tab. */
  function authorization() {
    const token = document.getElementById("token").value.trim();
    return token ? { Authorization: `Bearer ${token}` } : {};
  }

  /** POSTs a change and says what came of it; the refresh it starts shows the job as it is now. */
  async function send(path, body) {
    const status = document.getElementById("notice");
    try {
      const response = await fetch(path, {
        method: "POST",
        cache: "no-store",
        headers: { "Content-Type": "application/json", Accept: "application/json", ...authorization() },
        body: JSON.stringify(body || {}),
      });
      if (!response.ok) {
        let detail = `${response.status}`;
        try {
          detail = (await response.json()).detail || detail;
        } catch {
          // not a problem document: the status code says it
        }
        throw new Error(response.status === 401 || response.status === 403 ? `${detail} (type the API token above)` : detail);
      }
      status.className = "";
      status.textContent = `${path.split("/").pop()}: done`;
      refreshNow();
    } catch (e) {
      status.className = "error";
      status.textContent = `${path.split("/").pop()} refused: ${e.message}`;
    }
  }

  /** Buttons for what the job's state allows; cancel asks to be pressed twice. */
  function controls(job) {
    const bar = el("div", "controls");
    const id = encodeURIComponent(job.job);
    const button = (name, text, action) => {
      const b = el("button", "", text);
      b.type = "button";
      b.dataset.action = name;
      b.addEventListener("click", action);
      bar.append(b);
      return b;
    };
    if (job.state === "running") button("pause", "Pause", () => send(`/api/jobs/${id}/pause`));
    if (job.state === "paused") button("resume", "Resume", () => send(`/api/jobs/${id}/resume`));
    if (job.state === "running" || job.state === "paused") {
      const cancel = button("cancel", "Cancel", () => {
        if (cancel.dataset.armed === "yes") return send(`/api/jobs/${id}/cancel`);
        cancel.dataset.armed = "yes";
        cancel.textContent = "Cancel: press again";
        setTimeout(() => {
          cancel.dataset.armed = "";
          cancel.textContent = "Cancel";
        }, 5000);
        return undefined;
      });
    }
    if (job.slices.failed > 0 && job.state !== "cancelled") button("retry", "Retry failed", () => send(`/api/jobs/${id}/retry`));
    if (job.orders.lost > 0 && job.state === "succeeded") button("rerun", "Run again", () => send(`/api/jobs/${id}/retry`, { force: true }));
    button("details", openJob === job.job ? "Hide details" : "Details", () => {
      openJob = openJob === job.job ? null : job.job;
      expanded.clear();
      refreshNow();
    });
    return bar;
  }

  /**
   * Slices listed with what to say of each and a button that shows or hides the slice's history; `empty` when there is none.
   * A slice in both lists (failed after being stuck) opens and closes in both.
   */
  function sliceList(page, field, empty, describe, histories) {
    const list = el("ul", "failures");
    list.dataset.field = field;
    for (const slice of page ? page.slices : []) {
      const item = el("li");
      item.dataset.slice = slice.slice;
      item.append(el("span", "job-id", slice.slice), ...describe(slice));
      const toggle = el("button", "", expanded.has(slice.slice) ? "Hide history" : "History");
      toggle.type = "button";
      toggle.dataset.action = "history";
      toggle.addEventListener("click", () => {
        if (expanded.has(slice.slice)) expanded.delete(slice.slice);
        else expanded.add(slice.slice);
        refreshNow();
      });
      item.append(toggle);
      if (histories.has(slice.slice)) {
        const events = el("ol", "history");
        for (const e of histories.get(slice.slice)) events.append(el("li", "", `${clock(e.at)} ${e.from} → ${e.to}: ${e.reason}`));
        item.append(events);
      }
      list.append(item);
    }
    return list.childElementCount > 0 ? list : el("p", "quiet", empty);
  }

  /** The open job: its slices finished over time against its total, its ETA, its failed and stuck slices with their errors and histories. */
  async function renderDetail(job, now) {
    const panel = document.getElementById("detail");
    if (!job) {
      panel.hidden = true;
      panel.replaceChildren();
      return;
    }
    const id = encodeURIComponent(job.job);
    const read = (path) => fetch(path, { cache: "no-store" }).then((r) => (r.ok ? r.json() : null));
    const [timeline, failed, stuck] = await Promise.all([
      read(`/api/jobs/${id}/timeline`),
      read(`/api/jobs/${id}/slices?state=failed&limit=${MAX_LISTED}`),
      read(`/api/jobs/${id}/slices?stuck=true&limit=${MAX_LISTED}`),
    ]);
    const histories = new Map();
    for (const slice of expanded) {
      const response = await fetch(`/api/jobs/${id}/history?slice=${encodeURIComponent(slice)}`, { cache: "no-store" });
      if (response.ok) histories.set(slice, (await response.json()).events);
    }

    const parts = [el("h2", "", `Job ${job.job}`)];
    parts[0].id = "detail-title";
    if (timeline) {
      const values = timeline.points.map((p) => p.finished);
      const xs = [Date.parse(job.createdAt), ...timeline.points.map((p) => Date.parse(p.at))];
      const chart = plot([0, ...values], { xs, lines: [{ kind: "total", value: timeline.total }], label: `Slices of ${job.job} finished over time, of ${timeline.total}`, unit: "slices" });
      chart.dataset.plot = "timeline";
      const since = timeline.points.length > 0 ? clock(timeline.points[0].at) : "—";
      const until = timeline.points.length > 0 ? clock(timeline.points[timeline.points.length - 1].at) : "—";
      parts.push(chart, el("p", "quiet", `${finishedOf(job.slices)} of ${job.slices.total} slices finished (${since} → ${until}) · ETA ${estimate(job, samples.get(job.job) || [], now)}`));
    }
    parts.push(el("h2", "", "Failed slices"), sliceList(failed, "failures", "No failed slice.", (slice) => [
      el("span", "quiet", ` attempt ${slice.attempt}, ${clock(slice.updatedAt)}`),
      el("div", "alert", slice.error || "(no error recorded)"),
    ], histories));
    parts.push(el("h2", "", "Stuck slices"), sliceList(stuck, "stuck", "No slice was stuck.", (slice) => [
      el("span", "quiet", ` ${slice.state}, attempt ${slice.attempt}, stuck ${slice.restarts} × (released again), last heard ${clock(slice.lastHeard)}`),
    ], histories));
    panel.replaceChildren(...parts);
    panel.hidden = false;
  }

  /**
   * The platform's calls per second over the last 15 minutes against its limit and budget, throttles marked. Asked again
   * only once a new step of calls can be in (the history moves in steps of `bucketSeconds`), not at every refresh.
   */
  async function platformPlot(name, now) {
    const kept = plots.get(name);
    if (kept && now - kept.at < kept.every) return kept.cell;
    const response = await fetch(`/api/platforms/${encodeURIComponent(name)}/calls`, { cache: "no-store" });
    if (!response.ok) return el("span", "quiet", `no call history (${response.status})`);
    const calls = await response.json();
    const values = calls.points.map((p) => p.callsPerSecond);
    const marks = calls.points.flatMap((p, i) => (p.throttles > 0 ? [i] : []));
    const chart = plot(values, {
      lines: [{ kind: "limit", value: calls.permitsPerSecond }, { kind: "budget", value: calls.budgetPerSecond }],
      marks,
      label: `${name}: calls per second over the last 15 minutes, limit ${calls.permitsPerSecond}/s`,
      unit: "calls/s",
    });
    chart.dataset.plot = "calls";
    const peak = Math.max(0, ...values);
    const caption = el("div", "quiet", `calls/s, last 15 min in ${calls.bucketSeconds} s steps · peak ${peak.toFixed(1)} · limit ${calls.permitsPerSecond} · budget ${calls.budgetPerSecond} · ${marks.length} step(s) with throttles`);
    const cell = el("div", "plot-cell");
    cell.append(chart, caption);
    plots.set(name, { at: now, cell, every: calls.bucketSeconds * 1000 });
    return cell;
  }

  function platformRow(p) {
    const row = el("tr");
    row.dataset.platform = p.platform;
    const name = el("th", "", p.platform);
    name.setAttribute("scope", "row");
    if (p.liveLimit !== null && p.liveLimit !== undefined) {
      const live = el("div", "quiet", `live limit ${Number(p.liveLimit)}/s`);
      live.dataset.field = "livelimit";
      name.append(live);
    }
    // The share of the limits left to the partner key's other clients (the sellers' live sync).
    if (p.safetyMargin !== null && p.safetyMargin !== undefined) {
      const live = p.liveMargin !== null && p.liveMargin !== undefined;
      const margin = el("div", "quiet", `safety margin ${Number(p.safetyMargin)}${live ? " (live)" : ""}`);
      margin.dataset.field = "margin";
      name.append(margin);
    }
    if (p.quotaSpentUntil) {
      const spent = el("div", "alert", `quota spent, resumes at ${clock(p.quotaSpentUntil)}`);
      spent.dataset.field = "quotaspent";
      name.append(spent);
    }
    for (const q of p.quotas || []) {
      const quota = el("div", "quiet", `quota ${number(q.granted)}/${number(q.usable)} of ${number(q.calls)} per ${q.period}, window ends ${clock(q.windowEnd)}`);
      quota.dataset.field = "quota";
      name.append(quota);
    }
    row.append(name);
    const throttles = el("td", "number", number(p.throttles));
    throttles.dataset.field = "throttles";
    row.append(throttles);

    const coolOff = el("td");
    coolOff.dataset.field = "cooloff";
    if (p.coolOffUntil) {
      coolOff.append(el("span", "alert", `until ${clock(p.coolOffUntil)}`));
      if (p.coolOffReason) coolOff.append(el("div", "quiet", p.coolOffReason));
    } else {
      coolOff.append(el("span", "quiet", "none"));
    }
    row.append(coolOff);

    const hold = el("td");
    hold.dataset.field = "hold";
    hold.append(p.hold ? el("span", "alert", `held: ${p.hold}`) : el("span", "quiet", "flowing"));
    row.append(hold);

    const lanes = el("td");
    const list = el("div", "lanes");
    for (const lane of p.lanes) {
      const chip = el("span", "lane", `${lane.lane}: ${Number(lane.rate).toFixed(2)}`);
      chip.title = `lane ${lane.lane}, reported by ${lane.worker} at ${clock(lane.at)}`;
      list.append(chip);
    }
    if (p.lanes.length === 0) list.append(el("span", "quiet", "no report yet"));
    lanes.append(list);
    row.append(lanes);
    return row;
  }

  async function render(body, now) {
    const jobs = body.jobs;
    for (const job of jobs) {
      const history = samples.get(job.job) || [];
      history.push({ t: now, finished: finishedOf(job.slices) });
      while (history.length > 0 && now - history[0].t > RATE_WINDOW_MS) history.shift();
      samples.set(job.job, history);
    }

    const list = document.getElementById("jobs");
    const cards = jobs.map((job) => jobCard(job, now));
    if (cards.length === 0) cards.push(el("p", "empty", "No jobs yet. Start one with: backfill start --platform NAME --shop ID --days N"));
    list.replaceChildren(...cards);

    const platforms = new Map();
    for (const job of jobs) for (const p of job.platforms || []) if (!platforms.has(p.platform)) platforms.set(p.platform, p);
    const rows = [...platforms.values()].sort((a, b) => a.platform.localeCompare(b.platform)).map(platformRow);
    if (rows.length === 0) {
      const empty = el("tr");
      const cell = el("td", "quiet", "No platform in use.");
      cell.colSpan = 5;
      empty.append(cell);
      rows.push(empty);
    }
    const plotted = [];
    const sorted = [...platforms.values()].sort((a, b) => a.platform.localeCompare(b.platform));
    const charts = await Promise.all(sorted.map((p) => platformPlot(p.platform, now)));
    for (const [i, p] of sorted.entries()) {
      const row = el("tr", "plot-row");
      row.dataset.plotFor = p.platform;
      const cell = el("td");
      cell.colSpan = 5;
      cell.append(charts[i]);
      row.append(cell);
      plotted.push(rows.find((r) => r.dataset.platform === p.platform), row);
    }
    document.querySelector("#platforms tbody").replaceChildren(...(plotted.length > 0 ? plotted : rows));
    await renderDetail(jobs.find((j) => j.job === openJob), now);
  }

  async function refresh() {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    const status = document.getElementById("status");
    try {
      const response = await fetch(`/api/jobs?limit=${MAX_JOBS}`, { cache: "no-store", headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(`GET /api/jobs answered ${response.status}`);
      const body = await response.json();
      const now = Date.now();
      await render(body, now);
      status.className = "";
      const shown = body.next ? `the ${body.jobs.length} newest jobs (more with backfill list)` : `${body.jobs.length} job(s)`;
      status.textContent = `${shown} · updated ${new Date(now).toLocaleTimeString("en-GB", { hour12: false })}`;
    } catch (e) {
      status.className = "error";
      status.textContent = `Cannot read the scheduler: ${e.message}. Retrying…`;
    } finally {
      refreshes += 1;
      document.getElementById("jobs").dataset.refreshes = String(refreshes);
      busy = false;
      clearTimeout(timer);
      timer = setTimeout(refresh, again ? 0 : REFRESH_MS);
      again = false;
    }
  }

  /** Draws again at once (after a click; after the refresh under way, if one is), then every REFRESH_MS as before. */
  function refreshNow() {
    clearTimeout(timer);
    refresh();
  }

  // For tests in a real browser: the pure parts, callable through page.evaluate.
  window.BackfillDashboard = Object.freeze({ estimate, formatDuration, formatEvery, percentDone, plot });

  refresh();
})();

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

  const samples = new Map(); // job id -> [{ t, finished }]
  let refreshes = 0;

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
    card.append(progressBar(job));

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

  function render(body, now) {
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
    document.querySelector("#platforms tbody").replaceChildren(...rows);
  }

  async function refresh() {
    const status = document.getElementById("status");
    try {
      const response = await fetch(`/api/jobs?limit=${MAX_JOBS}`, { cache: "no-store", headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(`GET /api/jobs answered ${response.status}`);
      const body = await response.json();
      const now = Date.now();
      render(body, now);
      status.className = "";
      const shown = body.next ? `the ${body.jobs.length} newest jobs (more with backfill list)` : `${body.jobs.length} job(s)`;
      status.textContent = `${shown} · updated ${new Date(now).toLocaleTimeString("en-GB", { hour12: false })}`;
    } catch (e) {
      status.className = "error";
      status.textContent = `Cannot read the scheduler: ${e.message}. Retrying…`;
    } finally {
      refreshes += 1;
      document.getElementById("jobs").dataset.refreshes = String(refreshes);
      setTimeout(refresh, REFRESH_MS);
    }
  }

  // For tests in a real browser: the pure parts, callable through page.evaluate.
  window.BackfillDashboard = Object.freeze({ estimate, formatDuration, formatEvery, percentDone });

  refresh();
})();

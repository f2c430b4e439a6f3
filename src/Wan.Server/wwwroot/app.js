// The wan serve page: submits POST /v1/videos, follows GET /v1/videos/{id}/events, plays the result, lists the history.
// Every call goes through fetch so that an API key (X-Api-Key) can be sent; EventSource and <video src> cannot send headers,
// so the event stream is read from a fetch body and the video is loaded as a blob.
"use strict";

const $ = (id) => document.getElementById(id);
const keyStore = "wan.apiKey";
const pinnedFields = ["width", "height", "frames", "steps"];
let playerUrl = null;
let templates = {};

function headers(extra) {
  const h = Object.assign({}, extra);
  const key = localStorage.getItem(keyStore);
  if (key) {
    h["X-Api-Key"] = key;
  }
  return h;
}

async function api(path, options) {
  const response = await fetch(path, Object.assign({}, options, { headers: headers(options && options.headers) }));
  if (!response.ok) {
    let detail = response.status + " " + response.statusText;
    try {
      const problem = await response.json();
      detail = problem.detail || problem.title || detail;
    } catch (e) {
      // Not a problem document: the status line says it.
    }
    if (response.status === 401) {
      detail = "API key required: open \"API key\" at the top right and save one (" + detail + ")";
    }
    throw new Error(detail);
  }
  return response;
}

function setStatus(text, isError) {
  $("status").textContent = text;
  $("status").classList.toggle("error", !!isError);
}

function setProgress(fraction) {
  const value = Math.max(0, Math.min(1, fraction));
  $("progress").value = value;
  $("progress-text").textContent = Math.round(value * 100) + "%";
}

async function fillPicker(select, path, listName) {
  try {
    const body = await (await api(path)).json();
    for (const item of body[listName]) {
      if (listName === "templates") {
        templates[item.name] = item;
      }
      const option = document.createElement("option");
      option.value = item.name;
      option.textContent = item.description ? item.name + " — " + item.description : item.name;
      select.appendChild(option);
    }
  } catch (e) {
    setStatus("could not list " + listName + ": " + e.message, true);
  }
}

function describeEvent(name, data) {
  switch (name) {
    case "queued": return "Queued.";
    case "running": return "Running: encoding the prompt.";
    case "encoded": return "Prompt encoded.";
    case "step": return "Step " + data.step + "/" + data.steps + (data.expert ? " (" + data.expert + ")" : "");
    case "decoding": return "Decoding frame " + data.step + "/" + data.steps;
    case "done": return "Done.";
    case "cancelled": return "Cancelled.";
    case "failed": return "Failed: " + (data.error || "unknown error");
    default: return name;
  }
}

// Reads the server-sent events of a job until the stream ends; returns the last event's name.
async function follow(id) {
  const response = await api("/v1/videos/" + id + "/events", { headers: { Accept: "text/event-stream" } });
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let name = "message";
  let last = null;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      break;
    }
    buffer += value;
    let newline;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, newline).replace(/\r$/, "");
      buffer = buffer.slice(newline + 1);
      if (line.startsWith("event:")) {
        name = line.slice(6).trim();
      } else if (line.startsWith("data:")) {
        const data = JSON.parse(line.slice(5));
        setProgress(data.progress);
        setStatus(describeEvent(name, data), name === "failed");
        last = name;
      } else if (line === "") {
        name = "message";
      }
    }
  }
  return last;
}

async function play(id) {
  const blob = await (await api("/v1/videos/" + id + "/content")).blob();
  if (playerUrl) {
    URL.revokeObjectURL(playerUrl);
  }
  playerUrl = URL.createObjectURL(blob);
  $("player").src = playerUrl;
  $("player").dataset.job = id;
}

async function run(body) {
  $("submit").disabled = true;
  setProgress(0);
  try {
    setStatus("Submitting…");
    const created = await (await api("/v1/videos", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    })).json();
    await loadHistory();
    const last = await follow(created.id);
    await loadHistory();
    if (last === "done") {
      await play(created.id);
      setStatus(created.cached ? "Done (served from the cache)." : "Done.");
    }
  } catch (e) {
    setStatus(e.message, true);
  } finally {
    $("submit").disabled = false;
  }
}

function formBody() {
  const body = {
    prompt: $("prompt").value,
    width: Number($("width").value),
    height: Number($("height").value),
    frames: Number($("frames").value),
    steps: Number($("steps").value),
    seed: Number($("seed").value),
  };
  if ($("template").value) {
    body.template = $("template").value;
  }
  if ($("style").value) {
    body.style = $("style").value;
  }
  return body;
}

// The stored request is already normalised (prompt expanded by its template, settings pinned): sent as it is, it makes
// the same video (the server answers from its cache when the result is still there). A styled or LoRA job cannot be
// re-sent this way (the style's words are already in its prompt and its LoRAs live in the style), so it has no button.
function canRunAgain(request) {
  return !request.style && !(request.loras && request.loras.length);
}
function againBody(request) {
  const body = {
    prompt: request.prompt,
    negative_prompt: request.negative_prompt,
    frames: request.frames,
    height: request.height,
    width: request.width,
    steps: request.steps,
    seed: request.seed,
    guidance: [request.guidance_low, request.guidance_high],
    shift: request.shift,
    solver: request.solver,
    fps: request.fps,
    format: request.format,
  };
  if (request.creative && request.creative.post) {
    body.post = request.creative.post;
  }
  return body;
}

function cell(row, text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) {
    td.className = className;
  }
  row.appendChild(td);
  return td;
}

async function loadHistory() {
  const body = await (await api("/v1/videos?limit=50")).json();
  const rows = body.videos.map((job) => {
    const r = job.request;
    const row = document.createElement("tr");
    row.dataset.job = job.id;
    cell(row, new Date(job.created_at).toLocaleString());
    const state = cell(row, job.state + (job.cached ? " (cached)" : ""), "state state-" + job.state);
    if (job.error) {
      state.title = job.error;
    }
    cell(row, r.prompt + (r.creative && r.creative.template ? " [" + r.creative.template + "]" : ""), "prompt");
    cell(row, r.width + "×" + r.height);
    cell(row, String(r.frames));
    cell(row, String(r.steps));
    cell(row, String(r.seed));
    const actions = cell(row, "");
    if (job.state === "succeeded") {
      const show = document.createElement("button");
      show.type = "button";
      show.className = "play";
      show.textContent = "Play";
      show.addEventListener("click", () => play(job.id).catch((e) => setStatus(e.message, true)));
      actions.appendChild(show);
    }
    if (canRunAgain(r)) {
      const again = document.createElement("button");
      again.type = "button";
      again.className = "run-again";
      again.textContent = "Run again";
      again.addEventListener("click", () => run(againBody(r)));
      actions.appendChild(again);
    }
    return row;
  });
  $("history").tBodies[0].replaceChildren(...rows);
}

document.addEventListener("DOMContentLoaded", () => {
  $("api-key").value = localStorage.getItem(keyStore) || "";
  $("save-key").addEventListener("click", () => {
    const key = $("api-key").value.trim();
    if (key) {
      localStorage.setItem(keyStore, key);
    } else {
      localStorage.removeItem(keyStore);
    }
    loadHistory().then(() => setStatus("Key saved."), (e) => setStatus(e.message, true));
  });
  // A template's pinned settings become the form's values; the form sends them explicitly, so they can still be edited.
  $("template").addEventListener("change", () => {
    const template = templates[$("template").value];
    for (const field of pinnedFields) {
      if (template && template[field] != null) {
        $(field).value = template[field];
      }
    }
    if (template && template.style && $("style").querySelector("option[value='" + CSS.escape(template.style) + "']")) {
      $("style").value = template.style;
    }
  });
  $("request").addEventListener("submit", (event) => {
    event.preventDefault();
    run(formBody());
  });
  fillPicker($("template"), "/v1/templates", "templates");
  fillPicker($("style"), "/v1/styles", "styles");
  loadHistory().catch((e) => setStatus(e.message, true));
});

import { useNavigate } from "@remix-run/react";
import { useRef, useState, type DragEvent, type FormEvent } from "react";
import { FORMAT_NAMES } from "~/domain/spend/entry";
import { FORMAT_LABELS } from "~/domain/spend/import-options";
import { GENERIC_FIELDS } from "~/domain/spend/parse-context";

interface Progress {
  file: string;
  index: number;
  count: number;
  loaded: number;
  total: number;
  /** Uploaded; the server is still reading and checking it. */
  processing: boolean;
}

function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} B`;
}

/**
 * Choose or drop several files; each goes up on its own (in order) with a progress bar. Works as a
 * plain multipart form before JavaScript loads; with it, uploads go through XHR so the bar can show
 * how far a large file is, and the page then shows the results from the import log.
 */
export function UploadForm({ action, resultsPath }: { action: string; resultsPath: string }) {
  const navigate = useNavigate();
  const formRef = useRef<HTMLFormElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const [files, setFiles] = useState<File[]>([]);
  const [dragging, setDragging] = useState(false);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [error, setError] = useState<string | null>(null);

  function pick(list: FileList | null) {
    setFiles(list ? [...list] : []);
    setError(null);
  }

  function onDrop(event: DragEvent<HTMLLabelElement>) {
    event.preventDefault();
    setDragging(false);
    if (!event.dataTransfer.files.length || !inputRef.current) return;
    inputRef.current.files = event.dataTransfer.files;
    pick(event.dataTransfer.files);
  }

  function send(file: File, index: number, count: number, fields: FormData): Promise<number[]> {
    return new Promise((resolve, reject) => {
      const body = new FormData();
      // Options first: the server reads them before the file streams in.
      for (const name of ["format", "map", "skipInvalid"]) {
        const value = fields.get(name);
        if (typeof value === "string") body.append(name, value);
      }
      body.append("file", file, file.name);
      const xhr = new XMLHttpRequest();
      xhr.open("POST", action);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.onprogress = (e) =>
        setProgress({
          file: file.name,
          index,
          count,
          loaded: e.loaded,
          total: e.lengthComputable ? e.total : file.size,
          processing: false,
        });
      xhr.upload.onload = () =>
        setProgress({ file: file.name, index, count, loaded: file.size, total: file.size, processing: true });
      xhr.onerror = () => reject(new Error("The connection broke off; nothing from this file was imported."));
      xhr.onload = () => {
        let payload: { results?: { importId: number | null }[]; error?: { message?: string } } = {};
        try {
          payload = JSON.parse(xhr.responseText);
        } catch {
          // An HTML error page: fall through to the status message.
        }
        if (xhr.status >= 200 && xhr.status < 300 && payload.results) {
          resolve(payload.results.map((r) => r.importId).filter((id): id is number => id !== null));
        } else {
          reject(new Error(payload.error?.message ?? `The server answered ${xhr.status}.`));
        }
      };
      setProgress({ file: file.name, index, count, loaded: 0, total: file.size, processing: false });
      xhr.send(body);
    });
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const chosen = inputRef.current?.files ? [...inputRef.current.files] : files;
    if (!chosen.length) {
      setError("Choose at least one file.");
      return;
    }
    setError(null);
    const fields = new FormData(event.currentTarget);
    const ids: number[] = [];
    try {
      // One file after another, each imported on its own: one bad file does not stop the others.
      for (let i = 0; i < chosen.length; i++) ids.push(...(await send(chosen[i]!, i, chosen.length, fields)));
    } catch (e) {
      setError(`${(e as Error).message}${ids.length ? " The files before it were imported." : ""}`);
    }
    setProgress(null);
    formRef.current?.reset();
    setFiles([]);
    if (ids.length) navigate(`${resultsPath}?done=${ids.join(",")}`, { preventScrollReset: true });
  }

  const busy = progress !== null;
  const percent =
    progress && progress.total > 0 ? Math.min(100, Math.round((progress.loaded / progress.total) * 100)) : 0;
  return (
    <form
      ref={formRef}
      method="post"
      action={action}
      encType="multipart/form-data"
      onSubmit={onSubmit}
      className="stack upload-form"
    >
      <div className="form-grid">
        <div className="field">
          <label htmlFor="format">Format</label>
          <select id="format" name="format" defaultValue="auto" disabled={busy}>
            <option value="auto">Detect from the file</option>
            {FORMAT_NAMES.map((f) => (
              <option key={f} value={f}>
                {FORMAT_LABELS[f]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="map">Column mapping (your own CSV)</label>
          <input
            id="map"
            name="map"
            placeholder="story=Ticket, cost_usd=Amount"
            aria-describedby="map-hint"
            disabled={busy}
          />
          <p id="map-hint" className="field-hint">
            Optional. field=Column pairs; fields: {GENERIC_FIELDS.join(", ")}.
          </p>
        </div>
      </div>
      <label className="field-check">
        <input type="checkbox" name="skipInvalid" value="on" disabled={busy} /> Skip invalid rows (import the valid ones
        and list the rest) — otherwise one bad row rejects the whole file
      </label>
      <label
        className={`drop-zone ${dragging ? "is-dragging" : ""}`}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <span className="drop-zone-title">Drop spend files here, or choose them</span>
        <span className="muted">
          Copilot usage reports, Claude Code logs, ccusage JSON, LiteLLM spend logs, your own CSV — several at once.
        </span>
        <input
          ref={inputRef}
          type="file"
          name="file"
          multiple
          disabled={busy}
          onChange={(e) => pick(e.currentTarget.files)}
        />
      </label>
      {files.length ? (
        <ul className="plain-list file-list">
          {files.map((f) => (
            <li key={`${f.name}:${f.size}`}>
              {f.name} <span className="muted">({formatSize(f.size)})</span>
            </li>
          ))}
        </ul>
      ) : null}
      {progress ? (
        <div className="upload-progress" role="status" aria-live="polite">
          <progress
            max={100}
            value={progress.processing ? undefined : percent}
            aria-label={`Uploading ${progress.file}`}
          />
          <span>
            {progress.count > 1 ? `File ${progress.index + 1} of ${progress.count}: ` : ""}
            {progress.file} —{" "}
            {progress.processing
              ? "uploaded; importing…"
              : `${percent} % (${formatSize(progress.loaded)} of ${formatSize(progress.total)})`}
          </span>
        </div>
      ) : null}
      {error ? (
        <div className="alert alert-error" role="alert">
          {error}
        </div>
      ) : null}
      <div className="row">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? "Importing…" : "Import"}
        </button>
      </div>
    </form>
  );
}

import { Link } from "@remix-run/react";
import { describeCounts, type ImportResult } from "~/domain/spend/import-result";
import { formatCredits } from "~/domain/credits";

/** One file's outcome: counts, credits, story keys, warnings and the bad lines. */
export function ImportResultCard({ result, undone, team }: { result: ImportResult; undone?: boolean; team: string }) {
  const rejected = result.status === "rejected";
  // A re-upload of what is there already: nothing to celebrate, nothing wrong either.
  const nothingNew = !rejected && result.imported === 0 && result.updated === 0;
  const keys = Object.entries(result.byStoryKey).sort(([a], [b]) => a.localeCompare(b));
  return (
    <article
      className={`card import-result ${rejected ? "import-result-rejected" : ""}`}
      aria-label={`Import of ${result.file}`}
    >
      <header className="row">
        <h3 className="import-file">{result.file}</h3>
        {rejected ? (
          <span className="badge badge-danger">Rejected</span>
        ) : nothingNew ? (
          <span className="badge">Nothing new</span>
        ) : (
          <span className="badge badge-ok">Imported</span>
        )}
        {undone ? <span className="badge">Undone</span> : null}
        {result.format ? <span className="badge badge-info">{result.format}</span> : null}
      </header>
      {rejected ? (
        <p>
          <strong>Nothing was imported.</strong>{" "}
          {result.rows === 0
            ? "The file could not be read as spend: check it is a supported report or log, or choose its format."
            : "Fix the lines below and import the file again, or tick “Skip invalid rows” to import the valid ones."}
        </p>
      ) : (
        <p>
          {nothingNew ? <strong>Nothing new — already imported: </strong> : null}
          <strong>{describeCounts(result)}</strong> of {result.rows.toLocaleString("en-US")}{" "}
          {result.rows === 1 ? "row" : "rows"} · {formatCredits(result.credits)} credits
          {result.unattributed ? (
            <>
              {" "}
              · <Link to={`/t/${team}/spend`}>{result.unattributed.toLocaleString("en-US")} without a story</Link>{" "}
              (assign them in the inbox, or map who spent them in{" "}
              <Link to={`/t/${team}/spend/identities`}>Identities</Link>)
            </>
          ) : null}
          {result.unpriced ? <> · {result.unpriced.toLocaleString("en-US")} unpriced</> : null}
        </p>
      )}
      {keys.length ? (
        <p className="muted">
          By story key:{" "}
          {keys.map(([key, credits], i) => (
            <span key={key}>
              {i ? ", " : ""}
              <code>{key}</code> {formatCredits(credits)}
            </span>
          ))}
        </p>
      ) : null}
      {result.warnings.map((w) => (
        <div key={w} className="alert alert-warn">
          {w}
        </div>
      ))}
      {result.errors.length ? (
        <div className={rejected ? "alert alert-error" : "alert alert-warn"}>
          <p>
            {rejected
              ? "Why:"
              : `${result.rejected.toLocaleString("en-US")} invalid ${result.rejected === 1 ? "line was" : "lines were"} skipped:`}
          </p>
          <ul className="import-errors">
            {result.errors.map((e) => (
              <li key={`${e.line}:${e.reason}`}>
                <span className="import-line">line {e.line}</span> {e.reason}
              </li>
            ))}
          </ul>
          {!rejected && result.rejected > result.errors.length ? (
            <p>… and {(result.rejected - result.errors.length).toLocaleString("en-US")} more.</p>
          ) : null}
        </div>
      ) : null}
    </article>
  );
}

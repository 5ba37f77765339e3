import { Link } from "@remix-run/react";
import { describeCounts, type ImportResult } from "~/domain/spend/import-result";
import { formatCredits } from "~/domain/credits";

/**
 * How a file that went in was read, per file: the lines left out (and why), and which models were
 * priced from the file's own cost, from the rate card, or not at all. Open when something was left
 * out or unpriced, since those change what the figures mean.
 */
function HowItWasRead({ result }: { result: ImportResult }) {
  const { skipped, pricedFromFile, pricedFromRateCard, unpricedModels } = result;
  const parts = [
    skipped.count ? `${skipped.count.toLocaleString("en-US")} ${skipped.count === 1 ? "line" : "lines"} skipped` : null,
    pricedFromFile.length ? `${pricedFromFile.length} priced from the file` : null,
    pricedFromRateCard.length ? `${pricedFromRateCard.length} from the rate card` : null,
    unpricedModels.length ? `${unpricedModels.length} unpriced` : null,
  ].filter((p): p is string => p !== null);
  if (parts.length === 0) return null;
  const models = (list: string[]) => (
    <ul className="import-models">
      {list.map((m) => (
        <li key={m}>
          <code>{m}</code>
        </li>
      ))}
    </ul>
  );
  return (
    <details className="import-details" open={skipped.count > 0 || unpricedModels.length > 0}>
      <summary>How it was read: {parts.join(" · ")}</summary>
      <dl className="import-details-list">
        {skipped.count ? (
          <>
            <dt>
              {skipped.count.toLocaleString("en-US")} {skipped.count === 1 ? "line" : "lines"} skipped
            </dt>
            <dd>
              <ul className="import-errors">
                {skipped.lines.map((l) => (
                  <li key={`${l.line}:${l.reason}`}>
                    <span className="import-line">line {l.line}</span>{" "}
                    <span className="badge">{l.kind === "unreadable" ? "unreadable" : "not spend"}</span> {l.reason}
                  </li>
                ))}
              </ul>
              {skipped.count > skipped.lines.length ? (
                <p className="muted">… and {(skipped.count - skipped.lines.length).toLocaleString("en-US")} more.</p>
              ) : null}
            </dd>
          </>
        ) : null}
        {pricedFromFile.length ? (
          <>
            <dt>Priced from the file’s own cost</dt>
            <dd>{models(pricedFromFile)}</dd>
          </>
        ) : null}
        {pricedFromRateCard.length ? (
          <>
            <dt>Priced from the rate card</dt>
            <dd>{models(pricedFromRateCard)}</dd>
          </>
        ) : null}
        {unpricedModels.length ? (
          <>
            <dt>
              Left unpriced (not on the rate card; tokens kept, priced once a rate is added under Settings → Rates)
            </dt>
            <dd>{models(unpricedModels)}</dd>
          </>
        ) : null}
      </dl>
    </details>
  );
}

/** One file's outcome: counts, credits, story keys, notes, how it was read, and why it was rejected. */
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
      {result.notes.map((w) => (
        <div key={w} className="alert alert-warn">
          {w}
        </div>
      ))}
      {rejected ? (
        result.errors.length ? (
          <div className="alert alert-error">
            <p>Why:</p>
            <ul className="import-errors">
              {result.errors.map((e) => (
                <li key={`${e.line}:${e.reason}`}>
                  <span className="import-line">line {e.line}</span> {e.reason}
                </li>
              ))}
            </ul>
          </div>
        ) : null
      ) : (
        <HowItWasRead result={result} />
      )}
    </article>
  );
}

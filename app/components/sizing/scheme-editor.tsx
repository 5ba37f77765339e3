// The sizing-scheme editor: cost table, p80 multipliers, size bands and level names in one plain
// form. Errors from the server sit next to the inputs they are about, and the inputs keep what was
// typed. With JS, each cost cell shows the size it falls into as you type.
import { Form } from "@remix-run/react";
import { useEffect, useMemo, useRef, useState, type ChangeEvent } from "react";
import { schemeField, schemeFromForm } from "~/domain/scheme-form";
import { bandFor, riskMedianAt } from "~/domain/sizing";
import { DIMENSIONS, type SizingScheme } from "~/domain/sizing-scheme";
import { formatCredits } from "~/domain/credits";

interface EditorProps {
  /** The current scheme: its shape (levels, bands) and the values shown when nothing was typed. */
  scheme: SizingScheme;
  defaults: SizingScheme;
  values: Record<string, string>;
  errors: Record<string, string>;
  canEdit: boolean;
  nextVersion: number;
  busy: boolean;
}

function ErrorText({ id, message }: { id: string; message?: string }) {
  return message ? (
    <p id={id} className="field-error">
      {message}
    </p>
  ) : null;
}

const errId = (name: string) => `err-${name.replace(/[^a-zA-Z0-9]+/g, "-")}`;

export function SchemeEditor({
  scheme,
  defaults,
  values: initialValues,
  errors,
  canEdit,
  nextVersion,
  busy,
}: EditorProps) {
  const [values, setValues] = useState(initialValues);
  // After a rejected save, bring the summary into view so the links to each problem are at hand.
  const summary = useRef<HTMLDivElement>(null);
  useEffect(() => summary.current?.focus(), []);
  const preview = useMemo(() => schemeFromForm(scheme, values).scheme, [scheme, values]);
  const onChange = (e: ChangeEvent<HTMLFormElement>) => {
    const target = e.target as unknown as HTMLInputElement;
    if (target.name) setValues((v) => ({ ...v, [target.name]: target.value }));
  };
  const input = (
    name: string,
    props: { label: string; className?: string; inputMode?: "decimal"; maxLength?: number; placeholder?: string },
  ) => (
    <input
      id={name}
      name={name}
      defaultValue={initialValues[name] ?? ""}
      aria-label={props.label}
      aria-invalid={errors[name] ? true : undefined}
      aria-describedby={errors[name] ? errId(name) : undefined}
      className={props.className}
      inputMode={props.inputMode}
      maxLength={props.maxLength}
      placeholder={props.placeholder}
      autoComplete="off"
    />
  );
  const sizeOf = (credits: number) => {
    try {
      return Number.isFinite(credits) ? bandFor(preview, credits).label : null;
    } catch {
      return null;
    }
  };
  const errorCount = Object.keys(errors).length;
  const levelName = (d: (typeof DIMENSIONS)[number]["id"], i: number) =>
    values[schemeField.levelLabel(d, i)] || scheme[d][i]!.label;

  return (
    <Form method="post" className="scheme-editor stack" onChange={onChange} noValidate>
      <input type="hidden" name="intent" value="save" />
      {errorCount ? (
        <div className="alert alert-error" role="alert" tabIndex={-1} ref={summary}>
          <p>
            Not saved: {errorCount === 1 ? "one value needs" : `${errorCount} values need`} fixing. Each problem is
            shown next to its input; everything you typed is still there.
          </p>
          <ul className="error-summary">
            {Object.entries(errors).map(([name, message]) => (
              <li key={name}>
                <a href={`#${name}`}>{message}</a>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <fieldset disabled={!canEdit} className="stack">
        <section className="card stack" aria-labelledby="cost-heading">
          <div className="scheme-section-head">
            <h2 id="cost-heading">Expected credits: model intensity × autonomy</h2>
            <p className="muted">
              expected = base[intensity][autonomy]. Costs may not fall as either level rises. Each cell shows the size
              its credits fall in.
            </p>
          </div>
          <div className="table-wrap">
            <table className="cost-table">
              <thead>
                <tr>
                  <th scope="col">
                    <span className="sr-only">Model intensity, by autonomy level</span>
                    <span aria-hidden="true">Intensity ↓ · Autonomy →</span>
                  </th>
                  {scheme.autonomy.map((level, j) => (
                    <th key={level.id} scope="col">
                      {levelName("autonomy", j)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {scheme.intensity.map((row, i) => (
                  <tr key={row.id}>
                    <th scope="row">{levelName("intensity", i)}</th>
                    {scheme.autonomy.map((col, j) => {
                      const name = schemeField.base(i, j);
                      const size = sizeOf(preview.base[i]?.[j] ?? Number.NaN);
                      return (
                        <td key={col.id} className={errors[name] ? "cell-invalid" : undefined}>
                          <div className="cost-cell">
                            {input(name, {
                              label: `${levelName("intensity", i)} × ${levelName("autonomy", j)} credits`,
                              className: "num-input",
                              inputMode: "decimal",
                            })}
                            <span className="badge size-badge" aria-hidden={size ? undefined : true} title="Size band">
                              {size ?? "–"}
                            </span>
                          </div>
                          <p className="default-hint">default {formatCredits(defaults.base[i]?.[j])}</p>
                          <ErrorText id={errId(name)} message={errors[name]} />
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>

        <div className="scheme-columns">
          <section className="card stack" aria-labelledby="risk-heading">
            <div className="scheme-section-head">
              <h2 id="risk-heading">Budget risk: median factor and p80 multiplier</h2>
              <p className="muted">
                Expected = cost table × median factor (1 = risk leaves the expected alone); p80 = expected × multiplier.
                The recalibration suggests both from what finished stories cost.
              </p>
            </div>
            <div className="table-wrap">
              <table className="plain-table">
                <thead>
                  <tr>
                    <th scope="col">Risk</th>
                    <th scope="col">Median factor</th>
                    <th scope="col">p80 multiplier</th>
                    <th scope="col">A 150-credit cell</th>
                  </tr>
                </thead>
                <tbody>
                  {scheme.risk.map((level, i) => {
                    const name = schemeField.multiplier(i);
                    const factorName = schemeField.riskMedian(i);
                    const m = preview.p80Multiplier[i] ?? Number.NaN;
                    const f = riskMedianAt(preview, i);
                    const expected = 150 * f;
                    return (
                      <tr key={level.id} className={errors[name] || errors[factorName] ? "cell-invalid" : undefined}>
                        <th scope="row">{levelName("risk", i)}</th>
                        <td>
                          <span className="row nowrap">
                            ×
                            {input(factorName, {
                              label: `Median factor for ${levelName("risk", i)} risk`,
                              className: "num-input num-input-sm",
                              inputMode: "decimal",
                            })}
                          </span>
                          <p className="default-hint">default ×{riskMedianAt(defaults, i)}</p>
                          <ErrorText id={errId(factorName)} message={errors[factorName]} />
                        </td>
                        <td>
                          <span className="row nowrap">
                            ×
                            {input(name, {
                              label: `p80 multiplier for ${levelName("risk", i)} risk`,
                              className: "num-input num-input-sm",
                              inputMode: "decimal",
                            })}
                          </span>
                          <p className="default-hint">default ×{defaults.p80Multiplier[i]}</p>
                          <ErrorText id={errId(name)} message={errors[name]} />
                        </td>
                        <td className="muted">
                          {Number.isFinite(f) && f > 0 ? `expected ${formatCredits(expected)}` : "—"}
                          {Number.isFinite(f) && f > 0 && Number.isFinite(m) && m >= 1
                            ? `, p80 ${formatCredits(expected * m)}`
                            : ""}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          </section>

          <section className="card stack" aria-labelledby="bands-heading">
            <div className="scheme-section-head">
              <h2 id="bands-heading">Size bands</h2>
              <p className="muted">
                Half-open: a band holds credits from its start up to, not including, its end. The last has no end.
              </p>
            </div>
            <table className="plain-table">
              <thead>
                <tr>
                  <th scope="col">Label</th>
                  <th scope="col">From</th>
                  <th scope="col">Up to (not incl.)</th>
                </tr>
              </thead>
              <tbody>
                {scheme.bands.map((band, i) => {
                  const labelName = schemeField.bandLabel(i);
                  const highName = schemeField.bandHigh(i);
                  const isLast = i === scheme.bands.length - 1;
                  const low = preview.bands[i]?.low;
                  return (
                    <tr key={i} className={errors[labelName] || errors[highName] ? "cell-invalid" : undefined}>
                      <td>
                        {input(labelName, {
                          label: `Label of band ${i + 1}`,
                          className: "band-label-input",
                          maxLength: 12,
                        })}
                        <ErrorText id={errId(labelName)} message={errors[labelName]} />
                      </td>
                      <td className="num">{low !== undefined && Number.isFinite(low) ? formatCredits(low) : "—"}</td>
                      <td>
                        {isLast ? (
                          <span className="muted">and above</span>
                        ) : (
                          <>
                            {input(highName, {
                              label: `Upper edge of band ${band.label}`,
                              className: "num-input num-input-sm",
                              inputMode: "decimal",
                            })}
                            <p className="default-hint">default {formatCredits(defaults.bands[i]?.high)}</p>
                            <ErrorText id={errId(highName)} message={errors[highName]} />
                          </>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </section>
        </div>

        <section className="card stack" aria-labelledby="levels-heading">
          <div className="scheme-section-head">
            <h2 id="levels-heading">Level names</h2>
            <p className="muted">
              What voters see on the cards. Ids stay fixed, because old votes and estimates refer to them.
            </p>
          </div>
          <div className="level-editors">
            {DIMENSIONS.map((d) => (
              <fieldset key={d.id} className="level-editor">
                <legend>{d.label}</legend>
                {scheme[d.id].map((level, i) => {
                  const labelName = schemeField.levelLabel(d.id, i);
                  const descName = schemeField.levelDescription(d.id, i);
                  return (
                    <div
                      key={level.id}
                      className={
                        errors[labelName] || errors[descName] ? "level-edit-row cell-invalid" : "level-edit-row"
                      }
                    >
                      <code className="level-id">{level.id}</code>
                      {input(labelName, { label: `${d.label} ${level.id}: label`, maxLength: 40 })}
                      {input(descName, {
                        label: `${d.label} ${level.id}: description`,
                        maxLength: 200,
                        placeholder: "Short description",
                      })}
                      <ErrorText id={errId(labelName)} message={errors[labelName]} />
                      <ErrorText id={errId(descName)} message={errors[descName]} />
                    </div>
                  );
                })}
              </fieldset>
            ))}
          </div>
        </section>

        {canEdit ? (
          <section className="card save-bar">
            <div className="field">
              <label htmlFor="note">What changed and why</label>
              <input
                id="note"
                name="note"
                maxLength={200}
                defaultValue={initialValues.note ?? ""}
                placeholder="e.g. Delegated work ran 2× over in sprint 14"
              />
            </div>
            <button type="submit" className="btn btn-primary" disabled={busy}>
              Save as version {nextVersion}
            </button>
          </section>
        ) : (
          <p className="alert">Only managers and owners can change the sizing scheme; you can read it.</p>
        )}
      </fieldset>
    </Form>
  );
}

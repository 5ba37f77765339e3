/**
 * Form helpers that need no JavaScript: the server re-renders the form with `error`s from the
 * action, and the ids below tie each message to its control so screen readers read it on focus.
 *
 *   <FormError message={errors.form} />
 *   <Field label="E-mail" name="email" type="email" error={errors.email} required />
 *   <Field label="Role" name="role" hint="Managers can edit sprints." error={errors.role}>
 *     {(control) => <select {...control}><option>member</option></select>}
 *   </Field>
 */
import type { InputHTMLAttributes, ReactNode } from "react";

/** What a custom control must carry to be wired to its label, hint and error. */
export interface FieldControlProps {
  id: string;
  name: string;
  "aria-invalid": true | undefined;
  "aria-describedby": string | undefined;
  required?: boolean;
}

export interface FieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, "children" | "name"> {
  label: ReactNode;
  /** Form field name; also the control's `id` unless `id` is given. */
  name: string;
  /** Help text under the control. */
  hint?: ReactNode;
  /** Validation message from the action; marks the control invalid. */
  error?: string | null;
  /** Render a `select`, `textarea` or a composite control instead of the default `input`. */
  children?: (control: FieldControlProps) => ReactNode;
  /** Class on the wrapper `.field` element (e.g. a grid span). */
  className?: string;
}

export function Field({ label, name, id, hint, error, children, className, required, ...inputProps }: FieldProps) {
  // Predictable ids (same on server and client, linkable as `#email`); pass `id` when the same
  // name repeats on a page, e.g. one small form per table row.
  const controlId = id ?? name;
  const hintId = hint ? `${controlId}-hint` : undefined;
  const errorId = error ? `${controlId}-error` : undefined;
  const control: FieldControlProps = {
    id: controlId,
    name,
    "aria-invalid": error ? true : undefined,
    // Error first: it is the more urgent of the two.
    "aria-describedby": [errorId, hintId].filter(Boolean).join(" ") || undefined,
    required,
  };

  return (
    <div className={["field", error ? "field-invalid" : "", className].filter(Boolean).join(" ")}>
      <label htmlFor={controlId}>
        {label}
        {required ? (
          <span className="field-required" aria-hidden="true">
            {" "}
            *
          </span>
        ) : null}
      </label>
      {children ? children(control) : <input {...inputProps} {...control} />}
      {hint ? (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/**
 * Form-level error (e.g. "Wrong e-mail or password"). `role="alert"` makes screen readers read it
 * as soon as the re-rendered page shows it; renders nothing when there is no message.
 */
export function FormError({ message, children }: { message?: string | null; children?: ReactNode }) {
  const content = message || children;
  if (!content) return null;
  return (
    <div className="alert alert-error" role="alert">
      {content}
    </div>
  );
}

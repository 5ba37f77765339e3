// The fields of one story, for the add and edit forms. Values come from the story or, after a
// failed submit, from what was typed; errors sit under their inputs.
import { Field } from "~/components/ui/field";

export interface StoryFieldValues {
  title: string;
  key: string;
  link: string;
  labels: string;
  description: string;
}

export function StoryFields({
  values,
  errors,
  keyPattern,
  idPrefix = "",
}: {
  values: StoryFieldValues;
  errors: Record<string, string>;
  keyPattern: string;
  idPrefix?: string;
}) {
  return (
    <div className="form-grid">
      <Field
        className="span-all"
        label="Title"
        name="title"
        id={`${idPrefix}title`}
        defaultValue={values.title}
        error={errors.title}
        maxLength={300}
        required
      />
      <Field
        label="Key"
        name="key"
        id={`${idPrefix}key`}
        defaultValue={values.key}
        error={errors.key}
        placeholder="PAY-412"
        hint={
          <>
            Optional; unique in the team. Pattern <code>{keyPattern}</code>
          </>
        }
        autoCapitalize="characters"
        spellCheck={false}
      />
      <Field
        label="Link"
        name="link"
        id={`${idPrefix}link`}
        type="url"
        defaultValue={values.link}
        error={errors.link}
        placeholder="https://tracker.example/PAY-412"
      />
      <Field
        className="span-all"
        label="Labels"
        name="labels"
        id={`${idPrefix}labels`}
        defaultValue={values.labels}
        error={errors.labels}
        placeholder="api, checkout"
        hint="Separated by commas or spaces; stored in lower case."
      />
      <Field
        className="span-all"
        label="Description"
        name="description"
        id={`${idPrefix}description`}
        error={errors.description}
      >
        {(control) => <textarea {...control} defaultValue={values.description} rows={4} />}
      </Field>
    </div>
  );
}

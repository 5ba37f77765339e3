import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { DragHandle, SortableList } from "~/components/ui/sortable-list";

type Story = { id: string; title: string };
const stories: Story[] = [
  { id: "a", title: "Retry webhooks" },
  { id: "b", title: "Add audit log" },
  { id: "c", title: "Rotate keys" },
];

function render(props: { disabled?: boolean } = {}) {
  return renderToString(
    <SortableList
      label="Backlog order"
      items={stories}
      getId={(s) => s.id}
      getLabel={(s) => s.title}
      onMove={() => {}}
      renderItem={(story, { handleProps, isDragging }) => (
        <div className="row">
          <DragHandle {...handleProps} />
          <span>{story.title}</span>
          {isDragging ? <span>dragging</span> : null}
        </div>
      )}
      {...props}
    />,
  );
}

describe("SortableList (server render)", () => {
  it("renders the items in order inside a labelled ordered list", () => {
    const html = render();
    expect(html).toMatch(/<ol class="sortable-list" aria-label="Backlog order">/);
    const items = [...html.matchAll(/<li\b[^>]*>[\s\S]*?<\/li>/g)].map((m) => m[0]);
    expect(items).toHaveLength(3);
    expect(items[0]).toContain("Retry webhooks");
    expect(items[2]).toContain("Rotate keys");
    expect(html).not.toContain("dragging");
  });

  it("gives every handle a label and points it at instructions that exist in the markup", () => {
    const html = render();
    const handles = [...html.matchAll(/<button\b[^>]*>/g)].map((m) => m[0]);
    expect(handles).toHaveLength(3);
    expect(handles[0]).toContain('aria-label="Move Retry webhooks"');
    expect(handles[1]).toContain('aria-label="Move Add audit log"');
    expect(handles[2]).toContain('type="button"');
    const describedBy = /aria-describedby="([^"]+)"/.exec(handles[0]!)?.[1];
    expect(describedBy).toBeTruthy();
    expect(handles.every((h) => h.includes(`aria-describedby="${describedBy}"`))).toBe(true);
    const instructions = new RegExp(`<p id="${describedBy}" hidden="">([^<]+)</p>`).exec(html)?.[1];
    expect(instructions).toMatch(/press Space or Enter/);
    expect(instructions).toMatch(/Escape to cancel/);
  });

  it("renders handles disabled before hydration, since they cannot work yet", () => {
    const handles = [...render().matchAll(/<button\b[^>]*>/g)].map((m) => m[0]);
    expect(handles.every((h) => h.includes('disabled=""'))).toBe(true);
  });

  it("renders the same markup twice (ids are stable, so hydration matches)", () => {
    // React's useId depends on tree position, not on a module counter like dnd-kit's default ids.
    expect(render()).toBe(render());
  });
});
